#include "panes/draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

const char *const pane_role_names[P_ROLE_COUNT] = {
    "normal", "title", "status_bar", "header", "selected", "border",
    "ok", "warn", "error", "dim", "banner", "key", "highlight",
    "progress", "input", "password",
};

static attr_t role_attrs[P_ROLE_COUNT];
static bool use_utf8;

void draw_set_role_attrs(const attr_t attrs[P_ROLE_COUNT])
{
    memcpy(role_attrs, attrs, sizeof role_attrs);
}

attr_t draw_role_attr(pane_role r)
{
    return r < P_ROLE_COUNT ? role_attrs[r] : A_NORMAL;
}

void draw_set_utf8(bool on) { use_utf8 = on; }
bool draw_utf8(void) { return use_utf8; }

/* Decodes one character at s: its byte length, display width, and
 * whether it can be drawn as is (printable, valid, and UTF-8 mode). */
static size_t next_char(const char *s, int *width, bool *ok)
{
    unsigned char c = (unsigned char)*s;
    if (c < 0x80) {
        *ok = c >= 0x20 && c != 0x7f;
        *width = 1;
        return 1;
    }
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = use_utf8 ? mbrtowc(&wc, s, MB_CUR_MAX, &st) : (size_t)-1;
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *ok = false;
        *width = 1;
        return 1;
    }
    int w = wcwidth(wc);
    *ok = w >= 0;
    *width = w < 0 ? 1 : w;
    return n;
}

int draw_text_width(const char *s)
{
    int total = 0, w;
    bool ok;
    while (s && *s) {
        if ((unsigned char)*s < 0x80) { /* most of every cell: one column each */
            s++;
            total++;
            continue;
        }
        s += next_char(s, &w, &ok);
        total += w;
    }
    return total;
}

int draw_text_attr(WINDOW *win, int y, int x, int w, attr_t a, const char *s)
{
    if (w <= 0 || !s)
        return 0;
    int full = draw_text_width(s);
    bool clip = full > w;
    int budget = clip ? w - 1 : w; /* room for the ellipsis */
    int used = 0;
    wattrset(win, a);
    wmove(win, y, x);
    while (*s) {
        int cw;
        bool ok;
        size_t n = next_char(s, &cw, &ok);
        if (used + cw > budget)
            break;
        if (ok)
            waddnstr(win, s, (int)n);
        else
            waddch(win, '?');
        used += cw;
        s += n;
    }
    if (clip && used < w) {
        if (use_utf8)
            waddstr(win, "\xe2\x80\xa6");
        else
            waddch(win, '~');
        used++;
    }
    wattrset(win, A_NORMAL);
    return used;
}

int draw_text(WINDOW *win, int y, int x, int w, pane_role r, const char *s)
{
    return draw_text_attr(win, y, x, w, draw_role_attr(r), s);
}

void draw_fill(WINDOW *win, int y, int x, int w, attr_t a)
{
    if (w <= 0)
        return;
    wattrset(win, a);
    mvwhline(win, y, x, ' ', w);
    wattrset(win, A_NORMAL);
}

void draw_hline(WINDOW *win, int y, int x, int w, pane_role r)
{
    if (w <= 0)
        return;
    wattrset(win, draw_role_attr(r));
    wmove(win, y, x);
    for (int i = 0; i < w; i++)
        waddstr(win, use_utf8 ? "\xe2\x94\x80" : "-");
    wattrset(win, A_NORMAL);
}

void draw_progress(WINDOW *win, int y, int x, int w, double frac)
{
    if (w < 3)
        return;
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int inner = w - 2, fill = (int)(frac * inner + 0.5);
    wattrset(win, draw_role_attr(P_BORDER));
    mvwaddch(win, y, x, '[');
    wattrset(win, draw_role_attr(P_PROGRESS) | A_REVERSE);
    for (int i = 0; i < fill; i++)
        waddch(win, ' ');
    wattrset(win, draw_role_attr(P_DIM));
    for (int i = fill; i < inner; i++)
        waddstr(win, use_utf8 ? "\xc2\xb7" : ".");
    wattrset(win, draw_role_attr(P_BORDER));
    waddch(win, ']');
    wattrset(win, A_NORMAL);
}
