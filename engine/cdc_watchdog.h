/* CDC's watchdog, on the metrics' thread (cdc_metrics.c), never on the
 * CDC loop's: when the source has WAL beyond what was applied and CDC has
 * not got anywhere for MIGTOP_STALL_S seconds (30), CDC is stalled, and
 * the status says so over the loop's own figures (which stop while the
 * loop is stuck), with why: read on the sink from pg_stat_activity and
 * pg_locks for the apply's session: the lock it waits for and the session
 * holding it, another wait, or a backend that does not answer at all;
 * when nothing is pending on the sink and the walsender has sent nothing
 * for seconds, the stall is the source's: its walsender, as the source
 * sees it (a walsender stopped or stuck halfway through a backlog). The
 * lag meanwhile is the age of the last applied commit. Once CDC moves
 * again the stall is cleared, and both ends are logged. */
#ifndef MIGTOP_ENGINE_CDC_WATCHDOG_H
#define MIGTOP_ENGINE_CDC_WATCHDOG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/run_state.h"

/* What the CDC loop last said, read from the metrics' atomics. */
typedef struct cdc_signals {
    int64_t alive_ms;        /* monotonic: last got somewhere, or had nothing to do */
    uint64_t position, src_wal;
    int64_t position_ts_us;
    int apply_pid;           /* the sink session's */
    bool streaming;          /* not reconnecting or paused */
    int64_t recv_ms;         /* monotonic: the last message from the walsender */
    bool stream_only;        /* nothing pending on the sink: waiting for the stream */
} cdc_signals;

typedef struct cdc_watchdog cdc_watchdog;

/* Once a second, from the metrics' thread; *w is created on first use.
 * src: the metrics' source connection (NULL while it is down), to ask
 * about the walsender when the stall is the stream's. */
void cdc_watchdog_turn(cdc_watchdog **w, engine_runner *r, PGconn *src, const cdc_signals *s);
/* Clears a stall still shown, closes its sink connection, frees it. */
void cdc_watchdog_free(cdc_watchdog **w, engine_runner *r);

#endif
