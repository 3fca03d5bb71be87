/* One running task as every step sees it: the options it was started
 * with, its spec and status, the step logs, the stop flag a terminate
 * request sets, the tables resolved on the source and the snapshot
 * init-data copies from. The runner (runner.c) owns it; the steps
 * (steps.h, cdc.h) work on it. */
#ifndef MIGTOP_ENGINE_RUN_STATE_H
#define MIGTOP_ENGINE_RUN_STATE_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "engine/catalog.h"
#include "engine/log.h"
#include "engine/spec.h"
#include "engine/status.h"
#include "engine/taskdir.h"

typedef struct engine_run_opts {
    const char *state_dir; /* NULL: the default (see taskdir.h) */
    const char *name;
    int jobs;              /* parallel copy/index workers; <= 0: number of cores */
    bool echo;             /* logs also to stderr */
    engine_step until;     /* stop after this step (ES_N: run everything) */
    bool supervised;       /* started by a supervisor: start another if it dies */
} engine_run_opts;

typedef struct engine_runner {
    engine_run_opts opts;
    char state_dir[4096], dir[4200];
    engine_spec spec;
    engine_status status;
    bool status_open;     /* status initialised (freed at the end) */
    engine_log log[ES_N]; /* post-data writes to init-struct's log */
    int jobs;
    atomic_bool stop;     /* terminate requested (SIGTERM/SIGINT or the terminate file) */
    atomic_int signals;   /* SIGTERM/SIGINT received: one during terminate gives up */
    /* The task directory as opened (device and inode): when it is removed
     * or replaced under the runner (`terminate --force`, a wizard's manual
     * cleanup, rm -rf), nobody can see or stop this runner any more, so it
     * stops (orphaned) instead of living on, reconnecting, for ever. */
    engine_dir_id dir_id;
    atomic_bool orphaned;
    engine_table *tables; /* resolved on the source by init-struct or init-data */
    size_t n_tables;
    /* init-data: the connection holding the exported snapshot (a
     * replication connection that created the slot, or a plain REPEATABLE
     * READ transaction for an initialization-only task). */
    PGconn *snap_conn;
    char snapshot[64];
    char slot[128], publication[160];
    /* Index builds started by init-data as tables' copies end, waited for
     * by post-data (early_index.h); NULL when none. */
    struct early_index *early;
    /* index_progress.h pollers running (early builds and post-data may
     * both): the last to stop clears "building". */
    atomic_int index_pollers;
} engine_runner;

/* A terminate was requested (signal or terminate file): stop soon. */
bool engine_runner_stopping(engine_runner *r);
/* The table list, resolved once per run. */
bool engine_runner_tables(engine_runner *r, PGconn *src, char *err, size_t errlen);

#endif
