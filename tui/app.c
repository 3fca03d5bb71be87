#include "tui/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

view_state *app_view(app *a) { return &a->views[a->depth - 1]; }

void app_set_snapshot(app *a, mt_snapshot *s)
{
    mt_snapshot_free(a->snap);
    a->snap = s;
    a->snap_gen++; /* never equal to what a kept document was built with */
}

void app_free_kept(app *a)
{
    if (a->list.valid)
        arena_free(&a->list.mem);
    a->list.valid = false;
}

void app_push(app *a, view_kind k)
{
    if (a->depth == APP_MAX_VIEWS) /* drop the oldest: Esc still goes back */
        memmove(a->views, a->views + 1, sizeof a->views[0] * (APP_MAX_VIEWS - 1)), a->depth--;
    view_state *v = &a->views[a->depth++];
    memset(v, 0, sizeof *v);
    v->kind = k;
    v->cursor = -1;
    a->message_until_ms = 0; /* a message belongs to the view it was made in */
    a->dirty = a->relayout = true;
}

void app_pop(app *a)
{
    if (a->depth > 1)
        a->depth--;
    a->message_until_ms = 0;
    a->dirty = a->relayout = true;
}

void app_message(app *a, bool is_error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof a->message, fmt, ap);
    va_end(ap);
    a->message_is_error = is_error;
    int64_t now = fmt_now_ms();
    a->message_until_ms = now + (is_error ? 8000 : 4000);
    struct app_past_message *m = &a->past[a->past_next];
    m->at_ms = now;
    m->is_error = is_error;
    snprintf(m->text, sizeof m->text, "%s", a->message);
    a->past_next = (a->past_next + 1) % APP_PAST_MESSAGES;
    if (a->n_past < APP_PAST_MESSAGES)
        a->n_past++;
    a->dirty = true;
}

const struct app_past_message *app_past_message(const app *a, int i)
{
    if (i < 0 || i >= a->n_past)
        return NULL;
    return &a->past[(a->past_next - 1 - i + 2 * APP_PAST_MESSAGES) % APP_PAST_MESSAGES];
}

void app_open_task(app *a, const char *ns, const char *name)
{
    app_push(a, V_DETAIL);
    view_state *v = app_view(a);
    snprintf(v->sel_ns, sizeof v->sel_ns, "%s", ns ? ns : "");
    snprintf(v->sel_name, sizeof v->sel_name, "%s", name);
    mt_feed_set_focus(a->feed, v->sel_ns, v->sel_name);
}
