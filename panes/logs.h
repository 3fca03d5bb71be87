/* The logs view: a step's log lines with CDC position lines highlighted,
 * search matches marked, optional wrapping, and the lag derived from the
 * newest position line. */
#ifndef MIGTOP_LOGS_H
#define MIGTOP_LOGS_H

#include <stddef.h>

#include "model/logpos.h"
#include "panes/doc.h"

typedef struct logs_opts {
    const char *step;
    bool follow, wrap, timestamps;
    const char *search; /* NULL or "" = none */
    mt_time now;
    long pod_tz;
    const char *pod_tz_name;
    bool done;
    const char *error;
    size_t dropped;
    int64_t now_ms, data_ms; /* the age of the log: now_ms - data_ms (0: none yet) */
} logs_opts;

/* The status line above the log (step, toggles, newest position and lag). */
void logs_header(doc *d, char *const *lines, size_t n, const logs_opts *o);
/* The log body; returns the doc line index of every search match in
 * *matches (arena-allocated) and their count. */
void logs_build(doc *d, char *const *lines, size_t n, const logs_opts *o, int width,
                int **matches, int *n_matches);

#endif
