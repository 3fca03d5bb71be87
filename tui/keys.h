/* The key bindings: one table that drives both dispatch and the help. */
#ifndef MIGTOP_KEYS_H
#define MIGTOP_KEYS_H

#include "panes/help.h"

typedef enum key_action {
    K_NONE, K_UP, K_DOWN, K_PGUP, K_PGDN, K_TOP, K_BOTTOM, K_ENTER, K_BACK,
    K_HELP, K_COMMAND, K_FILTER, K_QUIT, K_REFRESH, K_TASKS, K_TEMPLATES,
    K_LOGS, K_FOLLOW, K_WRAP, K_TIMESTAMPS, K_NEXT, K_PREV, K_STEP,
    K_STEP1, K_STEP2, K_STEP3, K_STEP4,
    K_CREATE, K_CUTOVER, K_TERMINATE,
    K_SORT_NAME, K_SORT_STATUS, K_SORT_AGE, K_SORT_LAG, K_YAML, K_COPY, K_SAVE_LOG,
} key_action;

/* The action of a key in a view (a view's own bindings win). */
key_action keys_lookup(int ch, int view);
/* Help entries for every binding and every `:` command. */
const help_entry *keys_help(int *n);

#endif
