/* Drawing primitives shared by every pane: text clipped to a width in
 * display columns (UTF-8 aware, control characters neutralised so server
 * data can never emit escape sequences), lines, fills; and the colour
 * roles a theme assigns attributes to. */
#ifndef MIGTOP_DRAW_H
#define MIGTOP_DRAW_H

#include <curses.h>
#include <stdbool.h>

typedef enum pane_role {
    P_NORMAL, P_TITLE, P_STATUS_BAR, P_HEADER, P_SELECTED, P_BORDER,
    P_OK, P_WARN, P_ERROR, P_DIM, P_BANNER, P_KEY, P_HIGHLIGHT,
    P_PROGRESS, P_INPUT, P_PASSWORD,
    P_ROLE_COUNT
} pane_role;

/* The theme file keys of the roles, in enum order. */
extern const char *const pane_role_names[P_ROLE_COUNT];

/* Set once by the UI from the resolved theme (and again on :theme). */
void draw_set_role_attrs(const attr_t attrs[P_ROLE_COUNT]);
attr_t draw_role_attr(pane_role r);
/* Whether to draw box characters as UTF-8 or ASCII. */
void draw_set_utf8(bool on);
bool draw_utf8(void);

/* Display width of a UTF-8 string (control and invalid bytes count 1). */
int draw_text_width(const char *s);
/* Draws s at (y, x) in at most w columns; returns the columns used. A
 * string that does not fit ends in "…" (or "~" in ASCII mode). */
int draw_text(WINDOW *win, int y, int x, int w, pane_role r, const char *s);
/* Same, with an extra attribute or'ed in (e.g. the selection). */
int draw_text_attr(WINDOW *win, int y, int x, int w, attr_t a, const char *s);
void draw_fill(WINDOW *win, int y, int x, int w, attr_t a);
void draw_hline(WINDOW *win, int y, int x, int w, pane_role r);
/* A progress bar of w columns for frac in [0,1]. */
void draw_progress(WINDOW *win, int y, int x, int w, double frac);

#endif
