/* The runner's status of one local task, written to status.json in the
 * MigrationTask CR status shape (taskStatus, startTime, finishTime,
 * initialization and cdc {startTime, finishTime, failedReason, metrics,
 * runTimeParam}) so the same panes read it, plus what the CR has no room
 * for: per-step states, per-table copy progress and the slot's consistent
 * point. Only the runner process writes it; every writer holds mu. Copy
 * counters are atomics so workers never wait on the status lock. */
#ifndef MIGTOP_ENGINE_STATUS_H
#define MIGTOP_ENGINE_STATUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/taskdir.h"
#include "model/fmt.h"

typedef enum engine_step {
    ES_PRECHECK,
    ES_INIT_STRUCT,
    ES_INIT_DATA,
    ES_POST_DATA, /* indexes and constraints: part of init-struct in the CR */
    ES_CDC,
    ES_N
} engine_step;

typedef enum engine_step_state {
    SS_SKIPPED, /* not in the task's steps */
    SS_PENDING,
    SS_RUNNING,
    SS_COMPLETE,
    SS_FAILED,
} engine_step_state;

typedef struct engine_table_progress {
    char *schema, *name;
    int64_t est_rows, est_bytes;
    _Atomic int64_t rows, bytes;
    _Atomic int parts_done;
    int parts;
    _Atomic int state;        /* 0 waiting, 1 copying, 2 done, 3 failed */
    _Atomic int64_t start_ms, finish_ms;
} engine_table_progress;

typedef struct engine_step_status {
    engine_step_state state;
    mt_time start, finish;
    char reason[1024];
} engine_step_status;

typedef struct engine_kv {
    char key[64], value[256];
} engine_kv;

#define ENGINE_MAX_CDC_METRICS 32

typedef struct engine_status {
    pthread_mutex_t mu;
    char dir[4096];
    /* Set by the runner once it holds the task: the status is written into
     * that directory only, never into one made again under its name. */
    engine_dir_id dir_id;
    bool has_dir_id;
    char task_status[32]; /* Prepare, Init, InitFinished, Running, Done, Failed */
    mt_time start, finish;
    engine_step_status steps[ES_N];
    mt_time init_start, init_finish, cdc_start, cdc_finish;
    char init_reason[1024], cdc_reason[1024];
    char slot[128], publication[160], consistent_point[32], snapshot[64];
    engine_table_progress *tables;
    size_t n_tables;
    engine_kv cdc_metrics[ENGINE_MAX_CDC_METRICS];
    size_t n_cdc_metrics;
    /* init-struct's summary ("created 22 tables (2 partitioned), 7 views,
     * ...") and what it did not migrate, each named with why. */
    char structure[1024], structure_skipped[2048];
    /* The large objects init-data copied and what the tables referencing
     * them must know ("3 (20.0 MiB) referenced by ...: ..."). */
    char large_objects[768];
    char building[1024]; /* post-data: the indexes building now, with their progress */
    /* Work done by this runner (changes applied, steps finished), with
     * the bytes copied: the supervisor tells a crash loop from a runner
     * killed while it was getting somewhere by whether this moved. */
    _Atomic int64_t work;
    mt_time runner_started;
    /* CDC stalled (its watchdog, cdc_metrics.c): since when, why, the lag
     * meanwhile; shown over the CDC loop's own figures, which stop while it
     * is stuck. since 0: not stalled. */
    mt_time cdc_stalled_since;
    double cdc_stall_lag_s;
    char cdc_stall[700];
    /* Set at load: the status files exist but neither parses (damaged);
     * the runner then finds where the task was from the servers. */
    bool lost;
    /* Steps a runner had started before this one (their start time is in
     * the status): what terminate may have to clean up. */
    bool started_before[ES_N];
    mt_time terminating_since;
    char terminating_reason[1024];
    /* Overall throughput, smoothed between writes: COPY bytes per second
     * (what is shown) and estimate units per second (what the ETA uses:
     * each table's estimated size times its fraction done). */
    int64_t last_bytes, last_ms;
    double last_units, rate_bps, rate_units;
} engine_status;

const char *engine_step_name(engine_step s);            /* CLI name */
const char *engine_step_state_name(engine_step_state s); /* Complete, Failed, ... */

/* Loads DIR/status.json when present (a restarted runner keeps the
 * finished steps), else starts fresh with every step Pending or Skipped. */
void engine_status_init(engine_status *st, const char *dir, const bool enabled[ES_N]);
void engine_status_free(engine_status *st);

/* State changes (take mu, write at once). reason may be NULL. */
void engine_status_step(engine_status *st, engine_step s, engine_step_state state,
                        const char *reason);
void engine_status_task(engine_status *st, const char *task_status);
void engine_status_terminating(engine_status *st, const char *reason);
/* For the CDC step: one metric shown in status.cdc.metrics. */
void engine_status_cdc_metric(engine_status *st, const char *key, const char *value);
/* The same for n metrics at once, for CDC's apply loop, which must not
 * wait while a status write (fsync) holds the lock: false when it is held
 * (nothing set; try again later). */
bool engine_status_cdc_metrics_try(engine_status *st, const engine_kv *kv, size_t n);
void engine_status_set_tables(engine_status *st, engine_table_progress *t, size_t n);
/* init-struct's summary and what it skipped ("" for none), kept across
 * restarts; shown in status.initialization.metrics. */
void engine_status_structure(engine_status *st, const char *summary, const char *skipped);
void engine_status_large_objects(engine_status *st, const char *text);
/* The indexes building now ("" none); written with the next status. */
void engine_status_building(engine_status *st, const char *text);
/* status.json, else status.prev.json, parsed (cJSON_Delete it); NULL
 * when neither is, with *lost true when one exists but is damaged and why
 * naming it. *from: the file it came from. */
struct cJSON;
struct cJSON *engine_status_read(const char *dir, const char **from, bool *lost, char *why,
                                 size_t whylen);
/* CDC stalled since `since` (0: moving again), with why and the lag. */
void engine_status_cdc_stall(engine_status *st, mt_time since, double lag_s, const char *why);
/* Adds n to the runner's work done (no lock taken). */
void engine_status_work(engine_status *st, int64_t n);

/* Serialises and writes status.json atomically; returns false with err. */
bool engine_status_write(engine_status *st, char *err, size_t errlen);

#endif
