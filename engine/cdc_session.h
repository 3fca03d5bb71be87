/* One CDC session: a replication connection streaming the task's slot,
 * the sink session that applies and owns the replication origin, and a
 * plain source connection for the catalog, from connect until the first
 * failure (or stop). engine/cdc.c runs sessions one after another with a
 * backoff in between. */
#ifndef MIGTOP_ENGINE_CDC_SESSION_H
#define MIGTOP_ENGINE_CDC_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/cdc_metrics.h"
#include "engine/run_state.h"

typedef enum session_end {
    END_STOP,      /* the runner stops: everything applied is durable */
    END_ERROR,     /* a failure: err says what, the open group was rolled back */
    END_STRUCTURE  /* the sink's tables differ from the source's: err says how */
} session_end;

/* The application_name of the task's CDC sessions. */
void cdc_appname(const engine_runner *r, char *out, size_t n);
/* Runs a session; *progressed when something committed (the caller's
 * backoff starts over). */
session_end cdc_session_run(engine_runner *r, cdc_metrics *m, bool *progressed, char *err,
                            size_t errlen);
/* The CDC step's reason in the status ("" clears it). */
void cdc_set_reason(engine_runner *r, const char *why);

#endif
