/* The keys that act on the task under the cursor (list) or on screen
 * (detail) and are not wizards: y its YAML, C copy a value. */
#ifndef MIGTOP_TASK_VIEW_H
#define MIGTOP_TASK_VIEW_H

#include "panes/doc.h"
#include "tui/app.h"

/* y: the task as a MigrationTask object in YAML, in a view of its own. */
void task_view_yaml(app *a);
/* The YAML view's document. */
void task_view_yaml_build(const app *a, const view_state *v, doc *d);
/* C: copies the task's name (list) or its CDC position (detail; the name
 * when there is none) to the terminal's clipboard, and says what. */
void task_view_copy(app *a);

#endif
