/* Driving the logs view: which step is shown, the toggles, the search. */
#ifndef MIGTOP_LOGS_VIEW_H
#define MIGTOP_LOGS_VIEW_H

#include "model/arena.h"
#include "panes/doc.h"
#include "tui/app.h"
#include "tui/keys.h"

/* Opens the logs of a task (ns "" = any) at the step that matters now. */
void logs_view_open(app *a, const char *ns, const char *name);
void logs_view_close(app *a);
/* Handles a logs-view key; false if the key is not the view's. */
bool logs_view_action(app *a, key_action k);
/* Builds the header and the body for one frame. */
void logs_view_build(app *a, doc *head, doc *body, int width, mt_time now);
int logs_view_fd(const app *a); /* -1 when no fetch runs */
void logs_view_drain(app *a);

#endif
