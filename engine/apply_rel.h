/* Where a source relation's changes go on the sink, and in what shape:
 * the sink table of the same name, or, for a partition the sink does not
 * have (the sink is partitioned differently, or not at all), the sink's
 * table of the source's partition root, which routes the rows itself.
 * Its columns are matched by name with the sink's types (for the casts
 * that give every parameter its type) and identity kinds (an INSERT into a
 * GENERATED ALWAYS column needs OVERRIDING SYSTEM VALUE). A column the
 * sink lacks, or one whose type differs, is a structure difference: CDC
 * pauses with it named, and resumes when the sink matches. */
#ifndef MIGTOP_ENGINE_APPLY_REL_H
#define MIGTOP_ENGINE_APPLY_REL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/pgoutput_decode.h"

typedef struct apply_col {
    char *sink_type;      /* format_type on the sink, without typmod: "public.ct" */
    bool identity_always; /* GENERATED ALWAYS AS IDENTITY on the sink */
    /* A REPLICA IDENTITY FULL row is also compared in the column's type
     * (c = $n::type) where that is cheap or finds it through an index:
     * the column leads a btree index on the sink, or its type is of fixed
     * width with an = of its own. */
    bool typed_eq;
} apply_col;

typedef struct apply_target {
    char *qname;          /* the sink table, quoted */
    bool partitioned;     /* a partitioned table on the sink: no TRUNCATE ONLY, no FREEZE */
    bool redirected;      /* a source partition written through the sink's root */
    char *part_filter;    /* redirected: the partition's constraint, to TRUNCATE it by DELETE */
    bool identity_always; /* some column is GENERATED ALWAYS AS IDENTITY */
    int unique_indexes;   /* unique or exclusion indexes on the sink (the key's among them) */
    apply_col *cols;      /* one per column of the Relation message */
} apply_target;

/* Looks rel up. query_sink runs a query on the sink session (inside the
 * applier's pipeline), src is a plain connection to the source for its
 * catalog. False with err set; *structure when the reason is a difference
 * of structure (missing table, columns or types), not a failure. */
typedef PGresult *(*apply_query_fn)(void *ctx, const char *sql, int n, const char *const *params);
bool apply_target_resolve(const pgo_relation *rel, apply_query_fn query_sink, void *ctx,
                          PGconn *src, apply_target *t, bool *structure, char *err,
                          size_t errlen);
void apply_target_free(apply_target *t);

#endif
