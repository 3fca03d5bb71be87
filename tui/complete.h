/* Tab in the `:` line: the command (and a theme's name after `:theme `)
 * completed from what exists, as far as it is unambiguous. */
#ifndef MIGTOP_COMPLETE_H
#define MIGTOP_COMPLETE_H

#include <stddef.h>

/* Completes line (of capacity cap) in place; returns how many candidates
 * matched, and when more than one, lists them (space-separated) in
 * choices. */
int complete_command(char *line, size_t cap, char *choices, size_t choices_n);

#endif
