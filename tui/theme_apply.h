/* Puts a theme on the terminal: resolves the name (theme.h), degrades
 * colours to what the terminal has, falls back to mono attributes under
 * NO_COLOR or without colours, and hands the panes their role attributes. */
#ifndef MIGTOP_THEME_APPLY_H
#define MIGTOP_THEME_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/app.h"

/* At start (at_start): a theme that cannot be loaded gives the default,
 * and false with the error. Later (:theme): the current theme stays. */
bool theme_apply(app *a, const char *name, bool at_start, char *err, size_t errlen);

#endif
