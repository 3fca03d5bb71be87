#include "tui/theme_apply.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings/theme.h"

static attr_t curses_attrs(unsigned a)
{
    attr_t at = A_NORMAL;
    if (a & THEME_BOLD)
        at |= A_BOLD;
    if (a & THEME_UNDERLINE)
        at |= A_UNDERLINE;
    if (a & THEME_REVERSE)
        at |= A_REVERSE;
    if (a & THEME_DIM)
        at |= A_DIM;
    if (a & THEME_STANDOUT)
        at |= A_STANDOUT;
    if (a & THEME_ITALIC)
        at |= A_ITALIC;
    return at;
}

/* One pair per distinct (fg, bg), numbered from 1 at each apply. */
typedef struct pairs {
    short fg[P_ROLE_COUNT], bg[P_ROLE_COUNT];
    int n;
    bool default_colors; /* -1 means the terminal's own colours */
} pairs;

static int pair_for(pairs *p, short fg, short bg)
{
    fg = theme_color_degrade(fg, COLORS);
    bg = theme_color_degrade(bg, COLORS);
    if (!p->default_colors) {
        if (fg == THEME_COLOR_DEFAULT)
            fg = COLOR_WHITE;
        if (bg == THEME_COLOR_DEFAULT)
            bg = COLOR_BLACK;
    }
    for (int i = 0; i < p->n; i++)
        if (p->fg[i] == fg && p->bg[i] == bg)
            return i + 1;
    if (p->n >= P_ROLE_COUNT || p->n + 1 >= COLOR_PAIRS)
        return 0;
    p->fg[p->n] = fg;
    p->bg[p->n] = bg;
    init_pair((short)(p->n + 1), fg, bg);
    return ++p->n;
}

static void put_on_screen(const theme *t, bool color)
{
    static bool started, default_colors;
    if (color && !started) {
        start_color();
        default_colors = use_default_colors() == OK;
        started = true;
    }
    pairs p = {.n = 0, .default_colors = default_colors};
    attr_t at[P_ROLE_COUNT];
    for (int r = 0; r < P_ROLE_COUNT; r++) {
        theme_style own = t->role[r], eff = theme_effective(t, (pane_role)r);
        at[r] = curses_attrs(own.attrs);
        /* A role without colours of its own gets none: the background
         * (the normal role's pair) shows through, and it can be or'ed
         * with another role's pair without mixing pair numbers. */
        bool own_colors = own.fg != THEME_COLOR_DEFAULT || own.bg != THEME_COLOR_DEFAULT;
        if (color && own_colors)
            at[r] |= COLOR_PAIR(pair_for(&p, eff.fg, eff.bg));
    }
    draw_set_role_attrs(at);
    bkgd((chtype)' ' | (at[P_NORMAL] & A_COLOR));
}

bool theme_apply(app *a, const char *name, bool at_start, char *err, size_t errlen)
{
    theme t;
    char dir[4200];
    theme_bundled_dir(dir, sizeof dir);
    bool ok = theme_resolve(name, dir, &t, err, errlen);
    if (!ok && !at_start)
        return false;
    char shown[128];
    snprintf(shown, sizeof shown, "%s", t.name); /* "default" after a failure */
    bool color = theme_use_color(getenv("NO_COLOR"), has_colors());
    if (!color) {
        /* Attributes only; mono.yaml keeps every role readable that way. */
        char merr[512];
        theme m;
        if (theme_resolve("mono", dir, &m, merr, sizeof merr))
            t = m;
    }
    put_on_screen(&t, color);
    snprintf(a->theme_name, sizeof a->theme_name, "%.96s%s", shown, /* the note fits */
             color ? "" : has_colors() ? " (mono: NO_COLOR is set)" : " (mono: no colours)");
    clearok(curscr, TRUE);
    a->dirty = true;
    return ok;
}
