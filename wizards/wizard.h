/* The wizards' frame: a wizard is a list of steps, each with a form
 * and/or a text (panes/wizard.h draws it). Enter asks the wizard to leave
 * the step (it may refuse, saying why, or start a check and move on when
 * it passes); Esc goes back a step with everything typed kept (at the
 * first step it closes the wizard); PgUp/PgDn scroll a step's text; other
 * keys go to the step's form. The dashboard (tui/wizard_view.c) shows one
 * wizard at a time as a view of its own, hands it what it may see of the
 * dashboard (wiz_host), and lets its background jobs wake its poll loop;
 * a wizard never reaches into the dashboard itself. */
#ifndef MIGTOP_WIZARDS_WIZARD_H
#define MIGTOP_WIZARDS_WIZARD_H

#include "model/backend.h"
#include "panes/wizard.h"
#include "wizards/form.h"
#include "wizards/job.h"

/* What a wizard sees of the dashboard it runs in, refreshed before every
 * call, and the message it leaves for the dashboard's status line. */
typedef struct wiz_host {
    mt_backend *backend;     /* NULL: watching a saved snapshot */
    const mt_snapshot *snap; /* the latest data; NULL before the first */
    bool readonly;           /* --readonly */
    int lag_warn_s;          /* --lag-threshold */
    /* Out: a message for the status line (taken and cleared by the
     * dashboard after the call). */
    char message[512];
    bool message_is_error, has_message;
} wiz_host;

/* Leaves a message for the dashboard's status line. */
void wiz_say(wiz_host *h, bool is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define WIZ_MAX_STEPS 12

typedef struct wiz wiz;

typedef struct wiz_ops {
    const char *title;
    /* A key before the frame's own handling (true: taken). May be NULL. */
    bool (*key)(wiz *w, wiz_host *h, int ch);
    /* Enter on the current step: true to move to the next one. */
    bool (*leave)(wiz *w, wiz_host *h);
    /* The step became current (forward or back). May be NULL. */
    void (*arrive)(wiz *w, wiz_host *h);
    /* Enter on the last step when leave() agreed. */
    void (*finish)(wiz *w, wiz_host *h);
    /* Fills the page's form/text/status for the current step. */
    void (*build)(wiz *w, wiz_host *h, wizard_view *v, doc *text, int width);
    /* The background job ended; arg is its argument, results filled in
     * (freed after this returns). May be NULL. */
    void (*job_news)(wiz *w, wiz_host *h, void *arg);
    /* Frees the wizard's own state (wipes passwords). */
    void (*free)(wiz *w);
    /* The wizard's own keys for `?` (and F1), "KEY\tWHAT" lines, NULL
     * ended; the frame adds its own (Enter, Esc, PgUp/PgDn...). */
    const char *const *keys;
} wiz_ops;

struct wiz {
    const wiz_ops *ops;
    const char *steps[WIZ_MAX_STEPS];
    int n_steps, step;
    form *forms[WIZ_MAX_STEPS]; /* the form of each step, or NULL */
    int text_top, text_rows;    /* scroll of the step's text; rows shown */
    char status[1024];
    pane_role status_role;
    /* A question waiting for its answer: shown instead of the status until
     * the wizard takes the answer (wiz_ask_done), whatever runs meanwhile. */
    char prompt[1024];
    wiz_job *job;               /* at most one job runs at a time */
    char job_label[128];        /* "testing the source connection" */
    int64_t job_started_ms;
    bool job_firm;              /* the job cannot be cancelled (a create under way) */
    bool job_quiet;             /* a background reading: shown nowhere, blocks no key */
    bool close;                 /* set by a wizard to close itself */
    char then_ns[FORM_VALUE_MAX], then_task[FORM_VALUE_MAX]; /* when closing: open this task's detail */
    /* The task the wizard is about ("" none): the dashboard keeps the
     * feed's focus on it, so a backend fetches its details (a Kubernetes
     * task's steps come from its jobs and pods, read for the focus only). */
    char about_ns[FORM_VALUE_MAX], about_task[FORM_VALUE_MAX];
    bool then_list;             /* when closing: back to the task list (the task is gone) */
    bool show_keys;             /* `?`: the keys page instead of the step, until a key */
    int keys_saved_top;         /* the step's scroll, given back when the page closes */
    void *self;                 /* the wizard's own state */
};

/* The frame, driven by the dashboard. wiz_start shows the first step;
 * after wiz_key or wiz_drain, w->close says the wizard is done (then
 * w->then_* say where the dashboard goes next) and wiz_free lets it go:
 * its job is cancelled, its passwords wiped. */
void wiz_start(wiz *w, wiz_host *h);
void wiz_key(wiz *w, wiz_host *h, int ch);
/* Draws the page in the body rectangle. */
void wiz_draw(wiz *w, wiz_host *h, int y, int height, int width);
/* For the poll loop: the job's fd (-1 none), and its news read. */
int wiz_fd(const wiz *w);
void wiz_drain(wiz *w, wiz_host *h);
void wiz_free(wiz *w);

/* The wizards (wizards/create.c, cutover.c, terminate.c): NULL, with
 * the reason left in h->message, when the wizard cannot open. */
wiz *wiz_create_new(wiz_host *h);
wiz *wiz_terminate_new(wiz_host *h, const char *ns, const char *name);
wiz *wiz_cutover_new(wiz_host *h, const char *ns, const char *name);

/* For wizards: status lines and the one job. */
void wiz_status(wiz *w, pane_role r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A question: on screen until answered. The wizard's key hook sees the
 * answer (w->prompt[0] set) and calls wiz_ask_done. */
void wiz_ask(wiz *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wiz_ask_done(wiz *w);
bool wiz_busy(const wiz *w);
void wiz_run(wiz *w, const char *label, wiz_job_fn fn, void *arg, void (*arg_free)(void *));
/* The same for a background reading (job_quiet): shown nowhere, blocks no
 * key, and leaves the status line's message alone. */
void wiz_run_quiet(wiz *w, const char *label, wiz_job_fn fn, void *arg,
                   void (*arg_free)(void *));
/* Moves to step i (calls arrive). */
void wiz_goto(wiz *w, wiz_host *h, int i);

#endif
