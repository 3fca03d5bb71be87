#include "tui/complete.h"

#include <stdio.h>
#include <string.h>

static const char *const COMMANDS[] = {"tasks", "templates", "ctx", "ns", "theme", "messages",
                                       "help", "quit", NULL};
static const char *const THEMES[] = {"default", "light", "high-contrast", "mono", NULL};

/* Completes word (the part after prefix_len bytes of line) from words. */
static int complete_from(char *line, size_t cap, size_t at, const char *const *words,
                         char *choices, size_t choices_n)
{
    const char *word = line + at;
    size_t wl = strlen(word), common = 0;
    const char *first = NULL;
    int n = 0;
    size_t used = 0;
    choices[0] = '\0';
    for (const char *const *w = words; *w; w++) {
        if (strncmp(*w, word, wl))
            continue;
        if (!first) {
            first = *w;
            common = strlen(*w);
        } else {
            size_t k = 0;
            while (k < common && first[k] == (*w)[k])
                k++;
            common = k;
        }
        int m = snprintf(choices + used, choices_n - used, "%s%s", n ? " " : "", *w);
        if (m > 0 && used + (size_t)m < choices_n)
            used += (size_t)m;
        n++;
    }
    if (!n)
        return 0;
    if (n == 1)
        snprintf(line + at, cap - at, "%s ", first);
    else if (common > wl)
        snprintf(line + at, cap - at, "%.*s", (int)common, first);
    return n;
}

int complete_command(char *line, size_t cap, const complete_words *w, char *choices,
                     size_t choices_n)
{
    static const char *const none[] = {NULL};
    const char *space = strchr(line, ' ');
    if (!space)
        return complete_from(line, cap, 0, COMMANDS, choices, choices_n);
    size_t at = (size_t)(space - line) + 1;
    const char *const *words = NULL;
    if (!strncmp(line, "theme ", 6))
        words = THEMES;
    else if (!strncmp(line, "ctx ", 4) || !strncmp(line, "context ", 8))
        words = w && w->contexts ? w->contexts : none;
    else if (!strncmp(line, "ns ", 3) || !strncmp(line, "namespace ", 10))
        words = w && w->namespaces ? w->namespaces : none;
    if (words && !strchr(line + at, ' '))
        return complete_from(line, cap, at, words, choices, choices_n);
    choices[0] = '\0';
    return 0;
}
