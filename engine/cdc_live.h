/* A streamed transaction applied while it streams (pgoutput protocol 2+,
 * PostgreSQL 14+). A transaction bigger than the source's
 * logical_decoding_work_mem comes in chunks while it still runs; waiting
 * for its commit to apply a million rows puts the whole apply after the
 * commit. Here one such transaction at a time is applied as its chunks
 * arrive, in a second sink session, inside one sink transaction that
 * stays open until the source's Stream Commit: subtransactions become
 * savepoints (a Stream Abort of one rolls back to it), a Stream Abort of
 * the whole transaction rolls it back. At the commit the origin moves to
 * that session for the one commit, so the origin's position and the rows
 * become durable together, as for every other transaction; a crash
 * before it leaves nothing on the sink (the open transaction dies with
 * its connection) and the source streams the transaction again.
 *
 * Its changes are still spooled (cdc_spool.h): whenever applying live
 * fails or could wait on the other session (a lock, a structure change,
 * a lost connection), this session lets go (its transaction rolled back)
 * and the transaction is applied from the spool at its commit, as before.
 * A second streamed transaction open at the same time is spooled only.
 *
 * Locks: chunks come between whole source transactions; before a chunk
 * the main session's group is committed, so the live session never waits
 * on it; a source transaction that commits while this one is open did not
 * touch its rows (the source's row locks made it wait otherwise), so the
 * main session does not wait on the live one either. Should it still
 * (apply_on_stall), the live session lets go. */
#ifndef MIGTOP_ENGINE_CDC_LIVE_H
#define MIGTOP_ENGINE_CDC_LIVE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/apply.h"
#include "engine/pgoutput_decode.h"
#include "engine/run_state.h"

typedef struct cdc_live {
    engine_runner *r;
    PGconn *cat;          /* the source's catalog (the session's) */
    char main_pids[64];   /* the main sink sessions' backends, "{12,13}" */
    char origin[200];
    char appname[300];    /* the CDC sessions' (cdc_appname) */
    cdc_apply *a;         /* the second sink session; NULL until needed */
    uint32_t xid;         /* the transaction applied live; 0: none */
    bool failed;          /* let go of xid: its spool is applied at commit */
    uint32_t *subs;       /* its subtransactions' savepoints, in order */
    size_t n_subs, cap_subs;
    int64_t changes;      /* of xid applied so far */
    int64_t started_ms;
    bool committing;      /* in cdc_live_commit: not let go from apply_on_stall */
} cdc_live;

void cdc_live_init(cdc_live *l, engine_runner *r, PGconn *cat, const char *main_pids,
                   const char *origin, const char *appname);
void cdc_live_free(cdc_live *l); /* an open transaction dies with the session */

/* Stream Start: xid becomes the live one when none is and this is its
 * first chunk. True when xid is live (and its chunk goes there). */
bool cdc_live_start(cdc_live *l, uint32_t xid, bool first_segment);
bool cdc_live_active(const cdc_live *l, uint32_t xid); /* live, not let go */
/* A change of the live transaction (cdc_live_active; m->xid: its
 * subtransaction). A failure lets go and is logged, never an error of
 * the session. */
void cdc_live_change(cdc_live *l, const pgo_decoder *d, const pgo_msg *m);
/* Stream Abort of xid (subxid == xid: all of it). */
void cdc_live_abort(cdc_live *l, uint32_t xid, uint32_t subxid);
/* Reads what arrived without waiting (a failure lets go). */
void cdc_live_poll(cdc_live *l);
/* The live transaction's Stream Commit. The main sessions have committed
 * and settled everything before it; the origin comes here for this
 * commit and goes back (no session holds it at rest, apply_lanes.h).
 * skip: applied before a crash (the origin is past it): rolled back.
 * False (err) when the commit failed: the session ends. *rows: the
 * changes it committed. */
bool cdc_live_commit(cdc_live *l, uint64_t end_lsn, int64_t commit_ts_us, bool skip,
                     int64_t *rows, char *err, size_t errlen);
/* apply_on_stall of main: lets go of the live transaction when the main
 * session's wait is on it (asked of the sink's pg_blocking_pids). */
void cdc_live_let_go(void *live);

#endif
