/* Sequences at cutover: CDC (logical decoding) does not carry sequence
 * advances, so after the last write on the source every sequence of the
 * migration objects' schemas must be moved on the sink to where the source
 * has it, or the first INSERT on the sink collides with a migrated key.
 *
 *   pgp_seq_report r;
 *   pgp_seq_read(src, snk, &objects, margin, &r, &err);  both sides, the plan
 *   r.v[i].setval_sql                                     the statement, or NULL
 *   pgp_seq_apply(snk, &r, &err);       plan in one transaction, re-read, verify
 *   pgp_seq_ok(&r)                      nothing left to do, nothing failed
 *   pgp_seq_report_free(&r);
 *
 * Which sequences: every sequence in a schema the objects name (a whole
 * schema, or the schema of a named table), less the black list (a
 * black-listed schema, or sequences owned by a black-listed table). A
 * sequence that a selected table uses (owned by it, or in a column
 * default) or that lives in a wholly selected schema is "needed": missing
 * on the sink, it is a failure; any other one missing on the sink is only
 * noted, since the migration did not create it.
 *
 * The plan keeps the source's is_called, so a sequence that was setval'd
 * with is_called=false hands out exactly the same next value on the sink.
 * A margin moves the target that many values further in the sequence's
 * direction, for writes that may still land on the source. A sink that is
 * already past the target is left alone: moving a sequence back can only
 * create duplicate keys. */
#ifndef MIGTOP_PGPROBE_SEQUENCES_H
#define MIGTOP_PGPROBE_SEQUENCES_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/arena.h"
#include "model/task.h"
#include "pgprobe/conn.h"

typedef enum pgp_seq_state {
    PGP_SEQ_IN_SYNC,      /* the sink already has the target value */
    PGP_SEQ_SET,          /* setval planned (or applied, see verified) */
    PGP_SEQ_SINK_AHEAD,   /* the sink is past the target; not moved back */
    PGP_SEQ_MISSING,      /* needed, but absent on the sink: a failure */
    PGP_SEQ_NOT_ON_SINK,  /* not used by the objects and absent on the sink: noted */
    PGP_SEQ_OUT_OF_RANGE, /* target outside the sink sequence's min..max: a failure */
} pgp_seq_state;

typedef struct pgp_seq_value {
    int64_t last_value;
    bool is_called;
} pgp_seq_value;

typedef struct pgp_seq {
    const char *schema, *name;
    const char *qname;      /* quote_ident(schema).quote_ident(name), the sink's when it has it */
    bool needed;
    int64_t increment;      /* the source's */
    pgp_seq_value source;
    bool on_sink;
    pgp_seq_value sink;     /* before apply; valid when on_sink */
    int64_t sink_min, sink_max;
    pgp_seq_value target;   /* source + margin */
    pgp_seq_state state;
    const char *setval_sql; /* SELECT setval('...'::regclass, v, b); only for PGP_SEQ_SET */
    /* After pgp_seq_apply: what the sink holds now and whether it is the target. */
    bool applied, verified;
    pgp_seq_value after;
} pgp_seq;

typedef struct pgp_seq_report {
    arena a;                /* owns every string and the array */
    pgp_seq *v;
    size_t n;
    int64_t margin;
    bool applied;           /* pgp_seq_apply ran and committed */
} pgp_seq_report;

/* Reads the sequences and their values on both sides and builds the plan.
 * margin >= 0. Fails on a query error (for example no SELECT/USAGE on a
 * sequence: the server's message names it). */
bool pgp_seq_read(PGconn *src, PGconn *snk, const mt_objects *o, int64_t margin,
                  pgp_seq_report *out, pgp_error *err);

/* Runs every planned setval on the sink in one transaction (rolled back on
 * the first error), then re-reads the sink and fills after/verified. A
 * report with nothing planned only re-reads. */
bool pgp_seq_apply(PGconn *snk, pgp_seq_report *r, pgp_error *err);

/* The plan as one script: BEGIN; setval...; COMMIT; "" when empty. */
char *pgp_seq_plan_sql(pgp_seq_report *r);

/* True when no sequence is missing or out of range and every planned one
 * is in sync: before apply, that means nothing was planned; after it,
 * that every setval verified. */
bool pgp_seq_ok(const pgp_seq_report *r);

/* "in-sync", "setval", "sink-ahead", "missing-on-sink", "not-on-sink",
 * "out-of-range": stable ids for JSON and tests. */
const char *pgp_seq_state_id(pgp_seq_state s);

void pgp_seq_report_free(pgp_seq_report *r);

#endif
