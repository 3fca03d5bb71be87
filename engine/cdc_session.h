/* One CDC session: a replication connection streaming the task's slot,
 * the sink session that applies and owns the replication origin, and a
 * plain source connection for the catalog, from connect until the first
 * failure (or stop). engine/cdc.c runs sessions one after another with a
 * backoff in between. */
#ifndef MIGTOP_ENGINE_CDC_SESSION_H
#define MIGTOP_ENGINE_CDC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* How long a group of source transactions may be held open before its
 * commit (microseconds): a millisecond once the stream has received
 * (end of the last commit or keepalive) the source's WAL end src_wal,
 * read at src_wal_at_us (Unix microseconds) less than 3 s before now_us:
 * nothing of a backlog is left, and what the source commits is visible on
 * the sink a moment later; else 20 ms, large groups draining a backlog
 * faster. No clock of the source's is compared. */
int64_t cdc_group_hold_us(uint64_t received, uint64_t src_wal, int64_t src_wal_at_us,
                          int64_t now_us);
/* The CDC step's reason in the status ("" clears it). */
void cdc_set_reason(engine_runner *r, const char *why);

#endif
