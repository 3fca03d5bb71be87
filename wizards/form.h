/* Editing a form (panes/form.h holds its state and draws it): keys move
 * between fields and edit the focused one, and the field is validated
 * after every change so its error shows under it as it is typed.
 *
 * Keys: Tab/Down next field, Shift-Tab/Up previous (inside a checklist
 * Up/Down move its cursor); in text: Left/Right, Home/End (Ctrl-A/E),
 * Backspace, Delete (Ctrl-D), Ctrl-U (to start), Ctrl-K (to end),
 * Ctrl-W (word back); toggles and choices: space, Left/Right; checklist:
 * space selects (a schema row selects all its tables), `a` selects every
 * visible row or none, `/` filters (Enter keeps it, Esc clears it).
 * Enter and Esc outside a filter are left to the caller (the wizard). */
#ifndef MIGTOP_TUI_FORM_H
#define MIGTOP_TUI_FORM_H

#include "panes/form.h"

void form_init(form *fm, form_field *fields, int n, void *ctx);
/* The field named key, or NULL. */
form_field *form_get(form *fm, const char *key);
const char *form_value(form *fm, const char *key);
/* Replaces a text field's value (cursor at the end) and validates it. */
void form_set_text(form *fm, form_field *f, const char *s);

/* Handles one key; returns false when the key is not the form's. */
bool form_key(form *fm, int ch);

/* Validates one field now (fills f->error). */
bool form_check_field(form *fm, form_field *f);
/* Validates every shown field; on failure focuses the first bad one. */
bool form_check(form *fm);
/* Moves the focus to the next (dir 1) or previous (-1) shown field. */
void form_focus_move(form *fm, int dir);

/* Checklist rows: replaces the items (copies the strings). */
void form_items_clear(form_field *f);
void form_item_add(form_field *f, const char *label, const char *detail, int depth,
                   bool checked);
/* Selects or clears row i; a schema row takes its tables along, and a
 * schema row is checked exactly when all its tables are. */
void form_item_set(form_field *f, int i, bool on);

/* Wipes every password value and frees the checklist rows. */
void form_wipe(form *fm);

#endif
