/* What validate_plan.c hands validate_run.c: per table, the columns and
 * key as both servers must see them, and the SQL of each comparison. */
#ifndef MIGTOP_PGPROBE_VALIDATE_INTERNAL_H
#define MIGTOP_PGPROBE_VALIDATE_INTERNAL_H

#include <libpq-fe.h>

#include "pgprobe/validate.h"

typedef struct val_col {
    const char *name;   /* as in the catalog */
    const char *ident;  /* quote_ident(name) */
    const char *type;   /* format_type(): the cast for key bounds */
    int key_pos;        /* 1-based position in the primary key, 0 if not in it */
    bool collatable;    /* a text-like type: its order depends on a collation */
    const char *expr;   /* key columns: "t.col", or "t.col COLLATE \"C\"" (see val_plan) */
} val_col;

typedef struct val_tplan {
    pgp_val_table *t;   /* the report's entry */
    val_col *cols;
    size_t n_cols;
    const val_col **key; /* t->n_key of them, in key order */
    const char *from;    /* "ONLY s.t AS t" ("s.t AS t" for a partitioned table) */
    const char *row;     /* "ROW(t.a, t.b, ...)::text": the row as both sides print it */
    const char *hash;    /* its 64-bit hash, by a function both servers have */
    int64_t estimate;    /* planner's row estimate on the source */
    int64_t pages;       /* the source table's size in 8 kB pages (0: partitioned) */
    bool byte_order;     /* text keys compared COLLATE "C": the sides' collations differ */
    bool scattered;      /* the key is not in physical order on the source */
} val_tplan;

/* One comparison: the same SQL and parameters on both sides. range NULL:
 * the table's count(*) (sampled mode). */
typedef struct val_job {
    val_tplan *plan;
    pgp_val_range *range;    /* NULL: the table's count(*), or its grouped scan */
    bool scan;               /* one row per range: width_bucket, count, sum */
    const char *sql;
    int nparams;
    const char *const *params;
    struct {
        bool done;
        int64_t rows;
        const char *sum;
        const char *error;
        int64_t *bucket_rows;     /* scan: per range */
        const char **bucket_sum;
    } side[2];
} val_job;

/* Session settings both sides use, so rows print alike. */
extern const char *const VAL_SESSION_SQL;

/* Resolves the tables on the source, their columns and keys, checks them
 * on the sink (filling t->problem), and cuts each into ranges: a block
 * sample of the key on the source, one range per range_rows rows. */
bool val_plan(PGconn *src, PGconn *snk, const mt_objects *o, const pgp_val_opts *opt,
              pgp_val_report *rep, val_tplan **plans, pgp_error *err);

/* The jobs to run: every range (full) or `sample` random ones plus a
 * count(*) per table (sampled). Tables with a problem get none. */
val_job *val_jobs(pgp_val_report *rep, val_tplan *plans, const pgp_val_opts *opt,
                  size_t *n_jobs);

/* SELECT key_text, row_hash of a range's rows: to name the rows that
 * differ. Same parameters as the range's job. */
const char *val_rows_sql(arena *a, const val_tplan *p, const pgp_val_range *r);

#endif
