/* The runner of one local task: `migtop run NAME` in the foreground, or
 * the detached process `migtop create --local` starts. It holds the
 * task's lock, runs the steps in order (precheck, init-struct pre-data,
 * init-data, post-data, then CDC), writes the status every second and
 * each step's log, and on a terminate request stops what it is doing and
 * drops the source's slot and publication (retrying until they are gone)
 * before removing the task directory. A restarted runner skips steps that
 * already completed. */
#ifndef MIGTOP_ENGINE_RUNNER_H
#define MIGTOP_ENGINE_RUNNER_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "engine/catalog.h"
#include "engine/log.h"
#include "engine/spec.h"
#include "engine/status.h"

typedef struct engine_run_opts {
    const char *state_dir; /* NULL: the default (see taskdir.h) */
    const char *name;
    int jobs;              /* parallel copy/index workers; <= 0: number of cores */
    bool echo;             /* logs also to stderr */
    engine_step until;     /* stop after this step (ES_N: run everything) */
} engine_run_opts;

typedef struct engine_runner {
    engine_run_opts opts;
    char state_dir[4096], dir[4200];
    engine_spec spec;
    engine_status status;
    engine_log log[ES_N]; /* post-data writes to init-struct's log */
    int jobs;
    atomic_bool stop;     /* terminate requested (SIGTERM/SIGINT or the terminate file) */
    atomic_int signals;   /* SIGTERM/SIGINT received: one during terminate gives up */
    engine_table *tables; /* resolved on the source by init-struct or init-data */
    size_t n_tables;
    /* init-data: the connection holding the exported snapshot (a
     * replication connection that created the slot, or a plain REPEATABLE
     * READ transaction for an initialization-only task). */
    PGconn *snap_conn;
    char snapshot[64];
    char slot[128], publication[160];
} engine_runner;

/* Runs the task to its end (or the requested step). Returns the process
 * exit code: 0 done, 1 failed (the status says why), 3 another runner
 * holds the task (err names its pid), 2 bad input. */
int engine_run(const engine_run_opts *o, char *err, size_t errlen);

/* Steps: each returns false with err naming what failed (and, for
 * copies, which table and how far it got). */
bool engine_step_precheck(engine_runner *r, char *err, size_t errlen);
bool engine_step_init_struct(engine_runner *r, char *err, size_t errlen);
bool engine_step_post_data(engine_runner *r, char *err, size_t errlen);
bool engine_step_init_data(engine_runner *r, char *err, size_t errlen);
/* The table list, resolved once per run. */
bool engine_runner_tables(engine_runner *r, PGconn *src, char *err, size_t errlen);

/* Drops the slot and the publication on the source; idempotent. */
bool engine_drop_source_objects(engine_runner *r, char *err, size_t errlen);

bool engine_runner_stopping(engine_runner *r);

/* CDC plugs in here (issue 6, engine/cdc.h). When engine/cdc.h exists the
 * runner calls, after init-data and post-data completed (or at once on a
 * restart whose initialization is already complete):
 *     bool engine_cdc_run(engine_runner *r, char *err, size_t errlen);
 * which streams from r->slot / r->publication (r->status.consistent_point
 * is the slot's consistent point, where the copy's snapshot was taken)
 * until engine_runner_stopping(r), updating the status with
 * engine_status_cdc_metric() and logging to r->log[ES_CDC]; false with err
 * marks the CDC step Failed. On terminate, after the slot and publication
 * are dropped, the runner calls
 *     bool engine_cdc_drop(engine_runner *r, char *err, size_t errlen);
 * (drop the replication origin on the sink; retried like the slot). */

#endif
