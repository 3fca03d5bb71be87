#include "tui/input.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "backends/backend_select.h"
#include "panes/tasklist.h"
#include "tui/complete.h"
#include "tui/keys.h"
#include "tui/logs_view.h"
#include "tui/task_view.h"
#include "tui/wizard_view.h"
#include "tui/theme_apply.h"

/* Says why a write action is refused in --readonly; true if refused. */
static bool refuse_readonly(app *a, const char *what)
{
    if (!a->opts.readonly)
        return false;
    app_message(a, true, "read-only mode (--readonly): %s is disabled; restart migtop "
                         "without --readonly to do it", what);
    return true;
}

static void leave_view(app *a)
{
    if (app_view(a)->kind == V_LOGS)
        logs_view_close(a);
    app_pop(a);
    view_state *v = app_view(a);
    /* The detail's task stays in focus only while its view is open. */
    if (v->kind == V_DETAIL)
        mt_feed_set_focus(a->feed, v->sel_ns, v->sel_name);
    else
        mt_feed_set_focus(a->feed, "", "");
}

/* Shift+letter on the task list, as k9s: sort by that column; the same
 * key again turns the order round. The selection stays on its task. */
static void sort_by(app *a, tasklist_sort by)
{
    view_state *v = app_view(a);
    v->sort_desc = v->sort == (int)by ? !v->sort_desc : false;
    v->sort = (int)by;
    static const char *const names[] = {"", "name", "status", "age", "lag"};
    app_message(a, false, "sorted by %s, %s", names[by], v->sort_desc ? "descending" : "ascending");
    a->dirty = true;
}

/* Switches to a top-level view, replacing the stack above the root. */
static void goto_view(app *a, view_kind k)
{
    while (a->depth > 1)
        leave_view(a);
    mt_feed_set_focus(a->feed, "", "");
    if (app_view(a)->kind != k)
        app_push(a, k);
}

/* `:ctx NAME` and `:ns NAME|all`, k9s-like: the kube backend is reopened
 * on the new context or namespace with a new feed; the old data goes (it
 * belongs to another cluster or namespace) and the list starts over. On
 * failure nothing changes. */
static void switch_target(app *a, bool context, const char *arg)
{
    if (!arg[0]) {
        app_message(a, false, "watching %s; :%s NAME to switch%s", a->health.label,
                    context ? "ctx" : "ns", context ? "" : " (:ns all for every namespace)");
        return;
    }
    if (!a->backend) {
        app_message(a, true, "watching a file: there is no %s to switch",
                    context ? "context" : "namespace");
        return;
    }
    goto_view(a, V_TASKS); /* closes the logs view, which uses the backend */
    char err[512];
    if (!backend_switch(a->backend, context ? arg : NULL, context ? NULL : arg, &a->feed, err,
                        sizeof err)) {
        app_message(a, true, "%s", err);
        return;
    }
    app_set_snapshot(a, mt_feed_take(a->feed, &a->health)); /* NULL until the first LIST */
    view_state *v = app_view(a);
    v->cursor = -1;
    v->top = 0;
    v->sel_name[0] = v->sel_ns[0] = '\0';
    app_message(a, false, "now watching %s", a->health.label);
}

void input_command(app *a, const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    char cmd[256] = "", arg[256] = "";
    sscanf(line, "%255s %255[^\n]", cmd, arg);
    for (size_t n = strlen(arg); n && isspace((unsigned char)arg[n - 1]); n--)
        arg[n - 1] = '\0'; /* "theme mono " as Tab completes it */
    if (!strcmp(cmd, "q") || !strcmp(cmd, "quit") || !strcmp(cmd, "q!"))
        a->quit = true;
    else if (!strcmp(cmd, "tasks") || !strcmp(cmd, "mt") || !strcmp(cmd, "task"))
        goto_view(a, V_TASKS);
    else if (!strcmp(cmd, "templates") || !strcmp(cmd, "mtp") || !strcmp(cmd, "template"))
        goto_view(a, V_TEMPLATES);
    else if (!strcmp(cmd, "help") || !strcmp(cmd, "h"))
        app_push(a, V_HELP);
    else if (!strcmp(cmd, "messages") || !strcmp(cmd, "msg"))
        app_push(a, V_MESSAGES);
    else if (!strcmp(cmd, "theme")) {
        char err[512];
        if (!arg[0])
            app_message(a, false, "theme: %s (themes: default, light, high-contrast, mono)",
                        a->theme_name);
        else if (!theme_apply(a, arg, false, err, sizeof err))
            app_message(a, true, "%s; theme stays %s", err, a->theme_name);
        else
            app_message(a, false, "theme %s", a->theme_name);
    } else if (!strcmp(cmd, "ctx") || !strcmp(cmd, "context") || !strcmp(cmd, "ns") ||
               !strcmp(cmd, "namespace"))
        switch_target(a, cmd[0] == 'c', arg);
    else if (!cmd[0])
        return;
    else
        app_message(a, true, "unknown command \":%s\" (press ? for the commands)", cmd);
}

static void move_cursor(app *a, int delta)
{
    view_state *v = app_view(a);
    if (a->first_sel < 0) { /* a document without rows: scroll it */
        v->top += delta;
        if (v->top < 0)
            v->top = 0;
        if (v->top > a->doc_lines - a->body_h)
            v->top = a->doc_lines - a->body_h > 0 ? a->doc_lines - a->body_h : 0;
        v->stick_bottom = delta > 0 && v->top >= a->doc_lines - a->body_h;
    } else {
        int c = (v->cursor < 0 ? a->first_sel : v->cursor) + delta;
        if (c < a->first_sel)
            c = a->first_sel;
        if (c > a->last_sel)
            c = a->last_sel;
        v->cursor = c;
        v->moved = true;
        /* Update the selected object now: Enter may follow in the same
         * batch of keys, before the next frame. */
        if (a->sel_refs && a->sel_snap == a->snap && a->snap) {
            int ref = a->sel_refs[c - a->first_sel];
            const mt_meta *m = v->kind == V_TASKS ? &a->snap->tasks[ref].meta
                                                  : &a->snap->templates[ref].meta;
            snprintf(v->sel_name, sizeof v->sel_name, "%s", m->name);
            snprintf(v->sel_ns, sizeof v->sel_ns, "%s", m->namespace_);
        }
    }
    a->dirty = true;
}

static void enter(app *a)
{
    view_state *v = app_view(a);
    if (v->kind == V_TASKS && v->cursor >= 0 && v->sel_name[0])
        app_open_task(a, v->sel_ns, v->sel_name);
}

static void open_logs(app *a)
{
    view_state *v = app_view(a);
    if ((v->kind == V_TASKS && v->cursor >= 0 && v->sel_name[0]) || v->kind == V_DETAIL)
        logs_view_open(a, v->sel_ns, v->sel_name);
}

static void back(app *a)
{
    view_state *v = app_view(a);
    if (v->filter[0]) {
        v->filter[0] = '\0';
        a->dirty = true;
    } else if (a->depth > 1) {
        leave_view(a);
    }
}

static void do_action(app *a, key_action k)
{
    int page = a->body_h > 1 ? a->body_h - 1 : 1;
    switch (k) {
    case K_DOWN: move_cursor(a, 1); break;
    case K_UP: move_cursor(a, -1); break;
    case K_PGDN: move_cursor(a, page); break;
    case K_PGUP: move_cursor(a, -page); break;
    case K_TOP: move_cursor(a, -1000000); break;
    case K_BOTTOM: move_cursor(a, 1000000); break;
    case K_ENTER: enter(a); break;
    case K_LOGS: open_logs(a); break;
    case K_BACK: back(a); break;
    case K_HELP:
        if (app_view(a)->kind != V_HELP)
            app_push(a, V_HELP);
        break;
    case K_COMMAND:
    case K_FILTER: {
        view_state *v = app_view(a);
        if (k == K_FILTER && v->kind != V_TASKS && v->kind != V_TEMPLATES && v->kind != V_LOGS) {
            app_message(a, true, "/ filters the task and template lists and searches logs");
            break;
        }
        a->input = k == K_COMMAND ? IN_COMMAND : v->kind == V_LOGS ? IN_SEARCH : IN_FILTER;
        snprintf(a->line, sizeof a->line, "%s",
                 a->input == IN_FILTER ? v->filter : ""); /* a search starts empty */
        a->line_len = strlen(a->line);
        a->line_hint[0] = '\0';
        snprintf(a->filter_before, sizeof a->filter_before, "%s", v->filter);
        a->dirty = true;
        break;
    }
    case K_QUIT:
        if (app_view(a)->kind == V_HELP)
            leave_view(a);
        else
            a->quit = true;
        break;
    case K_REFRESH:
        mt_feed_ask_refresh(a->feed);
        clearok(curscr, TRUE);
        a->dirty = true;
        break;
    case K_CREATE:
        if (!refuse_readonly(a, "creating a task (c)"))
            wizard_view_open(a, wiz_create_new(wizard_view_host(a)));
        break;
    case K_CUTOVER: {
        view_state *v = app_view(a);
        if (!refuse_readonly(a, "the cutover (x)") && v->sel_name[0])
            wizard_view_open(a, wiz_cutover_new(wizard_view_host(a), v->sel_ns, v->sel_name));
        break;
    }
    case K_TERMINATE: {
        view_state *v = app_view(a);
        if (!refuse_readonly(a, "terminating a task (T)") && v->sel_name[0])
            wizard_view_open(a, wiz_terminate_new(wizard_view_host(a), v->sel_ns, v->sel_name));
        break;
    }
    case K_YAML: task_view_yaml(a); break;
    case K_COPY: task_view_copy(a); break;
    case K_SORT_NAME: sort_by(a, TS_NAME); break;
    case K_SORT_STATUS: sort_by(a, TS_STATUS); break;
    case K_SORT_AGE: sort_by(a, TS_AGE); break;
    case K_SORT_LAG: sort_by(a, TS_LAG); break;
    case K_TASKS: goto_view(a, V_TASKS); break;
    case K_TEMPLATES: goto_view(a, V_TEMPLATES); break;
    case K_NONE: break;
    default:
        if (app_view(a)->kind == V_LOGS)
            logs_view_action(a, k);
        break;
    }
}

/* `:ns` completes from the namespaces of the tasks seen (the API is not
 * asked: a Tab never waits), and `all`. */
static const char *const *namespaces_seen(const app *a, arena *ar)
{
    size_t n = a->snap ? a->snap->n_tasks : 0, k = 0;
    const char **out = arena_alloc(ar, sizeof *out * (n + 2));
    out[k++] = "all";
    for (size_t i = 0; i < n; i++) {
        const char *ns = a->snap->tasks[i].meta.namespace_;
        bool have = !ns || !*ns;
        for (size_t j = 0; j < k && !have; j++)
            have = !strcmp(out[j], ns);
        if (!have)
            out[k++] = ns;
    }
    out[k] = NULL;
    return out;
}

/* The `:` and `/` line editor. The filter applies as it is typed. */
static void edit_line(app *a, int ch)
{
    if (ch != '\t')
        a->line_hint[0] = '\0'; /* Tab's choices last until the next key */
    view_state *v = app_view(a);
    if (ch == 27) { /* Esc: cancel */
        if (a->input == IN_FILTER)
            snprintf(v->filter, sizeof v->filter, "%s", a->filter_before);
        a->input = IN_NONE;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        input_mode m = a->input;
        a->input = IN_NONE;
        if (m == IN_COMMAND)
            input_command(a, a->line);
        if (m == IN_SEARCH) {
            snprintf(a->logs.search, sizeof a->logs.search, "%s", a->line);
            a->logs.match = -1;
            a->logs.tell_matches = a->line[0] != '\0';
            a->relayout = true; /* n needs the matches of a fresh frame */
        }
    } else if (ch == '\t' && a->input == IN_COMMAND) {
        char choices[256];
        arena ar;
        arena_init(&ar);
        complete_words w = {backend_contexts(a->backend), namespaces_seen(a, &ar)};
        int n = complete_command(a->line, sizeof a->line, &w, choices, sizeof choices);
        arena_free(&ar);
        a->line_len = strlen(a->line);
        snprintf(a->line_hint, sizeof a->line_hint, "%s", n > 1 ? choices
                                                          : n ? ""
                                                              : "(nothing to complete)");
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (a->line_len) {
            /* Remove a whole UTF-8 character. */
            do
                a->line_len--;
            while (a->line_len && ((unsigned char)a->line[a->line_len] & 0xC0) == 0x80);
            a->line[a->line_len] = '\0';
        } else {
            a->input = IN_NONE;
        }
    } else if (ch == 21) { /* Ctrl-U */
        a->line_len = 0;
        a->line[0] = '\0';
    } else if (ch >= 32 && ch < 256 && ch != 127 && a->line_len + 1 < sizeof a->line) {
        a->line[a->line_len++] = (char)ch;
        a->line[a->line_len] = '\0';
    }
    if (a->input == IN_FILTER)
        snprintf(v->filter, sizeof v->filter, "%s", a->line);
    a->dirty = true;
}

/* The wheel scrolls (3 rows a notch, as terminals do); a press on a row
 * of a list selects it, a press on the selected row opens it, as Enter. */
static void mouse_event(app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    int notch = ev.bstate & BUTTON4_PRESSED ? -3 : ev.bstate & BUTTON5_PRESSED ? 3 : 0;
    if (app_view(a)->kind == V_WIZARD)
        return; /* a wizard's keys move between its fields: nothing to do by chance */
    if (notch) {
        move_cursor(a, notch);
        return;
    }
    if (!(ev.bstate & BUTTON1_PRESSED) || a->body_line0 < 0 || a->first_sel < 0 ||
        a->input != IN_NONE || ev.y < a->body_y || ev.y >= a->body_y + a->body_h)
        return;
    int line = a->body_line0 + (ev.y - a->body_y);
    if (line < a->first_sel || line > a->last_sel)
        return;
    view_state *v = app_view(a);
    if (line == v->cursor) {
        enter(a);
        return;
    }
    move_cursor(a, line - (v->cursor < 0 ? a->first_sel : v->cursor));
}

void input_key(app *a, int ch)
{
    if (ch == KEY_RESIZE) {
        a->dirty = true;
        return;
    }
    if (ch == KEY_MOUSE) {
        mouse_event(a);
        return;
    }
    if (a->input != IN_NONE) {
        edit_line(a, ch);
        return;
    }
    if (app_view(a)->kind == V_WIZARD) { /* the wizard's fields take every key */
        wizard_view_key(a, ch);
        return;
    }
    do_action(a, keys_lookup(ch, (int)app_view(a)->kind));
}
