/* Themes: a palette of fg/bg/attributes per pane role, read from YAML
 * files (themes/NAME.yaml). Everything here is pure (no curses calls), so
 * parsing, lookup and colour degradation are tested without a terminal;
 * theme_apply.c turns a palette into curses attributes. */
#ifndef MIGTOP_THEME_H
#define MIGTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "panes/draw.h"

/* A colour: THEME_COLOR_DEFAULT, 0..7 the curses colours (black red green
 * yellow blue magenta cyan white), or a 256-colour index. */
#define THEME_COLOR_DEFAULT (-1)

/* Attributes, our own bits so this header needs no terminal. */
enum {
    THEME_BOLD = 1 << 0,
    THEME_UNDERLINE = 1 << 1,
    THEME_REVERSE = 1 << 2,
    THEME_DIM = 1 << 3,
    THEME_STANDOUT = 1 << 4,
    THEME_ITALIC = 1 << 5,
};

typedef struct theme_style {
    short fg, bg;
    unsigned attrs;
} theme_style;

typedef struct theme {
    char name[128];                  /* as asked for: "light", or a path */
    theme_style role[P_ROLE_COUNT];
    bool has_role[P_ROLE_COUNT];     /* set by the file (the rest: defaults) */
} theme;

/* The bundled theme names, for messages and tests. */
extern const char *const theme_bundled_names[];
extern const int theme_n_bundled;

/* Parses a theme from YAML text. `source` names it in errors, which read
 * "SOURCE:LINE:COLUMN: what is wrong" (unknown roles, colours and
 * attributes are named). Roles the file leaves out keep what *out held. */
bool theme_parse(const char *text, size_t len, const char *source, theme *out, char *err,
                 size_t errlen);
bool theme_load_file(const char *path, theme *out, char *err, size_t errlen);

/* The default theme as compiled in (themes/default.yaml at build time):
 * the fallback when a file is missing or broken. Every role is set. */
void theme_builtin_default(theme *out);

/* The bundled themes' folder: PREFIX/share/migtop/themes beside the
 * program (the build tree has the same layout), else the install
 * prefix's; false when neither is there (only the compiled-in default is). */
bool theme_bundled_dir(char *buf, size_t n);

/* Where NAME is: a path (it holds a '/' or ends in .yaml) as given; else
 * $XDG_CONFIG_HOME/migtop/themes/NAME.yaml (~/.config when unset); else
 * THEME_DIR/NAME.yaml. False with an error naming the places looked at. */
bool theme_find(const char *name, const char *theme_dir, char *path, size_t pathlen, char *err,
                size_t errlen);

/* Finds and loads NAME (NULL or "": "default") over the built-in default,
 * so a partial user theme inherits the rest. On failure *out is the
 * built-in default and err says why. */
bool theme_resolve(const char *name, const char *theme_dir, theme *out, char *err, size_t errlen);

/* Colour names: "default", the 8 curses names, or a number 0..255; -2 if
 * the text is none of them. */
int theme_color_from_name(const char *s);
/* A colour the terminal can show: unchanged if below `colors`, else the
 * nearest (in RGB) of the 8 basic colours. DEFAULT stays DEFAULT. */
short theme_color_degrade(short c, int colors);
/* Whether to use colours at all: not when NO_COLOR is set and non-empty
 * (no-color.org), not when the terminal has none. */
bool theme_use_color(const char *no_color_env, bool terminal_has_colors);
/* What a role is drawn with: colours left "default" in a role other than
 * normal take the normal role's, so a light background stays light. */
theme_style theme_effective(const theme *t, pane_role r);

#endif
