/* Each task's lag and apply rate over the last minutes, as readings came:
 * a reading a second at most, folded into 5-second slots (the largest lag,
 * the mean rate) kept in a ring per task, so the list's sparkline and the
 * detail's chart are there when a task is opened. About 3 KB a task that
 * had a reading, 400 bytes one that never had (1000 finished tasks).
 *
 *   mt_hist_set h = {0};
 *   every second: mt_hist_record(&h, snapshot, now_ms, pod_tz);
 *   const mt_hist *one = mt_hist_find(&h, ns, name);
 *   mt_hist_buckets(one, now_ms, 600, 40, lag, rate);  // 10 min in 40 columns
 *   mt_hist_free(&h);
 */
#ifndef MIGTOP_HISTORY_H
#define MIGTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

#define MT_HIST_SLOT_S 5
#define MT_HIST_SLOTS 180 /* 15 minutes */
#define MT_HIST_NONE (-1.0f) /* a bucket with no reading */

typedef struct mt_hist_slot {
    int32_t id;      /* seconds since the epoch / MT_HIST_SLOT_S; 0 unused */
    float lag_max;   /* <0: no lag known in it */
    float rate_sum;  /* rows applied per second, summed over rate_n readings */
    uint16_t rate_n;
} mt_hist_slot;

typedef struct mt_hist {
    char ns[128], name[256];
    /* MT_HIST_SLOTS of them, slot[id % MT_HIST_SLOTS]; allocated with the
     * first reading that holds a lag or a rate (NULL: none yet) */
    mt_hist_slot *slot;
    bool seen;  /* in the last snapshot recorded (others are let go) */
    bool fresh; /* new in the set at this recording (then sorted in) */
    bool any;   /* a lag or a rate was ever added (else every bucket is empty) */
} mt_hist;

typedef struct mt_hist_offered {
    mt_hist *one;
    int64_t at_ms;
} mt_hist_offered;

typedef struct mt_hist_set {
    mt_hist **v;
    size_t n;
    int64_t last_ms;
    mt_hist_offered *offered; /* mt_hist_offer's, until their task is recorded */
    size_t n_offered;
} mt_hist_set;

/* One sample per task of s (its lag now, from the CDC metrics' timestamp,
 * and its rows_per_second), if a second has passed since the last; tasks
 * gone from s are forgotten. */
void mt_hist_record(mt_hist_set *h, const mt_snapshot *s, int64_t now_ms, long pod_tz_offset_s);
const mt_hist *mt_hist_find(const mt_hist_set *h, const char *ns, const char *name);
/* The same, looking first at `at`: the task's place in the snapshot the
 * set recorded (both are in the same order). */
const mt_hist *mt_hist_find_at(const mt_hist_set *h, size_t at, const char *ns,
                               const char *name);
/* The last span_s seconds in n buckets, oldest first: the largest lag and
 * the mean rate of each (MT_HIST_NONE where no reading fell; a bucket
 * narrower than a slot shows its slot). lag or rate may be NULL. */
void mt_hist_buckets(const mt_hist *h, int64_t now_ms, int span_s, int n, float *lag,
                     float *rate);
void mt_hist_free(mt_hist_set *h);
/* Lets go of one ring's readings (one not in a set: the runner's, a test's). */
void mt_hist_clear(mt_hist *one);

/* A task's readings kept by whoever runs it (a local runner's ring, read
 * on the feed's thread), one->ns and one->name saying whose: added to the
 * task's ring where that has no slot as recent, at the first recording
 * that has the task (now, if the set has it already); let go when no
 * recording has had it for a minute. Takes the n rings of v (not v). */
void mt_hist_offer(mt_hist_set *h, mt_hist **v, size_t n, int64_t now_ms);
/* Whether a ring has a slot of the last 15 minutes (one worth offering). */
bool mt_hist_recent(const mt_hist *one, int64_t now_ms);
/* Lets go of one ring (one not in a set). */
void mt_hist_release(mt_hist *one);

/* One reading into a task's ring (what mt_hist_record does per task). */
void mt_hist_add(mt_hist *one, int64_t now_ms, float lag_s, float rate);
/* The ring as JSON, {"slot_s":5,"slots":[[id,lag,rate],...]} (free()), for
 * a runner to keep beside its task; and the slots of such a text added
 * where the ring has none as recent (false on text that is not one). */
char *mt_hist_json(const mt_hist *one);
bool mt_hist_merge_json(mt_hist *one, const char *text);

#endif
