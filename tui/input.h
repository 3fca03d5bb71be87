/* What a key does: navigation, the `:` command line and the `/` filter. */
#ifndef MIGTOP_INPUT_H
#define MIGTOP_INPUT_H

#include "tui/app.h"

void input_key(app *a, int ch);
/* Opens a task's detail (ns NULL: any namespace) and focuses the feed on it. */
void input_open_task(app *a, const char *ns, const char *name);
/* Runs a `:` command line (without the colon). */
void input_command(app *a, const char *line);

#endif
