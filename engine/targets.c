/* Where init-data copies each table on the sink (catalog.h,
 * engine_resolve_targets): a sink partitioned differently from the source
 * (or not at all) still gets every row, through its own table of the
 * source's partition root, which routes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/catalog.h"
#include "engine/pg.h"

/* The sink's kind of schema.name: 'r', 'p', or 0 when it has none. */
static bool sink_kind(PGconn *sink, const char *schema, const char *name, char *kind, char *err,
                      size_t errlen)
{
    const char *p[2] = {schema, name};
    PGresult *r = pg_query(sink,
                           "SELECT c.relkind FROM pg_class c JOIN pg_namespace n"
                           " ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2"
                           " AND c.relkind IN ('r', 'p')",
                           2, p, err, errlen);
    if (!r)
        return false;
    *kind = PQntuples(r) ? PQgetvalue(r, 0, 0)[0] : 0;
    PQclear(r);
    return true;
}

/* The source table's partition root (schema, name), when it is a partition. */
static PGresult *source_root(PGconn *src, unsigned oid, char *err, size_t errlen)
{
    char o[16];
    snprintf(o, sizeof o, "%u", oid);
    const char *p[1] = {o};
    return pg_query(src,
                    "SELECT rn.nspname, rc.relname FROM pg_class rc"
                    " JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
                    " WHERE rc.oid = pg_partition_root($1::oid) AND rc.oid <> $1::oid",
                    1, p, err, errlen);
}

static bool resolve_one(PGconn *src, PGconn *sink, engine_table *t, char *err, size_t errlen)
{
    char kind, e2[700];
    if (!sink_kind(sink, t->schema, t->name, &kind, e2, sizeof e2)) {
        snprintf(err, errlen, "looking for %s on the sink: %s", t->qname, e2);
        return false;
    }
    if (kind) {
        t->target = strdup(t->qname);
        t->target_partitioned = kind == 'p';
        return t->target != NULL;
    }
    PGresult *root = source_root(src, t->oid, e2, sizeof e2);
    if (!root) {
        snprintf(err, errlen, "reading the partition root of %s on the source: %s", t->qname, e2);
        return false;
    }
    bool ok = PQntuples(root) == 1 &&
              sink_kind(sink, PQgetvalue(root, 0, 0), PQgetvalue(root, 0, 1), &kind, e2,
                        sizeof e2) && kind;
    if (ok) {
        t->target = pg_qualified(src, PQgetvalue(root, 0, 0), PQgetvalue(root, 0, 1));
        t->target_partitioned = kind == 'p';
    } else if (PQntuples(root) == 1) {
        snprintf(err, errlen, "table %s does not exist on the sink, nor does its partition root "
                 "%s.%s: create it there (or run init-struct)", t->qname,
                 PQgetvalue(root, 0, 0), PQgetvalue(root, 0, 1));
    } else {
        snprintf(err, errlen, "table %s does not exist on the sink: create it there (or run "
                 "init-struct)", t->qname);
    }
    PQclear(root);
    return ok;
}

bool engine_resolve_targets(PGconn *src, PGconn *sink, engine_table *t, size_t n, char *err,
                            size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].target);
        t[i].target = NULL;
        if (!resolve_one(src, sink, &t[i], err, errlen))
            return false;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j && !strcmp(t[i].target, t[j].target))
                t[i].target_shared = true;
    return true;
}
