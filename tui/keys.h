/* The key bindings: one table that drives both dispatch and the help. */
#ifndef MIGTOP_KEYS_H
#define MIGTOP_KEYS_H

#include "panes/help.h"

typedef enum key_action {
    K_NONE, K_UP, K_DOWN, K_PGUP, K_PGDN, K_TOP, K_BOTTOM, K_ENTER, K_BACK,
    K_HELP, K_COMMAND, K_FILTER, K_QUIT, K_REFRESH, K_TASKS, K_TEMPLATES,
} key_action;

key_action keys_lookup(int ch);
/* Help entries for every binding and every `:` command. */
const help_entry *keys_help(int *n);

#endif
