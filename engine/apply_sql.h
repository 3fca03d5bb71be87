/* The text of the statements that apply decoded changes on the sink, and
 * the parameters each takes, so the applier (apply.c) only sends them.
 * One statement per relation and shape (which columns came, which were
 * unchanged TOAST, which old tuple): inserts overwrite an existing key
 * (ON CONFLICT ... DO UPDATE), keyed updates and deletes find the row by
 * its key, tables with REPLICA IDENTITY FULL and no key by every old
 * column compared as text (and in its type where an index or a cheap
 * test helps), one row at a time (ctid). */
#ifndef MIGTOP_ENGINE_APPLY_SQL_H
#define MIGTOP_ENGINE_APPLY_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/apply_rel.h"
#include "engine/pgoutput_decode.h"
#include "model/strbuf.h"

/* The shape of m's statement: what decides its text (appended to b). */
void apply_sql_shape(const pgo_msg *m, strbuf *b);
/* The statement for m on its target t (quoted identifiers through c),
 * every parameter cast to its column's type on the sink; NULL with err
 * when such a change cannot find its row (no replica identity, a key
 * column that came as unchanged TOAST). malloc'd. */
char *apply_sql_change(PGconn *c, const pgo_msg *m, const apply_target *t, char *err,
                       size_t errlen);
/* A change that changes nothing (an UPDATE of a table without columns). */
bool apply_sql_noop(const pgo_msg *m);
/* Rows found by their key columns (not REPLICA IDENTITY FULL, some key
 * column), else by their whole old row. */
bool apply_sql_keyed(const pgo_relation *rel);
/* The parameters of m's statement on t in the order its text numbers
 * them; vals has room for APPLY_SQL_MAX_PARAMS. Returns their number. */
#define APPLY_SQL_MAX_PARAMS(rel) ((size_t)(rel)->ncols * 3 + 1)
int apply_sql_params(const pgo_msg *m, const apply_target *t, const char **vals);
/* One TRUNCATE of every target that is a table on the sink, as the
 * source's Truncate said (CASCADE, RESTART IDENTITY); b stays empty when
 * there is none. A target that is a source partition written through the
 * sink's root is emptied with apply_sql_truncate_partition. */
void apply_sql_truncate(strbuf *b, const apply_target *const *targets, int n, bool cascade,
                        bool restart_identity);
void apply_sql_truncate_partition(strbuf *b, const apply_target *t);

/* Batches: consecutive changes of one shape on one table, with distinct
 * keys, in one statement (a multi-row INSERT ... ON CONFLICT, UPDATE ...
 * FROM (VALUES ...), DELETE ... USING (VALUES ...)), found by key
 * whatever the planner's statistics say, as the one-row statements are.
 * Batchable, on a table of its own on the sink (not a partition written
 * through its root): an INSERT (rows go in in order); on a keyed table
 * also an UPDATE that keeps its key, of a table without GENERATED ALWAYS
 * identities or a unique index besides the key's (the rows of one UPDATE
 * change in the plan's order), or a DELETE, whose key came whole. */
bool apply_sql_batchable(const pgo_msg *m, const apply_target *t);
/* The key of m's row as text (its values, each followed by 0x1f);
 * nothing for a table without a key. */
void apply_sql_batch_key(const pgo_msg *m, strbuf *b);
/* The statement for rows changes of m's shape; its parameters are each
 * row's apply_sql_params in turn. malloc'd. */
char *apply_sql_batch(PGconn *c, const pgo_msg *m, const apply_target *t, int rows);

#endif
