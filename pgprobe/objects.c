#include "pgprobe/objects.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The objects go to the server as one JSON document, [[schema, table|null,
 * is_white], ...], so no name needs escaping into SQL text. */
static char *objects_json(const mt_objects *o)
{
    cJSON *arr = cJSON_CreateArray();
    const mt_schema_obj *lists[2] = {o->white, o->black};
    size_t ns[2] = {o->n_white, o->n_black};
    for (int w = 0; w < 2; w++) {
        for (size_t i = 0; i < ns[w]; i++) {
            const mt_schema_obj *s = &lists[w][i];
            bool whole = s->is_all || !s->n_tables;
            for (size_t j = 0; j < (whole ? 1 : s->n_tables); j++) {
                cJSON *e = cJSON_CreateArray();
                cJSON_AddItemToArray(e, cJSON_CreateString(s->schema));
                cJSON_AddItemToArray(e, whole ? cJSON_CreateNull()
                                              : cJSON_CreateString(s->tables[j].name));
                cJSON_AddItemToArray(e, cJSON_CreateBool(w == 0));
                cJSON_AddItemToArray(arr, e);
            }
        }
    }
    char *txt = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (!txt)
        abort();
    return txt;
}

static const char *RESOLVE_SQL =
    "WITH o AS (SELECT x->>0 AS s, x->>1 AS t, (x->>2)::bool AS white"
    "           FROM jsonb_array_elements($1::jsonb) x)"
    " SELECT 't', c.oid::text, n.nspname, c.relname, c.relkind::text,"
    "        c.reltuples::bigint::text, pg_relation_size(c.oid)::text"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
    "   AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                   AND d.objid = c.oid AND d.deptype = 'e')"
    "   AND EXISTS (SELECT 1 FROM o WHERE o.white AND o.s = n.nspname"
    "               AND (o.t IS NULL OR o.t = c.relname))"
    "   AND NOT EXISTS (SELECT 1 FROM o WHERE NOT o.white AND o.s = n.nspname"
    "                   AND (o.t IS NULL OR o.t = c.relname))"
    " UNION ALL"
    " SELECT 'm', NULL, o.s, o.t, NULL, NULL, NULL FROM o"
    " WHERE o.white AND NOT EXISTS (SELECT 1 FROM pg_namespace n"
    "   LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = o.t"
    "   WHERE n.nspname = o.s AND (o.t IS NULL OR c.oid IS NOT NULL))"
    " ORDER BY 1 DESC, 3, 4";

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

bool pgp_tables_resolve(PGconn *c, const mt_objects *o, pgp_tables *out, pgp_error *err)
{
    memset(out, 0, sizeof *out);
    char *json = objects_json(o);
    const char *params[1] = {json};
    PGresult *r = pgp_query(c, RESOLVE_SQL, 1, params, err);
    free(json);
    if (!r)
        return false;
    int rows = PQntuples(r);
    out->v = calloc((size_t)rows + 1, sizeof *out->v);
    out->missing = calloc((size_t)rows + 1, sizeof *out->missing);
    if (!out->v || !out->missing)
        abort();
    for (int i = 0; i < rows; i++) {
        if (PQgetvalue(r, i, 0)[0] == 'm') {
            const char *s = PQgetvalue(r, i, 2), *t = PQgetvalue(r, i, 3);
            size_t n = strlen(s) + strlen(t) + 2;
            char *m = malloc(n);
            if (!m)
                abort();
            if (PQgetisnull(r, i, 3))
                snprintf(m, n, "%s", s);
            else
                snprintf(m, n, "%s.%s", s, t);
            out->missing[out->n_missing++] = m;
            continue;
        }
        pgp_table *t = &out->v[out->n++];
        t->oid = (unsigned)strtoul(PQgetvalue(r, i, 1), NULL, 10);
        t->schema = xstrdup(PQgetvalue(r, i, 2));
        t->name = xstrdup(PQgetvalue(r, i, 3));
        t->qname = pgp_quote_qualified(c, t->schema, t->name);
        t->relkind = PQgetvalue(r, i, 4)[0];
        t->reltuples = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        t->bytes = strtoll(PQgetvalue(r, i, 6), NULL, 10);
    }
    PQclear(r);
    return true;
}

void pgp_tables_free(pgp_tables *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].schema);
        free(t->v[i].name);
        free(t->v[i].qname);
    }
    for (size_t i = 0; i < t->n_missing; i++)
        free(t->missing[i]);
    free(t->v);
    free(t->missing);
    memset(t, 0, sizeof *t);
}

char *pgp_tables_oid_array(const pgp_tables *t)
{
    size_t cap = 3 + t->n * 12, o = 0;
    char *s = malloc(cap);
    if (!s)
        abort();
    s[o++] = '{';
    for (size_t i = 0; i < t->n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%u", i ? "," : "", t->v[i].oid);
    s[o++] = '}';
    s[o] = 0;
    return s;
}

char *pgp_tables_names_json(const pgp_tables *t)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < t->n; i++) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateString(t->v[i].schema));
        cJSON_AddItemToArray(e, cJSON_CreateString(t->v[i].name));
        cJSON_AddItemToArray(arr, e);
    }
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (!s)
        abort();
    return s;
}
