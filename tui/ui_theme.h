/* Applies a theme to the terminal and the panes' colour roles. */
#ifndef MIGTOP_UI_THEME_H
#define MIGTOP_UI_THEME_H

#include <stddef.h>

#include "tui/app.h"

/* At start: --theme, else the config file's, else the default; a broken
 * theme falls back to the default with the error in the status line. */
void ui_theme_init(app *a, const char *name);
bool ui_theme_set(app *a, const char *name, char *err, size_t errlen);

#endif
