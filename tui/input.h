/* What a key does: navigation, the `:` command line and the `/` filter. */
#ifndef MIGTOP_INPUT_H
#define MIGTOP_INPUT_H

#include "tui/app.h"

void input_key(app *a, int ch);
/* Runs a `:` command line (without the colon). */
void input_command(app *a, const char *line);

#endif
