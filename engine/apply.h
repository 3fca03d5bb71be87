/* Applies decoded source changes to the sink, in one sink session (of
 * the lanes that share the task's replication origin, apply_lanes.h).
 * Every change goes through libpq's pipeline mode on a non-blocking
 * connection: statements prepared once per relation and shape are sent
 * without waiting, and results are read
 * as they arrive, so one round trip serves a whole group of source
 * transactions and the caller keeps reading the stream meanwhile. The
 * caller groups: apply_commit ends the group with COMMIT, its last source
 * commit's position recorded in the origin, and a sync, without waiting for
 * it, and the group is durable once apply_durable_lsn() reaches its end
 * (one commit is in flight at a time: the next waits for it, so a group
 * never becomes durable without the one before it). Any failure leaves
 * the sink transaction aborted: the caller drops the connection and
 * resumes from the origin. Nothing here waits without watching the stop
 * flag, so a hung sink never keeps the runner from stopping.
 *
 * Where a change goes and with which types is apply_rel.h; the
 * statements' text is apply_sql.h. Conflict policy "override", like the
 * add-on's CDC default: an insert of a key that exists overwrites the row.
 * The sink session runs with session_replication_role = replica, as
 * PostgreSQL's own apply worker does: triggers recreated from the source
 * do not fire twice. */
#ifndef MIGTOP_ENGINE_APPLY_H
#define MIGTOP_ENGINE_APPLY_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/pgoutput_decode.h"

typedef struct cdc_apply cdc_apply;

/* Takes over sink (a connection to the sink, not holding the origin);
 * src is a plain connection to the source for its catalog (not taken
 * over); origin names the task's replication origin, taken at each
 * commit; waits end when *stop becomes true. */
cdc_apply *apply_new(PGconn *sink, PGconn *src, const char *origin, const atomic_bool *stop,
                     char *err, size_t errlen);
void apply_free(cdc_apply *a); /* closes the sink connection too */

/* A Relation message: finds its target on the sink and compares the
 * columns and their types. On a difference returns false, sets
 * *structure = true and err names the table and the difference. */
bool apply_relation(cdc_apply *a, const pgo_relation *rel, bool *structure, char *err,
                    size_t errlen);
/* Insert, Update, Delete, Truncate (d resolves Truncate's relids). The
 * relation is checked first (apply_relation) when its shape is new. */
bool apply_change(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                  char *err, size_t errlen);
/* Whether m (its relation checked) would wait in its table's batch
 * rather than go at once: a change apply_change_gated can hold back. */
bool apply_gatable(const cdc_apply *a, const pgo_msg *m);
/* apply_change, but with gated (m apply_gatable) the batch m joins is
 * not sent before the gate (apply_on_gate) returned: the row waits for
 * another session's transaction, and the rest of the group goes on. */
bool apply_change_gated(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool gated,
                        bool *structure, char *err, size_t errlen);
/* What a gated batch waits for: shut(ctx) says it would wait now (a
 * full batch then grows, up to a bound, rather than wait); wait(ctx, ...)
 * runs before it is sent, false failing the send (err says why). */
typedef struct apply_gate {
    bool (*shut)(void *ctx);
    bool (*wait)(void *ctx, char *err, size_t errlen);
    void *ctx;
} apply_gate;
void apply_on_gate(cdc_apply *a, apply_gate g);
/* Ends the group whose last source commit is end_lsn (commit_ts_us),
 * recorded in the origin by the same commit: waits for the commit in
 * flight, if any, then sends this one without waiting. The session takes
 * the origin for the commit and hands it back after, in the same
 * pipeline: sessions share it, one at a time (apply_lanes.h). */
bool apply_commit(cdc_apply *a, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                  size_t errlen);
/* The sink table of relid (checked by apply_relation) and whether its
 * changes conflict as a whole table: it has unique indexes besides the
 * key's, which rows of other keys may collide on. False: not checked. */
bool apply_scope(const cdc_apply *a, uint32_t relid, const char **qname, bool *whole);
/* Reads the results that arrived, without waiting; false on a failure
 * (err says which statement and why). */
bool apply_poll(cdc_apply *a, char *err, size_t errlen);
/* Waits until every commit sent returned (or stop); false on a failure. */
bool apply_settle(cdc_apply *a, char *err, size_t errlen);
/* The sink connection's socket, to poll for results. */
int apply_socket(const cdc_apply *a);
/* The end of the last group whose commit returned, and its commit time. */
uint64_t apply_durable_lsn(const cdc_apply *a);
int64_t apply_durable_ts(const cdc_apply *a);
bool apply_in_txn(const cdc_apply *a);
/* Something sent whose result has not come back (a statement or a commit). */
bool apply_busy(const cdc_apply *a);
/* Monotonic ms of the last result read (or of apply_new). */
int64_t apply_last_result_ms(const cdc_apply *a);
/* A statement of the open transaction (one is begun first): a SAVEPOINT
 * or a ROLLBACK TO SAVEPOINT of a streamed transaction applied live. */
bool apply_send(cdc_apply *a, const char *sql, const char *what, char *err, size_t errlen);
/* Ends the open transaction without a trace (ROLLBACK, not waited for). */
bool apply_rollback(cdc_apply *a, char *err, size_t errlen);
/* Called once a wait for results has seen none for stall_ms (and again
 * after each further stall_ms): the live session (cdc_live.h) lets go of
 * its locks there, so this session never waits on our other one. */
void apply_on_stall(cdc_apply *a, int stall_ms, void (*fn)(void *), void *ctx);
int apply_backend_pid(const cdc_apply *a); /* the sink session's, for pg_locks */
int64_t apply_rows(const cdc_apply *a);    /* rows changed since apply_new */
/* Changes in the open transaction to a row it had changed already (seen
 * where batches meet a key twice and cannot coalesce, apply_batch.c): a
 * hot row's versions piling up. */
int apply_repeats(const cdc_apply *a);

#endif
