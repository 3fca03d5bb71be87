/* Tab in the `:` line: the command, a theme's name after `:theme `, a
 * context after `:ctx ` and a namespace after `:ns `, completed from what
 * exists, as far as it is unambiguous. */
#ifndef MIGTOP_COMPLETE_H
#define MIGTOP_COMPLETE_H

#include <stddef.h>

/* Completes line (of capacity cap) in place; returns how many candidates
 * matched, and when more than one, lists them (space-separated) in
 * choices. */
/* contexts and namespaces: the candidates (NULL ended; NULL: none). */
typedef struct complete_words {
    const char *const *contexts, *const *namespaces;
} complete_words;
int complete_command(char *line, size_t cap, const complete_words *w, char *choices,
                     size_t choices_n);

#endif
