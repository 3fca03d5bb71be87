/* A wizard page: the title, where the user is among the steps, the
 * step's form and/or text (a report, a YAML preview, live readings), and
 * a status line (what a check found, what is running). Draw only. */
#ifndef MIGTOP_PANES_WIZARD_H
#define MIGTOP_PANES_WIZARD_H

#include "panes/doc.h"
#include "panes/form.h"

typedef struct wizard_view {
    const char *title;          /* "Create a migration task" */
    const char *const *steps;   /* step names */
    int n_steps, step;          /* step: the current one */
    const form *form;           /* NULL: no fields on this step */
    const doc *text;            /* NULL: no text; drawn below the form */
    int text_top;               /* first line of the text shown */
    const char *status;         /* NULL or "" : none; wrapped over up to 4 rows */
    pane_role status_role;
} wizard_view;

/* Draws the page in the rectangle (y, x, h, w). Returns the rows the text
 * had to show itself (for paging), 0 when there is no text. */
int wizard_draw(WINDOW *win, int y, int x, int h, int w, const wizard_view *v);

#endif
