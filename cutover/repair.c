#include "cutover/repair.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/lobs.h"
#include "engine/struct_after.h"

unsigned *cut_lobs_to_copy(const pgp_lob_report *r, size_t *n)
{
    *n = 0;
    unsigned *v = NULL;
    for (size_t i = 0; i < r->n_diff; i++) {
        if (r->diff[i].kind == PGP_LOB_EXTRA)
            continue; /* on the sink only: left as it is */
        if (!v && !(v = malloc(r->n_diff * sizeof *v)))
            abort();
        v[(*n)++] = r->diff[i].oid;
    }
    return v;
}

static PGconn *open_end(const pgp_endpoint *ep, const char *what, const volatile bool *cancel,
                        char *err, size_t errlen)
{
    pgp_error e = {0};
    PGconn *c = pgp_connect_cancelable(ep, "migtop-cutover", 10, false, cancel, &e);
    if (!c)
        snprintf(err, errlen, "cannot connect to the %s: %s", what, e.msg);
    return c;
}

bool cut_lobs_copy(const pgp_endpoint *src, const pgp_endpoint *sink, const unsigned *oids,
                   size_t n, const volatile bool *cancel, size_t *copied, char *err,
                   size_t errlen)
{
    *copied = 0;
    PGconn *s = open_end(src, "source", cancel, err, errlen);
    PGconn *k = s ? open_end(sink, "sink", cancel, err, errlen) : NULL;
    bool ok = s && k;
    _Atomic int64_t done = 0, bytes = 0;
    for (size_t i = 0; ok && i < n; i++) {
        if (cancel && *cancel) {
            snprintf(err, errlen, "cancelled after %zu of %zu large objects", *copied, n);
            ok = false;
            break;
        }
        ok = engine_copy_lob_list(s, k, &oids[i], 1, &done, &bytes, NULL, err, errlen);
        *copied = (size_t)done;
    }
    PQfinish(s);
    PQfinish(k);
    return ok;
}

/* The whole schemas among the objects, as a JSON array of names. */
static char *whole_schemas(const mt_objects *o)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < o->n_white; i++)
        if (o->white[i].is_all)
            cJSON_AddItemToArray(a, cJSON_CreateString(o->white[i].schema));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    if (!s)
        abort();
    return s;
}

bool cut_matviews_refresh(const pgp_endpoint *sink, const mt_objects *o,
                          const volatile bool *cancel, size_t *refreshed, char *err,
                          size_t errlen)
{
    *refreshed = 0;
    PGconn *k = open_end(sink, "sink", cancel, err, errlen);
    if (!k)
        return false;
    char *schemas = whole_schemas(o);
    const char *p[1] = {schemas};
    pgp_error e = {0};
    PGresult *r = pgp_query(k,
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'm' AND n.nspname IN (SELECT jsonb_array_elements_text($1::jsonb))"
        " ORDER BY 1", 1, p, &e);
    free(schemas);
    bool ok = r != NULL;
    if (!ok)
        snprintf(err, errlen, "listing the sink's materialized views: %s", e.msg);
    if (ok && PQntuples(r)) {
        size_t n = (size_t)PQntuples(r);
        char **views = calloc(n, sizeof *views);
        if (!views)
            abort();
        for (size_t i = 0; i < n; i++)
            views[i] = PQgetvalue(r, (int)i, 0);
        ok = engine_refresh_matviews(k, views, n, err, errlen);
        if (ok)
            *refreshed = n;
        free(views);
    }
    PQclear(r);
    PQfinish(k);
    return ok;
}
