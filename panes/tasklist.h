/* The task list: one row per MigrationTask, filtered, with the live lag. */
#ifndef MIGTOP_TASKLIST_H
#define MIGTOP_TASKLIST_H

#include <stdint.h>

#include "model/history.h"
#include "model/snapshot.h"
#include "panes/doc.h"

/* What the list is sorted by (k9s's Shift+letter keys); TS_NONE keeps the
 * backend's order (namespace, then name). */
typedef enum tasklist_sort { TS_NONE, TS_NAME, TS_STATUS, TS_AGE, TS_LAG } tasklist_sort;

typedef struct tasklist_opts {
    const char *filter; /* case-insensitive substring; NULL or "" = all */
    mt_time now;
    long pod_tz;        /* zone assumed for metric timestamps without one */
    int lag_warn_s;     /* lag above this shows in the warning colour */
    tasklist_sort sort;
    bool sort_desc;     /* largest first (the same key pressed again) */
    const mt_hist_set *hist; /* the lag over time, for the trend column (NULL: none) */
    int64_t now_ms;
} tasklist_opts;

/* Emits the table into d (line refs = index into s->tasks); returns the
 * number of tasks shown. s may be NULL (no data yet). */
int tasklist_build(doc *d, const mt_snapshot *s, const tasklist_opts *o, int width);
/* A digest of what tasklist_build reads that changes without a new
 * snapshot: the options and the clock as the rows show it (ages, lags,
 * trends). The same snapshot and digest build the same document, so a
 * caller may keep it (1000 idle tasks: the redraw each second builds
 * nothing). */
uint64_t tasklist_digest(const mt_snapshot *s, const tasklist_opts *o, int width);

/* Role for a task status (shared by the list and the detail). */
pane_role tasklist_status_role(const mt_task *t);
/* Role for a lag in seconds against the warning threshold. */
pane_role tasklist_lag_role(int64_t lag_s, int warn_s);
/* Case-insensitive substring test used by every filter. */
bool tasklist_match(const char *hay, const char *needle);

#endif
