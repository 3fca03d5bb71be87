#include "tui/keys.h"

#include <curses.h>

#include "tui/app.h"

typedef struct binding {
    int keys[4]; /* 0-terminated */
    key_action act;
    const char *group, *label, *what;
    int view; /* the view it belongs to, or -1 for every view */
} binding;

#define ANY .view = -1

#define CTRL(c) ((c) & 0x1f)

static const binding bindings[] = {
    {{'j', KEY_DOWN}, K_DOWN, "Navigation", "j, Down", "next row / scroll down", ANY},
    {{'k', KEY_UP}, K_UP, "Navigation", "k, Up", "previous row / scroll up", ANY},
    {{KEY_NPAGE, ' ', CTRL('f')}, K_PGDN, "Navigation", "PgDn, Space, Ctrl-F", "page down", ANY},
    {{KEY_PPAGE, 'b', CTRL('b')}, K_PGUP, "Navigation", "PgUp, b, Ctrl-B", "page up", ANY},
    {{'g', KEY_HOME}, K_TOP, "Navigation", "g, Home", "first row", ANY},
    {{'G', KEY_END}, K_BOTTOM, "Navigation", "G, End", "last row", ANY},
    {{'\n', '\r', KEY_ENTER}, K_ENTER, "Navigation", "Enter", "open the selected task", ANY},
    {{KEY_MOUSE}, K_NONE, "Navigation", "mouse", "a press selects a row, a press on the "
                                                 "selected row opens it; the wheel scrolls "
                                                 "(--no-mouse, or mouse: false in the config, "
                                                 "leaves it to the terminal)", ANY},
    {{27, KEY_BACKSPACE, 'h', KEY_LEFT}, K_BACK, "Navigation", "Esc, h, Left", "back (clears a filter first)", ANY},
    {{'/'}, K_FILTER, "Views", "/", "filter the list (Enter keeps, Esc clears)", ANY},
    {{':'}, K_COMMAND, "Views", ":", "command mode (see Commands)", ANY},
    {{'?'}, K_HELP, "Views", "?", "this help", ANY},
    {{'t'}, K_TEMPLATES, "Views", "t", "migration templates", ANY},
    {{'r', CTRL('l')}, K_REFRESH, "Views", "r, Ctrl-L", "refresh now and redraw", ANY},
    {{'q'}, K_QUIT, "Views", "q", "quit (back out of help first)", ANY},
    {{'l'}, K_LOGS, "Task", "l", "the task's step logs", V_DETAIL},
    {{'l'}, K_LOGS, "Task", "", "", V_TASKS},
    {{'y'}, K_YAML, "Task", "y", "the task as YAML (passwords never shown)", V_TASKS},
    {{'y'}, K_YAML, "Task", "", "", V_DETAIL},
    {{'C'}, K_COPY, "Task", "C", "copy the task's name (list) or CDC position (detail) to the "
                                "clipboard (OSC 52: works over SSH)", V_TASKS},
    {{'C'}, K_COPY, "Task", "", "", V_DETAIL},
    {{'s'}, K_STEP, "Logs", "s", "next step: precheck, init-struct, init-data, cdc", V_LOGS},
    {{'1'}, K_STEP1, "Logs", "1 2 3 4", "precheck, init-struct, init-data, cdc", V_LOGS},
    {{'2'}, K_STEP2, "Logs", "", "", V_LOGS},
    {{'3'}, K_STEP3, "Logs", "", "", V_LOGS},
    {{'4'}, K_STEP4, "Logs", "", "", V_LOGS},
    {{'f'}, K_FOLLOW, "Logs", "f", "follow on/off (new lines stream in)", V_LOGS},
    {{'w'}, K_WRAP, "Logs", "w", "wrap long lines on/off", V_LOGS},
    {{'t'}, K_TIMESTAMPS, "Logs", "t", "timestamps on/off", V_LOGS},
    {{'/'}, K_FILTER, "Logs", "/", "search (n next, N previous)", V_LOGS},
    {{'n'}, K_NEXT, "Logs", "n, N", "next / previous match", V_LOGS},
    {{'N'}, K_PREV, "Logs", "", "", V_LOGS},
    {{CTRL('s')}, K_SAVE_LOG, "Logs", "Ctrl-S", "save the log shown to a file (owner-only; the "
                                              "path is said)", V_LOGS},
    {{'N'}, K_SORT_NAME, "Sort", "N S A L", "sort the task list by name, status, age or lag "
                                            "(again: the other way)", V_TASKS},
    {{'S'}, K_SORT_STATUS, "Sort", "", "", V_TASKS},
    {{'A'}, K_SORT_AGE, "Sort", "", "", V_TASKS},
    {{'L'}, K_SORT_LAG, "Sort", "", "", V_TASKS},
    {{'c'}, K_CREATE, "Wizards", "c", "create a migration task (task list)", V_TASKS},
    {{'x'}, K_CUTOVER, "Wizards", "x", "cut over the selected task: the seven gates", V_TASKS},
    {{'x'}, K_CUTOVER, "Wizards", "", "", V_DETAIL},
    {{'T'}, K_TERMINATE, "Wizards", "T", "terminate the selected task, check the slot is gone", V_TASKS},
    {{'T'}, K_TERMINATE, "Wizards", "", "", V_DETAIL},
};

static const help_entry commands[] = {
    {"Commands", ":tasks", "the task list"},
    {"Commands", ":templates", "the migration templates"},
    {"Commands", ":ctx NAME", "switch the kube context (its namespace)"},
    {"Commands", ":ns NAME|all", "switch the namespace; all: every namespace"},
    {"Commands", ":theme NAME", "switch theme: default, light, high-contrast, mono, or a file"},
    {"Commands", ":messages", "the last messages, whole, with their times"},
    {"Commands", ":help", "this help"},
    {"Commands", ":q, :quit", "quit"},
};

key_action keys_lookup(int ch, int view)
{
    key_action any = K_NONE;
    for (size_t i = 0; i < sizeof bindings / sizeof *bindings; i++)
        for (int k = 0; k < 4 && bindings[i].keys[k]; k++)
            if (bindings[i].keys[k] == ch) {
                if (bindings[i].view == view)
                    return bindings[i].act;
                if (bindings[i].view == -1 && any == K_NONE)
                    any = bindings[i].act;
            }
    return any;
}

const help_entry *keys_help(int *n)
{
    enum { NB = sizeof bindings / sizeof *bindings, NC = sizeof commands / sizeof *commands };
    static help_entry all[NB + NC];
    int m = 0;
    for (int i = 0; i < NB; i++)
        if (bindings[i].label[0]) /* keys listed together on one row have "" */
            all[m++] = (help_entry){bindings[i].group, bindings[i].label, bindings[i].what};
    for (int i = 0; i < NC; i++)
        all[m++] = commands[i];
    *n = m;
    return all;
}
