/* The dashboard's side of the wizards (wizards/): one open at a time, as
 * the V_WIZARD view. Before every call into the wizard its host is
 * refreshed from the dashboard (backend, latest snapshot, options); after
 * it, the message it left goes to the status line, and when it is done the
 * view closes and the dashboard goes where the wizard said (a task's
 * detail, or back to the list when the task is gone). */
#ifndef MIGTOP_TUI_WIZARD_VIEW_H
#define MIGTOP_TUI_WIZARD_VIEW_H

#include "tui/app.h"

/* The host to hand a wizard's constructor, refreshed. */
wiz_host *wizard_view_host(app *a);
/* Shows w (replacing any open wizard); NULL: the constructor refused, its
 * reason goes to the status line. */
void wizard_view_open(app *a, wiz *w);
/* Closes the open wizard, if any: cancels its job, frees it, pops the view. */
void wizard_view_close(app *a);
void wizard_view_key(app *a, int ch);
void wizard_view_draw(app *a, int y, int h, int w);
/* For the poll loop: the job's fd (-1 none) and its news. */
int wizard_view_fd(const app *a);
void wizard_view_drain(app *a);

#endif
