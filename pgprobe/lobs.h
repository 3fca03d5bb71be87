/* Large objects beside the migration's tables. A table references them
 * through a column of type oid or lo; init-data then copies every large
 * object with its oid (engine/lobs.h). Logical decoding does not carry
 * them, so what changes after init-data reaches the sink only when the
 * cutover's validation finds it and copies it again.
 *
 *   char refs[512];
 *   pgp_lob_refs(src, "[\"public.images\"]", refs, sizeof refs, &err);
 *       -> "public.images.data" ("" when nothing references them)
 *   pgp_lob_report r;
 *   pgp_lobs_compare(src, sink, &a, &r, &err);  // both in their snapshots
 *   r.n_missing, r.n_changed, r.n_extra; r.diff[i].oid
 *
 * The comparison reads pg_largeobject (a superuser, or a role granted
 * SELECT on it): per object its size and a digest of its pages, so a
 * large object of any size compares without being read into memory. */
#ifndef MIGTOP_PGPROBE_LOBS_H
#define MIGTOP_PGPROBE_LOBS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/arena.h"
#include "pgprobe/conn.h"

/* The columns of the tables (a JSON array of qualified names, as
 * regclass reads them) whose values may be large-object oids, as
 * "schema.table.column, ..." into out; "" when none. */
bool pgp_lob_refs(PGconn *c, const char *tables_json, char *out, size_t outlen, pgp_error *err);

typedef enum pgp_lob_diff_kind {
    PGP_LOB_MISSING, /* on the source only */
    PGP_LOB_EXTRA,   /* on the sink only */
    PGP_LOB_CHANGED, /* on both, different contents */
} pgp_lob_diff_kind;

typedef struct pgp_lob_diff {
    unsigned oid;
    pgp_lob_diff_kind kind;
} pgp_lob_diff;

typedef struct pgp_lob_report {
    bool checked;        /* compared (the tables reference large objects) */
    const char *refs;    /* the referencing columns */
    const char *problem; /* why they could not be compared, or NULL */
    int64_t source_count, sink_count, source_bytes;
    pgp_lob_diff *diff;  /* every difference, by oid */
    size_t n_diff, n_missing, n_extra, n_changed;
} pgp_lob_report;

/* Compares every large object of both servers (strings and diff live in
 * a). A privilege error is not a failure: it becomes r->problem. */
bool pgp_lobs_compare(PGconn *src, PGconn *sink, arena *a, pgp_lob_report *out,
                      pgp_error *err);

/* "3 large objects, 1 changed (oid 16401), 1 missing on the sink": one
 * line for people; "" when not checked. */
const char *pgp_lob_summary(arena *a, const pgp_lob_report *r);

/* Whether the comparison found them equal (or had nothing to compare). */
bool pgp_lobs_ok(const pgp_lob_report *r);

#endif
