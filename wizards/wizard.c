#include "wizards/wizard.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_enter(int ch) { return ch == '\n' || ch == '\r' || ch == KEY_ENTER; }

void wiz_status(wiz *w, pane_role r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->status, sizeof w->status, fmt, ap);
    va_end(ap);
    w->status_role = r;
}

void wiz_say(wiz_host *h, bool is_error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->message, sizeof h->message, fmt, ap);
    va_end(ap);
    h->message_is_error = is_error;
    h->has_message = true;
}

void wiz_ask(wiz *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->prompt, sizeof w->prompt, fmt, ap);
    va_end(ap);
}

void wiz_ask_done(wiz *w) { w->prompt[0] = '\0'; }

bool wiz_busy(const wiz *w) { return w->job != NULL; }

static void run(wiz *w, const char *label, wiz_job_fn fn, void *arg, void (*arg_free)(void *),
                bool quiet)
{
    wiz_job_release(w->job);
    w->job = wiz_job_start(fn, arg, arg_free);
    snprintf(w->job_label, sizeof w->job_label, "%s", label);
    w->job_firm = false;
    w->job_quiet = quiet;
    w->job_started_ms = fmt_mono_ms();
    if (!w->job)
        wiz_status(w, P_ERROR, "cannot start a thread for %s", label);
    else if (!quiet)
        wiz_status(w, P_DIM, "%s...", label);
}

void wiz_run(wiz *w, const char *label, wiz_job_fn fn, void *arg, void (*arg_free)(void *))
{
    run(w, label, fn, arg, arg_free, false);
}

/* A background reading never touches the message on screen: one every
 * second would wipe a refusal's reason before it could be read. */
void wiz_run_quiet(wiz *w, const char *label, wiz_job_fn fn, void *arg,
                   void (*arg_free)(void *))
{
    run(w, label, fn, arg, arg_free, true);
}

void wiz_goto(wiz *w, wiz_host *h, int i)
{
    if (i < 0 || i >= w->n_steps)
        return;
    w->step = i;
    w->text_top = 0;
    if (w->ops->arrive)
        w->ops->arrive(w, h);
}

void wiz_start(wiz *w, wiz_host *h)
{
    w->step = 0;
    if (w->ops->arrive)
        w->ops->arrive(w, h);
}

void wiz_free(wiz *w)
{
    if (!w)
        return;
    wiz_job_release(w->job);
    w->job = NULL;
    w->ops->free(w);
}

static form *cur_form(wiz *w) { return w->forms[w->step]; }

/* Whether the focused checklist wants Enter/Esc itself (its filter). */
static bool list_takes(form *f, int ch)
{
    if (!f || !f->n)
        return false;
    form_field *fl = &f->fields[f->focus];
    return fl->kind == F_CHECKLIST && (fl->filtering || (ch == 27 && fl->filter[0]));
}

static void scroll_text(wiz *w, int delta)
{
    w->text_top += delta;
    if (w->text_top < 0)
        w->text_top = 0;
}

static void next(wiz *w, wiz_host *h)
{
    if (wiz_busy(w) && !w->job_quiet) {
        wiz_status(w, P_WARN, "still %s (Esc cancels it)", w->job_label);
        return;
    }
    form *f = cur_form(w);
    if (f && !form_check(f)) {
        wiz_status(w, P_ERROR, "fix the field marked %s first",
                   draw_utf8() ? "\xe2\x9c\x97" : "!");
        return;
    }
    if (!w->ops->leave(w, h))
        return;
    if (w->step + 1 < w->n_steps) {
        w->status[0] = '\0';
        wiz_goto(w, h, w->step + 1);
    } else if (w->ops->finish) {
        w->ops->finish(w, h);
    }
}

/* Whether a key now goes into text being typed (a field, a filter), where
 * `?` is a character and not a question. */
static bool typing(form *f)
{
    if (!f || !f->n)
        return false;
    const form_field *fl = &f->fields[f->focus];
    return fl->kind == F_TEXT || fl->kind == F_PASSWORD || (fl->kind == F_CHECKLIST &&
                                                            fl->filtering);
}

static const char *const frame_keys[] = {
    "Enter\tnext step (a step that does not pass says why)",
    "Esc\tback a step, everything typed kept (at the first step: close); cancels a "
    "running check",
    "Tab, Shift-Tab\tnext / previous field",
    "PgUp, PgDn, j, k\tscroll the step's text",
    "? or F1\tthis page (PgDn, PgUp, j, k scroll it; any other key closes it)",
    NULL};

static void keys_page(const wiz *w, doc *d, int width)
{
    doc_text(d, P_TITLE, "Keys of this wizard");
    doc_blank(d);
    for (int part = 0; part < 2; part++) { /* the wizard's own first: they matter most */
        const char *const *k = part ? frame_keys : w->ops->keys;
        for (; k && *k; k++) {
            const char *tab = strchr(*k, '\t');
            /* The doc keeps the lead as given: one copy per line, in its arena. */
            const char *key = arena_printf(d->a, "  %-16.*s ", tab ? (int)(tab - *k) : 0, *k);
            doc_wrap(d, P_NORMAL, key, tab ? tab + 1 : *k, width);
        }
        if (!part && w->ops->keys)
            doc_blank(d);
    }
}

void wiz_key(wiz *w, wiz_host *h, int ch)
{
    form *f = cur_form(w);
    if (w->show_keys) { /* it scrolls; any other key closes it, and only that */
        int page = w->text_rows > 1 ? w->text_rows - 1 : 1;
        if (ch == KEY_NPAGE || ch == KEY_PPAGE || ch == KEY_DOWN || ch == KEY_UP || ch == 'j' ||
            ch == 'k') {
            scroll_text(w, ch == KEY_NPAGE ? page : ch == KEY_PPAGE ? -page
                           : ch == KEY_DOWN || ch == 'j' ? 1 : -1);
            return;
        }
        w->show_keys = false;
        w->text_top = w->keys_saved_top;
        return;
    }
    if (ch == KEY_F(1) || (ch == '?' && !w->prompt[0] && !typing(f))) {
        w->show_keys = true;
        w->keys_saved_top = w->text_top;
        w->text_top = 0;
        return;
    }
    bool form_list = f && f->n && f->fields[f->focus].kind == F_CHECKLIST;
    if (ch == 27 && wiz_busy(w) && w->job_firm) {
        wiz_status(w, P_WARN, "%s is under way and cannot be cancelled", w->job_label);
    } else if (ch == 27 && wiz_busy(w) && !w->job_quiet) {
        wiz_job_release(w->job);
        w->job = NULL;
        wiz_status(w, P_WARN, "cancelled %s", w->job_label);
    } else if (w->ops->key && w->ops->key(w, h, ch)) {
        /* the wizard's own key */
    } else if ((is_enter(ch) || ch == 27) && list_takes(f, ch)) {
        form_key(f, ch);
    } else if (is_enter(ch)) {
        next(w, h);
    } else if (ch == 27) {
        if (w->step > 0) {
            w->status[0] = '\0';
            wiz_goto(w, h, w->step - 1);
        } else {
            w->close = true;
        }
    } else if ((ch == KEY_NPAGE || ch == KEY_PPAGE) && !form_list) {
        int page = w->text_rows > 1 ? w->text_rows - 1 : 1;
        scroll_text(w, ch == KEY_NPAGE ? page : -page);
    } else if (f && form_key(f, ch)) {
        /* edited */
    } else if (ch == KEY_DOWN || ch == 'j') {
        scroll_text(w, 1);
    } else if (ch == KEY_UP || ch == 'k') {
        scroll_text(w, -1);
    }
}

void wiz_draw(wiz *w, wiz_host *h, int y, int height, int width)
{
    arena fr;
    arena_init(&fr);
    doc text;
    doc_init(&text, &fr);
    wizard_view v = {.title = w->ops->title, .steps = w->steps, .n_steps = w->n_steps,
                     .step = w->step, .form = cur_form(w)};
    w->ops->build(w, h, &v, &text, width - 2); /* the page has a margin of 1 */
    if (w->show_keys) {
        doc_init(&text, &fr);
        keys_page(w, &text, width - 2);
        v.form = NULL;
        v.status = "the keys: PgDn/PgUp scroll, any other key returns to the step";
        v.status_role = P_DIM;
    }
    if (text.n) {
        int last = text.n - (w->text_rows > 0 ? w->text_rows : 1);
        if (w->text_top > last)
            w->text_top = last > 0 ? last : 0;
        v.text = &text;
        v.text_top = w->text_top;
    }
    if (!v.status && w->status[0]) {
        v.status = w->status;
        v.status_role = w->status_role;
    }
    char busy[700];
    if (w->prompt[0]) {
        v.status = w->prompt;
        v.status_role = P_WARN;
    } else if (wiz_busy(w) && !w->job_quiet) {
        char prog[256];
        wiz_job_progress_get(w->job, prog, sizeof prog);
        char secs[32];
        fmt_duration_ms(fmt_mono_ms() - w->job_started_ms, secs, sizeof secs);
        snprintf(busy, sizeof busy, "%s... %s (%s%s)", w->job_label, prog, secs,
                 w->job_firm ? "" : "; Esc cancels");
        v.status = busy;
        v.status_role = P_DIM;
    }
    w->text_rows = wizard_draw(stdscr, y, 1, height, width - 2, &v);
    arena_free(&fr);
}

int wiz_fd(const wiz *w) { return w && w->job ? wiz_job_fd(w->job) : -1; }

void wiz_drain(wiz *w, wiz_host *h)
{
    if (!w || !w->job)
        return;
    wiz_job *j = w->job;
    if (!wiz_job_poll(j))
        return;
    /* The job ended: the wizard reads its results (and may start the
     * next job), then this one is let go. */
    w->job = NULL;
    /* "validating samples..." said while the job ran is not true any more. */
    char running[sizeof w->job_label + 4];
    snprintf(running, sizeof running, "%s...", w->job_label);
    if (!strcmp(w->status, running))
        w->status[0] = '\0';
    if (w->ops->job_news)
        w->ops->job_news(w, h, wiz_job_arg(j));
    wiz_job_release(j);
}
