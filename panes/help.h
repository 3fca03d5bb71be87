/* The help pane: every key, from the UI's own key table (one source of
 * truth for what a key does and what the help says it does). */
#ifndef MIGTOP_HELP_H
#define MIGTOP_HELP_H

#include "panes/doc.h"

typedef struct help_entry {
    const char *group; /* "Navigation", "Views", ... */
    const char *keys;  /* "j, Down" */
    const char *what;
} help_entry;

void help_build(doc *d, const help_entry *e, int n, int width);

#endif
