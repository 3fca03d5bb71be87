/* Data validation: does the sink hold the same rows as the source?
 *
 * Per table, the primary key's span is cut into ranges of about
 * range_rows rows (bounds picked on the source from a block sample of the
 * key, so any key type works). For each range both servers run the same
 * query: row count and the sum of a 64-bit hash of every row's text
 * (order-independent, so PostgreSQL may scan the range in any order and
 * in parallel). A range whose count or sum differ is a mismatch, named by
 * its key bounds; its rows are then fetched from both sides as (key,
 * hash) to name the rows that are missing, extra or different.
 *
 * Full mode checks every range, and the table's exact row count is the
 * sum of the ranges'. When the key is not in the table's physical order
 * (a random UUID; pg_stats correlation under 0.5 or unknown), a range
 * would be read from pages all over the table, so in full mode each side
 * instead scans the table once, grouping rows into the same ranges with
 * width_bucket (single-column keys). Sampled mode checks `sample` random ranges per table
 * and counts the rows with count(*). A table without a primary key is one
 * range: whole-table count and digest.
 *
 * Each side gets `jobs` connections reading one exported snapshot
 * (REPEATABLE READ), and the source and sink queries run at the same
 * time, so the wall time is about that of the slower side's scan.
 * Sessions are pinned to the same output settings (DateStyle ISO, UTC,
 * extra_float_digits 3, bytea hex) so a row prints the same on both.
 * Columns are named explicitly in the source's order, so a sink with the
 * columns in another order still compares.
 *
 *   pgp_val_opts o = {.full = true, .progress = cb, .ud = me, .cancel = &stop};
 *   pgp_val_report r;
 *   if (!pgp_validate(&src, &snk, &objects, &o, &r, &err)) -> err.msg
 *   pgp_val_ok(&r)  -> every table and range matched
 *   pgp_val_report_free(&r);
 *
 * pgp_validate blocks its thread; the progress callback runs on it after
 * each range (or count) is compared, and returning false stops the run,
 * as does *cancel becoming true (running queries are cancelled within
 * about 100 ms). A stopped run returns true with report.cancelled set.
 *
 * When a table has a column of type oid or lo, the large objects of both
 * servers are compared too, object by object (report.lobs). */
#ifndef MIGTOP_PGPROBE_VALIDATE_H
#define MIGTOP_PGPROBE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/arena.h"
#include "model/task.h"
#include "pgprobe/conn.h"
#include "pgprobe/lobs.h"

/* A row that differs inside a mismatching range. */
typedef enum pgp_val_row_kind {
    PGP_ROW_MISSING,  /* on the source, not on the sink */
    PGP_ROW_EXTRA,    /* on the sink, not on the source */
    PGP_ROW_CHANGED,  /* on both, different content */
} pgp_val_row_kind;

typedef struct pgp_val_row {
    pgp_val_row_kind kind;
    const char *key;  /* the key values as "(v1, v2)"-style text: "(42)" */
} pgp_val_row;

typedef struct pgp_val_range {
    size_t index;               /* position among the table's ranges */
    const char *const *lo;      /* key values as text, one per key column; NULL: open */
    const char *const *hi;      /* exclusive; NULL: open */
    const char *where;          /* the bounds for people: "aid >= 100001 AND aid < 200001" */
    bool checked;               /* compared (sampled mode checks some) */
    int64_t source_rows, sink_rows;
    const char *source_sum, *sink_sum;
    bool match;
    const char *error;          /* a query on one side failed: its message */
    pgp_val_row *rows;          /* the differing rows found, at most PGP_VAL_MAX_ROWS */
    size_t n_rows;
    size_t n_rows_total;        /* how many differ in all (rows holds the first ones) */
} pgp_val_range;

#define PGP_VAL_MAX_ROWS 20

typedef struct pgp_val_table {
    const char *schema, *name, *qname;
    const char *const *key;     /* primary key columns; n_key 0: none */
    size_t n_key;
    const char *problem;        /* why it was not compared (missing on the sink ...), or NULL */
    int64_t source_rows, sink_rows; /* exact counts; -1 when not known */
    pgp_val_range *ranges;
    size_t n_ranges;
    size_t n_checked, n_mismatch;
    bool one_scan;              /* every range from one grouped scan a side (see below) */
    bool match;
} pgp_val_table;

typedef struct pgp_val_progress {
    const pgp_val_table *table;
    const pgp_val_range *range; /* NULL: the table's count(*) in sampled mode */
    size_t done, total;         /* comparisons done and planned, over every table */
} pgp_val_progress;

typedef struct pgp_val_opts {
    bool full;                  /* every range; else `sample` random ranges per table */
    int sample;                 /* default 8 */
    int64_t range_rows;         /* rows per range, default 100000 */
    int jobs;                   /* connections per side, default 2 */
    int timeout_s;              /* connect timeout, default 10 */
    bool no_rows;               /* do not look for the differing rows */
    unsigned seed;              /* picks the sampled ranges; 0: from the clock */
    const volatile bool *cancel;
    bool (*progress)(void *ud, const pgp_val_progress *p);
    void *ud;
} pgp_val_opts;

typedef struct pgp_val_report {
    arena a;                    /* owns everything below */
    pgp_val_table *tables;
    size_t n_tables;
    const char *const *missing; /* migration objects named but absent on the source */
    size_t n_missing;
    bool full, cancelled;
    bool snapshot;              /* each side read one exported snapshot */
    size_t n_mismatch_tables;
    /* When the tables reference large objects: every one compared, in
     * the same snapshots (pgprobe/lobs.h). */
    pgp_lob_report lobs;
    double seconds;
} pgp_val_report;

bool pgp_validate(const pgp_endpoint *src, const pgp_endpoint *snk, const mt_objects *o,
                  const pgp_val_opts *opt, pgp_val_report *out, pgp_error *err);

/* Every table compared and matched, nothing missing, not cancelled, the
 * large objects (if any) equal. */
bool pgp_val_ok(const pgp_val_report *r);

void pgp_val_report_free(pgp_val_report *r);

#endif
