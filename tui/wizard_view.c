#include "tui/wizard_view.h"

#include <stdio.h>
#include <string.h>

wiz_host *wizard_view_host(app *a)
{
    wiz_host *h = &a->wiz_host;
    h->backend = a->backend;
    h->snap = a->snap;
    h->readonly = a->opts.readonly;
    h->lag_warn_s = a->opts.lag_warn_s;
    return h;
}

/* After a call into the wizard: its message to the status line, and the
 * view closed when it is done. */
static void after_call(app *a)
{
    wiz_host *h = &a->wiz_host;
    /* Closed first: a closing wizard's message is for the view it
     * returns to (a view change clears the message on screen). */
    if (a->wiz && a->wiz->close)
        wizard_view_close(a);
    if (h->has_message) {
        app_message(a, h->message_is_error, "%s", h->message);
        h->has_message = false;
    }
    a->dirty = true;
}

void wizard_view_open(app *a, wiz *w)
{
    if (!w) {
        after_call(a);
        return;
    }
    wizard_view_close(a);
    a->wiz = w;
    app_push(a, V_WIZARD);
    if (a->feed && w->about_task[0])
        mt_feed_set_focus(a->feed, w->about_ns, w->about_task);
    wiz_start(w, wizard_view_host(a));
    after_call(a);
}

void wizard_view_close(app *a)
{
    wiz *w = a->wiz;
    if (!w)
        return;
    a->wiz = NULL;
    char ns[FORM_VALUE_MAX], task[FORM_VALUE_MAX];
    snprintf(ns, sizeof ns, "%s", w->then_ns);
    snprintf(task, sizeof task, "%s", w->then_task);
    bool to_list = w->then_list;
    wiz_free(w);
    if (app_view(a)->kind == V_WIZARD)
        app_pop(a);
    if (to_list) { /* wizards open from the list or a detail only */
        while (a->depth > 1)
            app_pop(a);
        if (a->feed)
            mt_feed_set_focus(a->feed, "", "");
    }
    if (task[0])
        app_open_task(a, ns[0] ? ns : NULL, task);
    a->dirty = true;
}

void wizard_view_key(app *a, int ch)
{
    if (!a->wiz)
        return;
    wiz_key(a->wiz, wizard_view_host(a), ch);
    after_call(a);
}

void wizard_view_draw(app *a, int y, int h, int w)
{
    if (!a->wiz)
        return;
    wiz_draw(a->wiz, wizard_view_host(a), y, h, w);
    /* A message left while building the page shows on the next frame. */
    wiz_host *host = &a->wiz_host;
    if (host->has_message) {
        app_message(a, host->message_is_error, "%s", host->message);
        host->has_message = false;
    }
}

int wizard_view_fd(const app *a) { return wiz_fd(a->wiz); }

void wizard_view_drain(app *a)
{
    if (!a->wiz)
        return;
    wiz_drain(a->wiz, wizard_view_host(a));
    after_call(a);
}
