/* The applier's state, shared by apply.c (relations, changes, groups) and
 * apply_pipe.c (the pipeline: sending, reading results as they come,
 * waiting without ever ignoring the stop flag). */
#ifndef MIGTOP_ENGINE_APPLY_INTERNAL_H
#define MIGTOP_ENGINE_APPLY_INTERNAL_H

#include "engine/apply.h"
#include "engine/apply_rel.h"
#include "engine/key_set.h"
#include "model/strbuf.h"

/* Results read at a time once this many statements are in flight: small
 * enough that neither side's socket buffer fills with unread results. */
#define APPLY_MAX_IN_FLIGHT 2000
#define APPLY_NOTES 4096 /* > APPLY_MAX_IN_FLIGHT: a note per statement in flight */

typedef struct stmt {
    char *key;      /* shape: kind, old kind, per-column presence */
    char *sql;      /* its text, to name it when it fails */
    char name[24];
} stmt;

/* Changes of one shape on one table waiting to go as one statement
 * (apply_batch.c): each row's parameters copied (the decoder reuses its
 * memory), and its key, to keep the keys of a batch distinct. */
typedef struct abatch {
    int rows, np;
    strbuf shape;          /* of the rows (rows > 0) */
    size_t st1, st_mid, st_max; /* ar->st indexes: 1 row, APPLY_BATCH_MID, APPLY_BATCH_MAX */
    strbuf vals;           /* every value with its NUL */
    long *offs;            /* rows * np offsets into vals, -1: NULL */
    size_t cap_offs;
    strbuf keys;           /* each row's key with its NUL */
    key_set key_hashes;    /* of keys: most changes' keys are not in the batch */
    size_t garbage;        /* bytes of vals no row points to (coalesced updates) */
    bool gated;            /* a row waits for the other lane's group (apply_on_gate) */
    char what[160];
} abatch;

typedef struct arel {
    uint32_t relid;
    unsigned version; /* of the Relation this entry was built for */
    apply_target t;
    stmt *st;
    size_t n_st, cap_st;
    abatch b;
} arel;

#define APPLY_BATCH_MAX 128
#define APPLY_BATCH_MID 16
/* Past this many bytes of replaced values a batch is sent rather than
 * coalesce again: its memory stays bounded whatever a transaction does
 * to one row. */
#define APPLY_COALESCE_MAX (4u << 20)
/* A full batch that is gated grows to this many rows while its gate is
 * shut: the wait comes at the commit, where it costs nothing. */
#define APPLY_GATED_MAX 1024

/* What a statement in flight was, to say which one failed. */
typedef struct stmt_note {
    char what[160]; /* "UPDATE on "public"."t"" */
    const char *sql; /* the prepared text, or NULL; valid while its arel lives */
} stmt_note;

/* A commit's sync in flight. */
typedef struct commit_mark {
    uint64_t end_lsn;
    int64_t commit_ts_us;
} commit_mark;

struct cdc_apply {
    PGconn *c, *src;
    char origin[200]; /* the task's replication origin, taken at each commit */
    const atomic_bool *stop;
    /* The pipeline. Statements are numbered as sent (sent) and as their
     * results are read (done); a sync is not a statement. */
    uint64_t sent, done, flush_asked;
    bool mid_result;        /* a statement's result read, its NULL not yet */
    int syncs;              /* syncs sent, unread */
    commit_mark mark;       /* of the one commit in flight (syncs == 1) */
    uint64_t capture;       /* a statement whose result is kept (query_now), 0 none */
    PGresult *captured;
    stmt_note notes[APPLY_NOTES];
    char first_err[1200];
    int64_t last_result_ms;
    /* The sink transaction and what became durable. */
    bool in_txn, xs_prepared;
    uint64_t durable_lsn;
    int64_t durable_ts_us;
    unsigned next_stmt;
    arel *rels;
    size_t n_rels, cap_rels;
    int64_t rows;
    const char **vals;
    size_t cap_vals;
    int repeats; /* keys changed again in the open transaction (apply_repeats) */
    /* Buffers reused for every change: a statement's key, a batch row's
     * key and shape. */
    strbuf stmt_key, batch_key, batch_shape;
    apply_gate gate; /* apply_on_gate */
    /* apply_on_stall */
    void (*stall_fn)(void *);
    void *stall_ctx;
    int stall_ms;
};

/* apply.c: the statement of key for ar (text from apply_sql_change for
 * one row, apply_sql_batch for more), prepared on first use; its index
 * in ar->st, or -1 with err. */
long apply_stmt_for(cdc_apply *a, arel *ar, const pgo_msg *m, int rows, char *err,
                    size_t errlen);
/* a->vals has room for n parameters. */
void apply_want_vals(cdc_apply *a, size_t n);

/* apply_batch.c. batch_add: m (apply_sql_batchable) joins its table's
 * batch (the batch there goes first if its shape differs or has m's key,
 * and a full one goes at once); an UPDATE of a key the batch holds, of
 * the same shape, replaces that row's values instead (see there); gated:
 * the batch is not sent before the gate (apply_on_gate) let it.
 * batch_flush sends a table's batch,
 * batch_flush_all every one (before a statement that must come after
 * them: a TRUNCATE, a savepoint, a COMMIT); batch_drop forgets them. */
bool batch_add(cdc_apply *a, arel *ar, const pgo_msg *m, bool gated, char *err,
               size_t errlen);
bool batch_flush(cdc_apply *a, arel *ar, char *err, size_t errlen);
bool batch_flush_all(cdc_apply *a, char *err, size_t errlen);
void batch_drop(arel *ar);
void batch_free(arel *ar);

/* apply_pipe.c. Sending: false with first_err set when libpq refuses. */
bool pipe_send_sql(cdc_apply *a, const char *sql, const char *what);
bool pipe_send_params(cdc_apply *a, const char *sql, int n, const char *const *params,
                      const char *what);
bool pipe_send_prepare(cdc_apply *a, const char *name, const char *sql);
bool pipe_send_prepared(cdc_apply *a, const char *name, int n, const char *const *vals,
                        const char *what, const char *sql);
bool pipe_send_sync(cdc_apply *a);
/* Reads what arrived; false when the connection broke or a statement failed. */
bool pipe_take(cdc_apply *a);
/* Waits until the statement numbered upto has its result and, with
 * syncs, until no sync is in flight; false on failure or stop. */
bool pipe_wait(cdc_apply *a, uint64_t upto, bool syncs);
/* One statement run now and its result returned (caller PQclear), NULL
 * on failure: used for the sink's catalog inside the open transaction. */
PGresult *pipe_query(cdc_apply *a, const char *sql, int n, const char *const *params);
/* "what: why" from first_err (or the connection's error). */
void pipe_fail(cdc_apply *a, char *err, size_t errlen, const char *what);

#endif
