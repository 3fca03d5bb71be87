#include "engine/apply_rel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pg.h"
#include "model/strbuf.h"

/* The sink's table: its kind and its stored columns (generated ones get
 * their values on the sink itself), in order. One row per column; a table
 * without columns gives one row whose name is NULL; no row: no table. */
static const char *SINK_SQL =
    "SELECT c.relkind, a.attname, CASE a.atttypid"
    /* A cast to "character" or "bit" is one to character(1) or bit(1),
     * which cuts the value: the type's own name has no length. */
    "  WHEN 'bpchar'::regtype THEN 'pg_catalog.bpchar'"
    "  WHEN '_bpchar'::regtype THEN 'pg_catalog.bpchar[]'"
    "  WHEN 'bit'::regtype THEN 'pg_catalog.\"bit\"'"
    "  WHEN '_bit'::regtype THEN 'pg_catalog.\"bit\"[]'"
    "  ELSE format_type(a.atttypid, NULL) END,"
    " format_type(a.atttypid, a.atttypmod), a.attidentity,"
    " (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid"
    "   AND (i.indisunique OR i.indisexclusion)),"
    " EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    "   JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum"
    "   AND am.amname = 'btree' AND i.indpred IS NULL)"
    " OR ((SELECT t.typlen > 0 FROM pg_type t WHERE t.oid = a.atttypid)"
    "   AND EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprname = '='"
    "     AND o.oprleft = a.atttypid AND o.oprright = a.atttypid))"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    "  AND a.attgenerated = ''"
    " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')"
    " ORDER BY a.attnum";

/* A partition's root on the source, and its partition constraint. */
static const char *ROOT_SQL =
    "SELECT rn.nspname, rc.relname, pg_get_partition_constraintdef($1::oid)"
    " FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
    " WHERE rc.oid = pg_partition_root($1::oid) AND rc.oid <> $1::oid";

/* The source's types of the relation's columns. */
static const char *SOURCE_TYPES_SQL =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
    " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped";

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

static int find_row(const PGresult *r, int col, const char *name)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (!PQgetisnull(r, i, col) && !strcmp(PQgetvalue(r, i, col), name))
            return i;
    return -1;
}

/* The sink table's rows (SINK_SQL) for nsp.name, NULL when it has none. */
static PGresult *sink_table(apply_query_fn q, void *ctx, const char *nsp, const char *name,
                            bool *failed)
{
    const char *params[2] = {nsp, name};
    PGresult *r = q(ctx, SINK_SQL, 2, params);
    *failed = !r;
    if (r && PQntuples(r) == 0) {
        PQclear(r);
        return NULL;
    }
    return r;
}

/* A source partition the sink has no table for: its root's table, when
 * the sink has that. */
static PGresult *via_root(const pgo_relation *rel, apply_query_fn q, void *ctx, PGconn *src,
                          apply_target *t, bool *failed, char *err, size_t errlen)
{
    char oid[16];
    snprintf(oid, sizeof oid, "%u", rel->relid);
    const char *params[1] = {oid};
    char e2[600];
    PGresult *root = pg_query(src, ROOT_SQL, 1, params, e2, sizeof e2);
    if (!root) {
        snprintf(err, errlen, "reading the partition root of %s.%s on the source: %s",
                 rel->nspname, rel->relname, e2);
        *failed = true;
        return NULL;
    }
    PGresult *r = NULL;
    if (PQntuples(root) == 1) {
        r = sink_table(q, ctx, PQgetvalue(root, 0, 0), PQgetvalue(root, 0, 1), failed);
        if (r) {
            t->redirected = true;
            t->qname = pg_qualified(src, PQgetvalue(root, 0, 0), PQgetvalue(root, 0, 1));
            t->part_filter = xstrdup(PQgetvalue(root, 0, 2));
        }
    }
    PQclear(root);
    return r;
}

/* Columns missing on the sink and columns whose type differs, named. */
static bool compare(const pgo_relation *rel, const PGresult *sink, const PGresult *srct,
                    const char *target, char *err, size_t errlen)
{
    strbuf missing = {0}, types = {0};
    for (int i = 0; i < rel->ncols; i++) {
        const char *name = rel->cols[i].name;
        int k = find_row(sink, 1, name);
        if (k < 0) {
            strbuf_printf(&missing, "%s\"%s\"", missing.n ? ", " : "", name);
            continue;
        }
        int s = find_row(srct, 0, name);
        const char *st = s >= 0 ? PQgetvalue(srct, s, 1) : "";
        if (s >= 0 && strcmp(st, PQgetvalue(sink, k, 3)))
            strbuf_printf(&types, "%s\"%s\" is %s on the source, %s on the sink",
                          types.n ? "; " : "", name, st, PQgetvalue(sink, k, 3));
    }
    bool ok = !missing.n && !types.n;
    if (missing.n)
        snprintf(err, errlen, "structure of %s.%s changed on the source: column(s) %s missing on "
                 "the sink table %s; add them on the sink and CDC resumes", rel->nspname,
                 rel->relname, strbuf_str(&missing), target);
    else if (types.n)
        snprintf(err, errlen, "column types of %s.%s differ: %s; make them equal on the sink "
                 "(ALTER TABLE %s ALTER COLUMN ... TYPE ...) and CDC resumes", rel->nspname,
                 rel->relname, strbuf_str(&types), target);
    strbuf_free(&missing);
    strbuf_free(&types);
    return ok;
}

static void fill_target(const pgo_relation *rel, const PGresult *sink, apply_target *t)
{
    t->partitioned = PQgetvalue(sink, 0, 0)[0] == 'p';
    t->unique_indexes = atoi(PQgetvalue(sink, 0, 5));
    t->cols = calloc((size_t)rel->ncols + 1, sizeof *t->cols);
    if (!t->cols)
        abort();
    for (int i = 0; i < rel->ncols; i++) {
        int k = find_row(sink, 1, rel->cols[i].name);
        t->cols[i].sink_type = xstrdup(PQgetvalue(sink, k, 2));
        t->cols[i].identity_always = PQgetvalue(sink, k, 4)[0] == 'a';
        t->cols[i].typed_eq = PQgetvalue(sink, k, 6)[0] == 't';
        t->identity_always |= t->cols[i].identity_always;
    }
}

bool apply_target_resolve(const pgo_relation *rel, apply_query_fn query_sink, void *ctx,
                          PGconn *src, apply_target *t, bool *structure, char *err,
                          size_t errlen)
{
    memset(t, 0, sizeof *t);
    *structure = false;
    bool failed;
    PGresult *sink = sink_table(query_sink, ctx, rel->nspname, rel->relname, &failed);
    if (failed) {
        snprintf(err, errlen, "reading the sink's table %s.%s", rel->nspname, rel->relname);
        return false;
    }
    if (!sink && !(sink = via_root(rel, query_sink, ctx, src, t, &failed, err, errlen))) {
        if (!failed) {
            *structure = true;
            snprintf(err, errlen, "table %s.%s does not exist on the sink", rel->nspname,
                     rel->relname);
        }
        apply_target_free(t);
        return false;
    }
    if (!t->qname)
        t->qname = pg_qualified(src, rel->nspname, rel->relname);
    char oid[16], e2[600];
    snprintf(oid, sizeof oid, "%u", rel->relid);
    const char *params[1] = {oid};
    PGresult *srct = pg_query(src, SOURCE_TYPES_SQL, 1, params, e2, sizeof e2);
    bool ok = srct != NULL;
    if (!ok)
        snprintf(err, errlen, "reading the column types of %s.%s on the source: %s",
                 rel->nspname, rel->relname, e2);
    else if (!(ok = compare(rel, sink, srct, t->qname, err, errlen)))
        *structure = true;
    else
        fill_target(rel, sink, t);
    PQclear(srct);
    PQclear(sink);
    if (!ok)
        apply_target_free(t);
    return ok;
}

void apply_target_free(apply_target *t)
{
    free(t->qname);
    free(t->part_filter);
    if (t->cols)
        for (size_t i = 0; t->cols[i].sink_type; i++)
            free(t->cols[i].sink_type);
    free(t->cols);
    memset(t, 0, sizeof *t);
}
