/* Colour names, 256 -> 8 colour degradation, and when to use colour. */
#include "settings/theme.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const basic_names[8] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

int theme_color_from_name(const char *s)
{
    if (!strcasecmp(s, "default"))
        return THEME_COLOR_DEFAULT;
    for (int i = 0; i < 8; i++)
        if (!strcasecmp(s, basic_names[i]))
            return i;
    if (!isdigit((unsigned char)*s))
        return -2;
    char *end;
    long n = strtol(s, &end, 10);
    return *end || n > 255 ? -2 : (int)n;
}

/* xterm's RGB for a 256-colour index: 16 system colours, a 6x6x6 cube,
 * then 24 greys. */
static void xterm_rgb(int c, int rgb[3])
{
    static const int sys[16][3] = {
        {0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
        {0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
        {92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255}};
    static const int level[6] = {0, 95, 135, 175, 215, 255};
    if (c < 16) {
        memcpy(rgb, sys[c], sizeof sys[c]);
    } else if (c < 232) {
        c -= 16;
        rgb[0] = level[c / 36];
        rgb[1] = level[c / 6 % 6];
        rgb[2] = level[c % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

short theme_color_degrade(short c, int colors)
{
    if (c < 0 || c < colors)
        return c;
    if (c >= 8 && c < 16) /* the bright system colours: their dim twin */
        return (short)(c - 8);
    int rgb[3];
    xterm_rgb(c, rgb);
    int best = 0;
    long best_d = -1;
    for (int i = 0; i < 8; i++) {
        int b[3];
        xterm_rgb(i, b);
        long d = 0;
        for (int k = 0; k < 3; k++)
            d += (long)(rgb[k] - b[k]) * (rgb[k] - b[k]);
        if (best_d < 0 || d < best_d)
            best_d = d, best = i;
    }
    return (short)best;
}

bool theme_use_color(const char *no_color_env, bool terminal_has_colors)
{
    return terminal_has_colors && !(no_color_env && *no_color_env);
}

theme_style theme_effective(const theme *t, pane_role r)
{
    theme_style s = t->role[r];
    if (r != P_NORMAL) {
        if (s.fg == THEME_COLOR_DEFAULT)
            s.fg = t->role[P_NORMAL].fg;
        if (s.bg == THEME_COLOR_DEFAULT)
            s.bg = t->role[P_NORMAL].bg;
    }
    return s;
}
