/* Everything `kbcli migration describe` prints, derived from a snapshot with
 * kbcli's rules, plus the live lag migtop adds. Panes and the `describe`
 * command both render this one structure. */
#ifndef MIGTOP_DESCRIBE_H
#define MIGTOP_DESCRIBE_H

#include "model/snapshot.h"

typedef struct mt_init_row {
    const char *step;   /* CLI name: precheck, init-struct, init-data */
    const char *namespace_;
    const char *status; /* last job condition type, or "-" */
    mt_time created, start, finish;
} mt_init_row;

typedef struct mt_cdc_row {
    const char *namespace_;
    const char *status; /* pod phase, with kbcli's Pending/Failed rule */
    mt_time created, start;
} mt_cdc_row;

typedef struct mt_describe {
    const mt_task *task;
    const mt_template *tmpl; /* NULL when the template is not in the snapshot */
    const char *display_status; /* taskStatus, or Terminating when deleted */
    char *source, *sink;        /* user:****@address/db */
    char *objects;              /* "public.t1,public.t2" */
    bool has_cdc;               /* task type includes cdc */
    mt_init_row *init;
    size_t n_init;
    bool init_mismatch;         /* kbcli prints no rows when steps != jobs */
    mt_cdc_row *cdc;
    size_t n_cdc;
    mt_kv *metrics; /* sorted by key */
    size_t n_metrics;
    /* Recognised by form among the metrics (the keys are not published). */
    const char *position_key, *timestamp_key;
    uint64_t position;
    bool has_position;
    mt_time source_ts;
    int64_t source_ts_ms; /* the same with its fraction, for sub-second lags */
    bool has_source_ts, source_ts_had_zone;
    /* What the operator must know and no state shows: objects init-struct
     * did not migrate (with why), large objects CDC does not carry. From
     * the initialization's metrics the local engine writes. */
    const char **warnings;
    size_t n_warnings;
    /* The task's health when it is not OK, one line: "RunnerDown since
     * 2026-12-01 12:00:01 UTC (2m ago): no runner ..."; NULL when OK. */
    const char *health;
} mt_describe;

/* now_s: wall clock seconds (the CDC Pending/Failed rule depends on it);
 * pod_tz_offset_s: the zone assumed for metric timestamps without one. */
void mt_describe_build(arena *a, const mt_snapshot *s, const mt_task *t, mt_time now_s,
                       long pod_tz_offset_s, mt_describe *out);

/* The status the list shows: Terminating when the task is being deleted. */
const char *mt_task_display_status(const mt_task *t);

/* Lag of the CDC metrics timestamp against now, in seconds; false if the
 * task has no recognisable timestamp. */
bool mt_task_ts_lag(const mt_task *t, mt_time now_s, long pod_tz_offset_s, int64_t *lag_s);

/* kbcli's job ordering: the integer after the name's last '-' (0 if none). */
long mt_job_order(const char *job_name);

#endif
