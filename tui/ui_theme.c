/* Interim: fixed attributes until the theme loader lands. */
#include "tui/ui_theme.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ui_theme_set(app *a, const char *name, char *err, size_t errlen)
{
    attr_t at[P_ROLE_COUNT];
    bool color = has_colors() && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
    if (color) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_GREEN, -1);
        init_pair(2, COLOR_YELLOW, -1);
        init_pair(3, COLOR_RED, -1);
        init_pair(4, COLOR_BLACK, COLOR_CYAN);
        init_pair(5, COLOR_CYAN, -1);
    }
    for (int i = 0; i < P_ROLE_COUNT; i++)
        at[i] = A_NORMAL;
    at[P_TITLE] = color ? COLOR_PAIR(4) : A_REVERSE;
    at[P_STATUS_BAR] = A_REVERSE;
    at[P_HEADER] = A_BOLD;
    at[P_SELECTED] = A_REVERSE;
    at[P_OK] = color ? COLOR_PAIR(1) : A_NORMAL;
    at[P_WARN] = color ? COLOR_PAIR(2) : A_BOLD;
    at[P_ERROR] = color ? COLOR_PAIR(3) | A_BOLD : A_BOLD | A_UNDERLINE;
    at[P_DIM] = A_DIM;
    at[P_KEY] = A_BOLD;
    at[P_HIGHLIGHT] = color ? COLOR_PAIR(5) | A_BOLD : A_UNDERLINE;
    at[P_BORDER] = A_DIM;
    draw_set_role_attrs(at);
    snprintf(a->theme_name, sizeof a->theme_name, "%s", name ? name : "default");
    (void)err;
    (void)errlen;
    return true;
}

void ui_theme_init(app *a, const char *name)
{
    char err[256];
    ui_theme_set(a, name, err, sizeof err);
}
