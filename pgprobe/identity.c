#include "pgprobe/identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The best fix: a unique index on NOT NULL columns can become the
 * replica identity at once; else a primary key, or FULL as the fallback. */
static const char *IDENT_SQL =
    "SELECT (c.relnamespace::regnamespace::text || '.' || quote_ident(c.relname)), c.relreplident::text,"
    "       (SELECT quote_ident(ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
    "         WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid"
    "           AND i.indpred IS NULL AND i.indexprs IS NULL"
    "           AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey) k JOIN pg_attribute a"
    "                           ON a.attrelid = c.oid AND a.attnum = k WHERE NOT a.attnotnull)"
    "         ORDER BY i.indexrelid LIMIT 1)"
    /* A partitioned table's partitions are what is published. */
    " FROM pg_class c WHERE c.relkind = 'r' AND (c.oid = ANY($1::oid[]) OR c.oid IN"
    "   (SELECT t.relid FROM unnest($1::oid[]) o, LATERAL pg_partition_tree(o) t))"
    "   AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS"
    "        (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))"
    " ORDER BY 1";

static void line(strbuf *b, size_t *lines, size_t max, const char *text)
{
    if (++*lines > max)
        return;
    if (b->n)
        strbuf_put(b, "\n", 1);
    strbuf_printf(b, "%s", text);
}

static void close_list(strbuf *b, size_t lines, size_t max)
{
    if (lines > max)
        strbuf_printf(b, "\n... and %zu more", lines - max);
}

int pgp_missing_identity(PGconn *c, const char *oids, size_t max, strbuf *found, strbuf *fix,
                         pgp_error *err)
{
    const char *p[1] = {oids};
    PGresult *r = pgp_query(c, IDENT_SQL, 1, p, err);
    if (!r)
        return -1;
    int n = PQntuples(r);
    size_t nf = 0, nx = 0;
    for (int i = 0; i < n; i++) {
        const char *tab = PQgetvalue(r, i, 0), *idx = PQgetvalue(r, i, 2);
        bool nothing = !strcmp(PQgetvalue(r, i, 1), "n");
        char t[1400];
        snprintf(t, sizeof t, "%s: %s", tab, nothing ? "REPLICA IDENTITY NOTHING" : "no primary key");
        line(found, &nf, max, t);
        if (*idx)
            snprintf(t, sizeof t, "ALTER TABLE %s REPLICA IDENTITY USING INDEX %s;", tab, idx);
        else
            snprintf(t, sizeof t, "ALTER TABLE %s ADD PRIMARY KEY (...);  -- or: ALTER TABLE %s "
                     "REPLICA IDENTITY FULL;", tab, tab);
        line(fix, &nx, max, t);
    }
    close_list(found, nf, max);
    close_list(fix, nx, max);
    PQclear(r);
    return n;
}
