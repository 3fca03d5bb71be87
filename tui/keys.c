#include "tui/keys.h"

#include <curses.h>

typedef struct binding {
    int keys[4]; /* 0-terminated */
    key_action act;
    const char *group, *label, *what;
} binding;

#define CTRL(c) ((c) & 0x1f)

static const binding bindings[] = {
    {{'j', KEY_DOWN}, K_DOWN, "Navigation", "j, Down", "next row / scroll down"},
    {{'k', KEY_UP}, K_UP, "Navigation", "k, Up", "previous row / scroll up"},
    {{KEY_NPAGE, ' ', CTRL('f')}, K_PGDN, "Navigation", "PgDn, Space, Ctrl-F", "page down"},
    {{KEY_PPAGE, 'b', CTRL('b')}, K_PGUP, "Navigation", "PgUp, b, Ctrl-B", "page up"},
    {{'g', KEY_HOME}, K_TOP, "Navigation", "g, Home", "first row"},
    {{'G', KEY_END}, K_BOTTOM, "Navigation", "G, End", "last row"},
    {{'\n', '\r', KEY_ENTER}, K_ENTER, "Navigation", "Enter", "open the selected task"},
    {{27, KEY_BACKSPACE, 'h', KEY_LEFT}, K_BACK, "Navigation", "Esc, h, Left", "back (clears a filter first)"},
    {{'/'}, K_FILTER, "Views", "/", "filter the list (Enter keeps, Esc clears)"},
    {{':'}, K_COMMAND, "Views", ":", "command mode (see Commands)"},
    {{'?'}, K_HELP, "Views", "?", "this help"},
    {{'t'}, K_TEMPLATES, "Views", "t", "migration templates"},
    {{'r', CTRL('l')}, K_REFRESH, "Views", "r, Ctrl-L", "refresh now and redraw"},
    {{'q'}, K_QUIT, "Views", "q", "quit (back out of help first)"},
};

static const help_entry commands[] = {
    {"Commands", ":tasks", "the task list"},
    {"Commands", ":templates", "the migration templates"},
    {"Commands", ":theme NAME", "switch theme: default, light, high-contrast, mono, or a file"},
    {"Commands", ":help", "this help"},
    {"Commands", ":q, :quit", "quit"},
};

key_action keys_lookup(int ch)
{
    for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++)
        for (int k = 0; k < 4 && bindings[i].keys[k]; k++)
            if (bindings[i].keys[k] == ch)
                return bindings[i].act;
    return K_NONE;
}

const help_entry *keys_help(int *n)
{
    enum { NB = sizeof bindings / sizeof *bindings, NC = sizeof commands / sizeof *commands };
    static help_entry all[NB + NC];
    for (int i = 0; i < NB; i++)
        all[i] = (help_entry){bindings[i].group, bindings[i].label, bindings[i].what};
    for (int i = 0; i < NC; i++)
        all[NB + i] = commands[i];
    *n = NB + NC;
    return all;
}
