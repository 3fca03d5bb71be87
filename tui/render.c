#include "tui/render.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/describe.h"
#include "panes/bars.h"
#include "panes/detail.h"
#include "panes/help.h"
#include "panes/tasklist.h"
#include "panes/templates.h"
#include "tui/keys.h"
#include "tui/logs_view.h"
#include "tui/task_view.h"
#include "tui/wizard_view.h"

static void draw_too_small(int w, int h)
{
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: %dx%d, migtop needs %dx%d", w, h,
             RENDER_MIN_COLS, RENDER_MIN_ROWS);
    int mw = (int)strlen(msg);
    int y = h / 2, x = mw < w ? (w - mw) / 2 : 0;
    draw_text(stdscr, y, x, w - x, P_WARN, msg);
    if (y + 1 < h)
        draw_text(stdscr, y + 1, 0, w, P_DIM, "enlarge the window, or press q to quit");
}

static const char *view_title(app *a, arena *fr)
{
    view_state *v = app_view(a);
    switch (v->kind) {
    case V_TASKS:
        return v->filter[0] ? arena_printf(fr, "tasks /%s", v->filter) : "tasks";
    case V_TEMPLATES:
        return v->filter[0] ? arena_printf(fr, "templates /%s", v->filter) : "templates";
    case V_DETAIL:
        return arena_printf(fr, "task %s%s%s", v->sel_ns, v->sel_ns[0] ? "/" : "", v->sel_name);
    case V_HELP:
        return "help";
    case V_LOGS:
        return arena_printf(fr, "logs %s%s%s", v->sel_ns, v->sel_ns[0] ? "/" : "", v->sel_name);
    case V_WIZARD:
        return a->wiz ? a->wiz->ops->title : "wizard";
    case V_MESSAGES:
        return "messages";
    case V_YAML:
        return arena_printf(fr, "yaml %s%s%s", v->sel_ns, v->sel_ns[0] ? "/" : "", v->sel_name);
    }
    return "";
}

static const char *view_hints(const view_state *v)
{
    switch (v->kind) {
    case V_TASKS:
        return "Enter open  / filter  t templates  ? help  q quit ";
    case V_DETAIL:
        return "j/k scroll  Esc back  ? help  q quit ";
    case V_TEMPLATES:
        return "/ filter  Esc back  ? help  q quit ";
    case V_HELP:
        return "Esc back  q quit ";
    case V_LOGS:
        return "s step  f follow  w wrap  / search  Esc back ";
    case V_WIZARD:
        return "Enter next  Esc back  Tab field ";
    case V_MESSAGES:
    case V_YAML:
        return "j/k scroll  Esc back  q quit ";
    }
    return NULL;
}

/* Keeps the selection on the same object across updates: the identity
 * wins unless the user just moved the cursor. */
static void resolve_cursor(app *a, view_state *v, const doc *d, bool moved)
{
    if (!a->snap || (v->kind != V_TASKS && v->kind != V_TEMPLATES)) {
        v->cursor = -1;
        return;
    }
    int found = -1, first = -1, last = -1;
    for (int i = 0; i < d->n; i++) {
        if (!d->lines[i].selectable)
            continue;
        if (first < 0)
            first = i;
        last = i;
        int ref = d->lines[i].ref;
        const mt_meta *m = v->kind == V_TASKS ? &a->snap->tasks[ref].meta
                                              : &a->snap->templates[ref].meta;
        if (!moved && !strcmp(m->name, v->sel_name) && !strcmp(m->namespace_, v->sel_ns))
            found = i;
    }
    if (first < 0) {
        v->cursor = -1;
        return;
    }
    if (!moved && found >= 0)
        v->cursor = found;
    if (v->cursor < first)
        v->cursor = first;
    if (v->cursor > last)
        v->cursor = last;
    if (!d->lines[v->cursor].selectable)
        v->cursor = doc_next_selectable(d, v->cursor, -1);
    int ref = d->lines[v->cursor].ref;
    const mt_meta *m = v->kind == V_TASKS ? &a->snap->tasks[ref].meta
                                          : &a->snap->templates[ref].meta;
    snprintf(v->sel_name, sizeof v->sel_name, "%s", m->name);
    snprintf(v->sel_ns, sizeof v->sel_ns, "%s", m->namespace_);
}

static void clamp_scroll(view_state *v, int lines, int h)
{
    if (v->stick_bottom && v->cursor < 0)
        v->top = lines - h;
    if (v->cursor >= 0) {
        if (v->cursor < v->top)
            v->top = v->cursor;
        if (v->cursor >= v->top + h)
            v->top = v->cursor - h + 1;
    }
    if (v->top > lines - h)
        v->top = lines - h;
    if (v->top < 0)
        v->top = 0;
}

static void build_detail(app *a, arena *fr, doc *left, doc *right, int width, int64_t now_ms)
{
    view_state *v = app_view(a);
    const mt_task *t = a->snap ? mt_snapshot_task(a->snap, v->sel_ns[0] ? v->sel_ns : NULL,
                                                  v->sel_name) : NULL;
    if (!t) {
        doc_text(left, a->snap ? P_WARN : P_DIM,
                 a->snap ? arena_printf(fr, "task %s/%s is not in the latest data: it was "
                                            "deleted, or the filter of the backend excludes it",
                                        v->sel_ns, v->sel_name)
                         : "waiting for data...");
        return;
    }
    mt_describe ds;
    mt_describe_build(fr, a->snap, t, now_ms / 1000, a->pod_tz_offset, &ds);
    detail_opts o = {now_ms / 1000, now_ms, a->health.last_ok_ms ? now_ms - a->health.last_ok_ms : -1,
                     a->pod_tz_name, a->opts.lag_warn_s,
                     mt_hist_find(&a->hist, t->meta.namespace_, t->meta.name)};
    detail_build(left, right, &ds, &o, width);
}

static void empty_notice(app *a, doc *d, int shown, const char *what)
{
    view_state *v = app_view(a);
    if (shown)
        return;
    if (!a->snap)
        doc_text(d, P_DIM, a->health.error[0] ? "no data: see the error above"
                                              : "waiting for data...");
    else if (v->filter[0])
        doc_text(d, P_DIM, arena_printf(d->a, "no %s match the filter \"%s\" (Esc clears it)",
                                        what, v->filter));
    else
        doc_text(d, P_DIM, arena_printf(d->a, "no %s", what));
}

/* :messages: the newest first, each whole, with its time. */
static void build_messages(const app *a, doc *d, int W)
{
    if (!a->n_past) {
        doc_text(d, P_DIM, "no messages yet");
        return;
    }
    for (int i = 0; i < a->n_past; i++) {
        const struct app_past_message *m = app_past_message(a, i);
        time_t t = (time_t)(m->at_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        char when[16];
        strftime(when, sizeof when, "%H:%M:%S  ", &tm);
        doc_wrap(d, m->is_error ? P_ERROR : P_NORMAL, arena_strdup(d->a, when), m->text, W);
    }
}

/* The task list's document, built again only when the snapshot or what
 * the rows show of the clock changed (tasklist_digest); d gets a copy of
 * its lines in d's arena (their texts stay in the kept one's), so lines
 * added to d after it never touch the kept document. */
static int tasklist_kept(app *a, doc *d, const tasklist_opts *o, int W)
{
    struct app_list_doc *k = &a->list;
    uint64_t digest = tasklist_digest(a->snap, o, W);
    if (!k->valid || k->snap_gen != a->snap_gen || k->digest != digest) {
        app_free_kept(a);
        arena_init(&k->mem);
        doc_init(&k->d, &k->mem);
        k->shown = tasklist_build(&k->d, a->snap, o, W);
        k->digest = digest;
        k->snap_gen = a->snap_gen;
        k->valid = true;
    }
    if (k->d.n) {
        d->lines = arena_alloc(d->a, (size_t)k->d.n * sizeof *d->lines);
        memcpy(d->lines, k->d.lines, (size_t)k->d.n * sizeof *d->lines);
        d->n = d->cap = k->d.n;
    }
    return k->shown;
}

/* The view's document: d (and right, a detail's second column from
 * RENDER_WIDE_COLS on); *pinned lines of d stay above the scrolling part. */
static void build_body(app *a, view_state *v, arena *fr, doc *d, doc *right, int W,
                       int64_t now_ms, bool *two, int *pinned)
{
    time_t now_s = (time_t)(now_ms / 1000);
    *two = false;
    *pinned = 0;
    switch (v->kind) {
    case V_TASKS: {
        tasklist_opts o = {v->filter, now_s, a->pod_tz_offset, a->opts.lag_warn_s,
                           (tasklist_sort)v->sort, v->sort_desc, &a->hist, now_ms};
        empty_notice(a, d, tasklist_kept(a, d, &o, W), "migration tasks");
        *pinned = 1;
        break;
    }
    case V_TEMPLATES:
        empty_notice(a, d, templates_build(d, a->snap, v->filter, now_s, W), "migration templates");
        *pinned = 1;
        break;
    case V_DETAIL:
        *two = W >= RENDER_WIDE_COLS;
        build_detail(a, fr, d, *two ? right : NULL, *two ? (W - 3) / 2 : W, now_ms);
        break;
    case V_HELP: {
        int n;
        const help_entry *e = keys_help(&n);
        help_build(d, e, n, W);
        break;
    }
    case V_LOGS: {
        /* The header lines are pinned above the scrolling log. */
        doc head;
        doc_init(&head, fr);
        logs_view_build(a, &head, right, W, now_s);
        for (int i = 0; i < head.n; i++)
            *doc_add(d) = head.lines[i];
        *pinned = head.n;
        for (int i = 0; i < right->n; i++)
            *doc_add(d) = right->lines[i];
        right->n = 0;
        if (a->logs.follow && v->top == 0 && !v->moved)
            v->stick_bottom = true;
        break;
    }
    case V_WIZARD: /* the wizard draws its own page */
        break;
    case V_MESSAGES:
        build_messages(a, d, W);
        break;
    case V_YAML:
        task_view_yaml_build(a, v, d);
        break;
    }
}

/* Which lines can be selected, and the object each one shows, so keys
 * that arrive before the next frame act on what the user saw. */
static void note_selection(app *a, const doc *d)
{
    a->first_sel = a->last_sel = -1;
    for (int i = 0; i < d->n; i++)
        if (d->lines[i].selectable) {
            if (a->first_sel < 0)
                a->first_sel = i;
            a->last_sel = i;
        }
    free(a->sel_refs);
    a->sel_refs = NULL;
    a->sel_snap = a->snap;
    if (a->first_sel >= 0) {
        a->sel_refs = malloc(sizeof *a->sel_refs * (size_t)(a->last_sel - a->first_sel + 1));
        if (!a->sel_refs)
            abort();
        for (int i = a->first_sel; i <= a->last_sel; i++)
            a->sel_refs[i - a->first_sel] = d->lines[i].ref;
    }
}

static void draw_body(const view_state *v, const doc *d, const doc *right, bool two, int pinned,
                      int y, int body_h, int W)
{
    if (pinned && d->n)
        doc_draw(stdscr, d, y, 0, pinned, W, 0, -1);
    if (two) {
        int lw = (W - 3) / 2;
        doc_draw(stdscr, d, y, 0, body_h, lw, v->top, -1);
        for (int i = 0; i < body_h; i++)
            draw_text(stdscr, y + i, lw + 1, 1, P_BORDER, draw_utf8() ? "\xe2\x94\x82" : "|");
        doc_draw(stdscr, right, y, lw + 3, body_h, W - lw - 3, v->top, -1);
    } else {
        doc_draw(stdscr, d, y + pinned, 0, body_h - pinned, W, v->top + pinned, v->cursor);
    }
}

void render_frame(app *a)
{
    int W = COLS, H = LINES;
    erase();
    if (W < RENDER_MIN_COLS || H < RENDER_MIN_ROWS) {
        draw_too_small(W, H);
        refresh();
        return;
    }
    arena fr;
    arena_init(&fr);
    int64_t now_ms = fmt_now_ms();
    time_t now_s = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&now_s, &tm);
    char clock[32];
    strftime(clock, sizeof clock, "%H:%M:%S UTC ", &tm);
    view_state *v = app_view(a);
    bar_info b = {
        .view = view_title(a, &fr), .source = a->health.label, .clock = clock,
        .readonly = a->opts.readonly, .health = &a->health, .now_ms = now_ms,
        .message = now_ms < a->message_until_ms ? a->message : NULL,
        .message_is_error = a->message_is_error, .hints = view_hints(v),
    };
    if (a->input != IN_NONE) {
        b.prompt = a->input == IN_COMMAND ? ":" : "/";
        b.input = a->line;
        b.input_hint = a->line_hint;
    }
    bars_draw_top(stdscr, 0, W, &b);
    if (v->kind == V_TASKS && !a->opts.readonly) /* the write keys, hidden when read-only */
        b.hints = "Enter open  c create  x cutover  T terminate  ? help ";
    int y = 1 + bars_draw_banner(stdscr, 1, W, &b);
    int status_rows = bars_status_rows(W, &b);
    if (H - y - status_rows < 2) /* a tiny terminal: the body keeps 2 rows */
        status_rows = H - y - 2 > 1 ? H - y - 2 : 1;
    b.max_status_rows = status_rows;
    int body_h = H - status_rows - y;
    if (v->kind == V_WIZARD) {
        a->body_line0 = -1;
        wizard_view_draw(a, y, body_h, W);
    } else {
        doc d, right;
        doc_init(&d, &fr);
        doc_init(&right, &fr);
        bool two;
        int pinned;
        build_body(a, v, &fr, &d, &right, W, now_ms, &two, &pinned);
        resolve_cursor(a, v, &d, v->moved);
        v->moved = false;
        int lines = d.n > right.n ? d.n : right.n;
        a->doc_lines = lines;
        a->body_h = body_h - pinned;
        note_selection(a, &d);
        clamp_scroll(v, lines - pinned, body_h - pinned);
        draw_body(v, &d, &right, two, pinned, y, body_h, W);
        a->body_y = y + pinned;
        a->body_line0 = two ? -1 : v->top + pinned;
    }
    bars_draw_status(stdscr, H - 1, W, &b);
    refresh();
    arena_free(&fr);
}
