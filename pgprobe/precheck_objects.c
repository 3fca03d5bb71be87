/* The migration objects exist, and every table can have its updates and
 * deletes replicated: a primary key, or a replica identity (an index or
 * FULL). Without one, logical decoding sends no old key, and with the
 * publication in place the source even refuses UPDATE/DELETE on it. */
#include <string.h>

#include "pgprobe/precheck_internal.h"

static void existence(pgp_pc *pc)
{
    const pgp_tables *t = &pc->tables;
    if (t->n_missing) {
        pc_text found = {0};
        for (size_t i = 0; i < t->n_missing; i++)
            pc_item(&found, PC_LIST_MAX, "%s", t->missing[i]);
        pc_item_close(&found, PC_LIST_MAX);
        pgp_report_add(pc->rep, "source.objects", "every migration object exists", PGP_CHECK_FAIL,
                       "check --migration-object: names are case-sensitive and written "
                       "schema.table, e.g. '\"Sales\".\"Order Items\"'",
                       "not found on the source (database %s):\n%s", pc->src_db, pc_str(&found));
        pc_text_free(&found);
    } else if (!t->n) {
        pgp_report_add(pc->rep, "source.objects", "every migration object exists", PGP_CHECK_FAIL,
                       "name at least one schema or table in --migration-object",
                       "the migration objects select no table in database %s", pc->src_db);
    } else {
        pc_text found = {0};
        for (size_t i = 0; i < t->n; i++)
            pc_item(&found, 8, "%s", t->v[i].qname);
        pc_item_close(&found, 8);
        for (char *p = found.b.s; p && *p; p++)
            if (*p == '\n')
                *p = ' ';
        pgp_report_add(pc->rep, "source.objects", "every migration object exists", PGP_CHECK_OK,
                       NULL, "%zu table(s): %s", t->n, pc_str(&found));
        pc_text_free(&found);
    }
}

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
    " FROM pg_class c WHERE c.oid = ANY($1::oid[])"
    "   AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS"
    "        (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))"
    " ORDER BY 1";

static void replica_identity(pgp_pc *pc)
{
    const char *p[1] = {pc->oids};
    pgp_error err;
    PGresult *r = pgp_query(pc->src, IDENT_SQL, 1, p, &err);
    if (!r) {
        pc_query_failed(pc, "source.replica_identity", &err);
        return;
    }
    const char *title = "every table has a primary key or replica identity";
    int n = PQntuples(r);
    if (!n) {
        pgp_report_add(pc->rep, "source.replica_identity", title, PGP_CHECK_OK, NULL,
                       "all %zu table(s) have a primary key or a replica identity", pc->tables.n);
        PQclear(r);
        return;
    }
    pc_text found = {0}, fix = {0};
    for (int i = 0; i < n; i++) {
        const char *tab = PQgetvalue(r, i, 0), *idx = PQgetvalue(r, i, 2);
        bool nothing = !strcmp(PQgetvalue(r, i, 1), "n");
        pc_item(&found, PC_LIST_MAX, "%s: %s", tab,
                nothing ? "REPLICA IDENTITY NOTHING" : "no primary key");
        if (*idx)
            pc_item(&fix, PC_LIST_MAX, "ALTER TABLE %s REPLICA IDENTITY USING INDEX %s;", tab, idx);
        else
            pc_item(&fix, PC_LIST_MAX,
                    "ALTER TABLE %s ADD PRIMARY KEY (...);  -- or: ALTER TABLE %s REPLICA "
                    "IDENTITY FULL;",
                    tab, tab);
    }
    pc_item_close(&found, PC_LIST_MAX);
    pc_item_close(&fix, PC_LIST_MAX);
    pgp_report_add(pc->rep, "source.replica_identity", title, PGP_CHECK_FAIL, pc_str(&fix),
                   "%d table(s) whose UPDATE and DELETE cannot be replicated (and which the "
                   "source refuses to update once they are published):\n%s",
                   n, pc_str(&found));
    pc_text_free(&found);
    pc_text_free(&fix);
    PQclear(r);
}

void pc_objects(pgp_pc *pc)
{
    if (!pc->have_tables)
        return;
    existence(pc);
    if (pc->in->cdc && pc->tables.n)
        replica_identity(pc);
}
