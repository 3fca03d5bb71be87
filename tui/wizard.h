/* The wizards' frame: a wizard is a list of steps, each with a form
 * and/or a text (panes/wizard.h draws it). Enter asks the wizard to leave
 * the step (it may refuse, saying why, or start a check and move on when
 * it passes); Esc goes back a step with everything typed kept (at the
 * first step it closes the wizard); PgUp/PgDn scroll a step's text; other
 * keys go to the step's form. One wizard is open at a time, shown as the
 * V_WIZARD view; its background jobs wake the dashboard's poll loop. */
#ifndef MIGTOP_TUI_WIZARD_H
#define MIGTOP_TUI_WIZARD_H

#include "panes/wizard.h"
#include "tui/app.h"
#include "tui/form.h"
#include "tui/wiz_job.h"

#define WIZ_MAX_STEPS 12

typedef struct wiz wiz;

typedef struct wiz_ops {
    const char *title;
    /* A key before the frame's own handling (true: taken). May be NULL. */
    bool (*key)(wiz *w, app *a, int ch);
    /* Enter on the current step: true to move to the next one. */
    bool (*leave)(wiz *w, app *a);
    /* The step became current (forward or back). May be NULL. */
    void (*arrive)(wiz *w, app *a);
    /* Enter on the last step when leave() agreed. */
    void (*finish)(wiz *w, app *a);
    /* Fills the page's form/text/status for the current step. */
    void (*build)(wiz *w, app *a, wizard_view *v, doc *text, int width);
    /* The background job ended; arg is its argument, results filled in
     * (freed after this returns). May be NULL. */
    void (*job_news)(wiz *w, app *a, void *arg);
    /* Frees the wizard's own state (wipes passwords). */
    void (*free)(wiz *w);
} wiz_ops;

struct wiz {
    const wiz_ops *ops;
    const char *steps[WIZ_MAX_STEPS];
    int n_steps, step;
    form *forms[WIZ_MAX_STEPS]; /* the form of each step, or NULL */
    int text_top, text_rows;    /* scroll of the step's text; rows shown */
    char status[1024];
    pane_role status_role;
    wiz_job *job;               /* at most one job runs at a time */
    char job_label[128];        /* "testing the source connection" */
    int64_t job_started_ms;
    bool job_firm;              /* the job cannot be cancelled (a create under way) */
    bool job_quiet;             /* a background reading: shown nowhere, blocks no key */
    bool close;                 /* set by a wizard to close itself */
    char then_ns[FORM_VALUE_MAX], then_task[FORM_VALUE_MAX]; /* when closing: open this task's detail */
    bool then_list;             /* when closing: back to the task list (the task is gone) */
    void *self;                 /* the wizard's own state */
};

/* Opens w as the V_WIZARD view (replacing any open wizard). */
void wiz_open(app *a, wiz *w);
/* Closes the open wizard, if any: cancels its job, frees it, pops the view. */
void wiz_close(app *a);
void wiz_key(app *a, int ch);
/* Draws the page in the body rectangle. */
void wiz_draw(app *a, int y, int h, int w);
/* For the poll loop: the job's fd (-1 none) and its news. */
int wiz_fd(const app *a);
void wiz_drain(app *a);

/* The wizards (tui/wiz_create.c, tui/wiz_terminate.c). */
void wiz_create_open(app *a);
void wiz_terminate_open(app *a, const char *ns, const char *name);
void wiz_cutover_open(app *a, const char *ns, const char *name);

/* For wizards: status lines and the one job. */
void wiz_status(wiz *w, pane_role r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool wiz_busy(const wiz *w);
void wiz_run(wiz *w, const char *label, wiz_job_fn fn, void *arg, void (*arg_free)(void *));
/* Moves to step i (calls arrive). */
void wiz_goto(wiz *w, app *a, int i);
/* Says why a write action is refused in --readonly; true if refused. */
bool wiz_refuse_readonly(app *a, const char *what);

#endif
