#include "engine/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pg.h"

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

typedef struct strlist {
    const char **v;
    size_t n;
} strlist;

static void sl_add(strlist *l, const char *s)
{
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    if (!l->v)
        abort();
    l->v[l->n++] = s;
}

static const char *TABLES_SQL =
    "WITH want(s, t) AS (SELECT * FROM unnest($2::text[], $3::text[])),"
    " deny(s, t) AS (SELECT * FROM unnest($5::text[], $6::text[]))"
    " SELECT c.oid, n.nspname, c.relname, c.relpages, greatest(c.reltuples, 0)::bigint,"
    "        pg_relation_size(c.oid)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                   AND d.objid = c.oid AND d.deptype = 'e')"
    "   AND (n.nspname = ANY($1::text[]) OR (n.nspname, c.relname) IN (SELECT s, t FROM want))"
    "   AND NOT n.nspname = ANY($4::text[])"
    "   AND (n.nspname, c.relname) NOT IN (SELECT s, t FROM deny)"
    " ORDER BY pg_relation_size(c.oid) DESC, n.nspname, c.relname";

/* Splits a list into whole schemas and single tables. */
static void split_objects(const mt_schema_obj *s, size_t n, strlist *schemas, strlist *ts,
                          strlist *tt)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].is_all || !s[i].n_tables)
            sl_add(schemas, s[i].schema);
        for (size_t j = 0; j < s[i].n_tables; j++) {
            sl_add(ts, s[i].schema);
            sl_add(tt, s[i].tables[j].name);
        }
    }
}

bool engine_resolve_tables(PGconn *src, const mt_objects *o, engine_table **out, size_t *n,
                           char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    strlist ws = {0}, wts = {0}, wtt = {0}, bs = {0}, bts = {0}, btt = {0};
    split_objects(o->white, o->n_white, &ws, &wts, &wtt);
    split_objects(o->black, o->n_black, &bs, &bts, &btt);
    char *p[6] = {pg_text_array(ws.v, ws.n),   pg_text_array(wts.v, wts.n),
                  pg_text_array(wtt.v, wtt.n), pg_text_array(bs.v, bs.n),
                  pg_text_array(bts.v, bts.n), pg_text_array(btt.v, btt.n)};
    PGresult *r = pg_query(src, TABLES_SQL, 6, (const char *const *)p, err, errlen);
    bool ok = r != NULL;
    if (ok) {
        int rows = PQntuples(r);
        engine_table *t = calloc((size_t)rows + 1, sizeof *t);
        if (!t)
            abort();
        for (int i = 0; i < rows; i++) {
            t[i].oid = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
            t[i].schema = xstrdup(PQgetvalue(r, i, 1));
            t[i].name = xstrdup(PQgetvalue(r, i, 2));
            t[i].qname = pg_qualified(src, t[i].schema, t[i].name);
            t[i].relpages = strtoll(PQgetvalue(r, i, 3), NULL, 10);
            t[i].reltuples = strtoll(PQgetvalue(r, i, 4), NULL, 10);
            t[i].bytes = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        }
        *out = t;
        *n = (size_t)rows;
        /* A table named explicitly must exist: a typo is an error, not an
         * empty migration. */
        for (size_t w = 0; w < wts.n && ok; w++) {
            bool found = false;
            for (int i = 0; i < rows && !found; i++)
                found = !strcmp(t[i].schema, wts.v[w]) && !strcmp(t[i].name, wtt.v[w]);
            bool denied = false;
            for (size_t b = 0; b < bts.n; b++)
                denied |= !strcmp(bts.v[b], wts.v[w]) && !strcmp(btt.v[b], wtt.v[w]);
            if (!found && !denied) {
                snprintf(err, errlen, "table %s.%s not found on the source", wts.v[w], wtt.v[w]);
                ok = false;
            }
        }
        if (ok && !rows) {
            snprintf(err, errlen, "the migration objects select no table on the source");
            ok = false;
        }
        if (!ok) {
            engine_tables_free(t, (size_t)rows);
            *out = NULL;
            *n = 0;
        }
    }
    PQclear(r);
    for (int i = 0; i < 6; i++)
        free(p[i]);
    free(ws.v), free(wts.v), free(wtt.v), free(bs.v), free(bts.v), free(btt.v);
    return ok;
}

bool engine_table_fills_target(const engine_table *t)
{
    return !t->target_partitioned && !t->target_shared && !t->target_keep_rows;
}

void engine_tables_free(engine_table *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].schema);
        free(t[i].name);
        free(t[i].qname);
        free(t[i].target);
    }
    free(t);
}
