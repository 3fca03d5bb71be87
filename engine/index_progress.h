/* While post-data builds the indexes (pg_restore -j, a process of its
 * own), which ones are building and how far: read from the sink's
 * pg_stat_progress_create_index once a second on a thread with its own
 * connection, into the status ("building" in the initialization's
 * metrics). A build can take minutes on a big table; without this the
 * step shows nothing moving. */
#ifndef MIGTOP_ENGINE_INDEX_PROGRESS_H
#define MIGTOP_ENGINE_INDEX_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "engine/run_state.h"

typedef struct index_progress {
    engine_runner *r;
    pthread_t th;
    atomic_bool quit;
    bool started;
} index_progress;

/* Never fails the step: a sink that cannot be asked shows nothing. */
void index_progress_start(index_progress *p, engine_runner *r);
void index_progress_stop(index_progress *p);

#endif
