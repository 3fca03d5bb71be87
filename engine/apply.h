/* Applies decoded source changes to the sink, in the sink session that
 * owns the task's replication origin. Every change goes through libpq's
 * pipeline mode: statements prepared once per relation and column shape
 * are sent without waiting, and results are read in batches, so one
 * round trip serves a whole group of source transactions. The caller
 * groups: apply_txn_end records a source commit in the origin, and
 * apply_commit makes everything since the last one durable in a single
 * sink transaction. Any failure leaves the sink transaction aborted: the
 * caller drops the connection and resumes from the origin.
 *
 * Conflict policy "override", like the add-on's CDC default: an insert of
 * a key that exists overwrites the row (INSERT ... ON CONFLICT (key) DO
 * UPDATE). Tables with REPLICA IDENTITY FULL and no key find rows by every
 * column (compared as text, so types without an equality operator work)
 * and touch one row at a time (ctid), so duplicate rows stay duplicates.
 * Unchanged TOAST values are left out of the UPDATE. The sink session runs
 * with session_replication_role = replica, as PostgreSQL's own apply
 * worker does: triggers recreated from the source do not fire twice. */
#ifndef MIGTOP_ENGINE_APPLY_H
#define MIGTOP_ENGINE_APPLY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/pgoutput_decode.h"

typedef struct cdc_apply cdc_apply;

/* Takes over sink (a connection with the origin already set up). */
cdc_apply *apply_new(PGconn *sink, char *err, size_t errlen);
void apply_free(cdc_apply *a); /* closes the connection too */

/* A Relation message: compares its columns with the sink table's. On a
 * difference returns false, sets *structure = true and err names the
 * table and the difference. */
bool apply_relation(cdc_apply *a, const pgo_relation *rel, bool *structure, char *err,
                    size_t errlen);
/* Insert, Update, Delete, Truncate (d resolves Truncate's relids). The
 * relation is checked first (apply_relation) when its shape is new. */
bool apply_change(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                  char *err, size_t errlen);
/* A source transaction's Commit: records it in the origin. */
bool apply_txn_end(cdc_apply *a, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                   size_t errlen);
/* Commits the open sink transaction (if any) and waits for it. */
bool apply_commit(cdc_apply *a, char *err, size_t errlen);
/* Reads results until at most max_pending statements are in flight, so a
 * large source transaction never piles up unread results. */
bool apply_drain(cdc_apply *a, int max_pending, char *err, size_t errlen);
bool apply_in_txn(const cdc_apply *a);
int64_t apply_rows(const cdc_apply *a); /* rows changed since apply_new */

#endif
