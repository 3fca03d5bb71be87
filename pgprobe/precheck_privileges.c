/* The source account: LOGIN, REPLICATION, SELECT on every selected table
 * (and USAGE on its schema), the right to create the publication, and
 * the monitoring role live readings need. */
#include <stdlib.h>
#include <string.h>

#include "pgprobe/precheck_internal.h"

static const char *ROLE_SQL =
    "SELECT r.rolcanlogin, r.rolreplication, r.rolsuper,"
    "       coalesce((SELECT string_agg(g.rolname, ', ') FROM pg_roles g"
    "                 WHERE g.rolname IN ('rds_replication', 'azure_pg_admin',"
    "                                     'cloudsqlsuperuser', 'alloydbsuperuser')"
    "                   AND pg_has_role(r.oid, g.oid, 'MEMBER')), ''),"
    "       pg_has_role(r.oid, 'pg_monitor', 'MEMBER')"
    "         OR pg_has_role(r.oid, 'pg_read_all_stats', 'MEMBER'),"
    "       has_database_privilege(current_database(), 'CREATE')"
    " FROM pg_roles r WHERE r.rolname = current_user";

static void role_checks(pgp_pc *pc, bool *can_create_in_db)
{
    pgp_error err;
    PGresult *r = pgp_query(pc->src, ROLE_SQL, 0, NULL, &err);
    if (!r) {
        pc_query_failed(pc, "source.role", &err);
        return;
    }
    const char *u = pc_ident(pc, pc->src, pc->src_user);
    bool login = !strcmp(PQgetvalue(r, 0, 0), "t"), repl = !strcmp(PQgetvalue(r, 0, 1), "t");
    bool super = !strcmp(PQgetvalue(r, 0, 2), "t");
    const char *cloud = PQgetvalue(r, 0, 3);
    bool monitor = !strcmp(PQgetvalue(r, 0, 4), "t");
    *can_create_in_db = !strcmp(PQgetvalue(r, 0, 5), "t");
    arena *a = &pc->rep->a;
    pgp_report_add(pc->rep, "source.login", "source account can log in",
                   login ? PGP_CHECK_OK : PGP_CHECK_FAIL, arena_printf(a, "ALTER ROLE %s LOGIN;", u),
                   "role %s %s", pc->src_user, login ? "has LOGIN" : "has no LOGIN");
    pgp_status st = super || repl || *cloud ? PGP_CHECK_OK
                    : pc->in->cdc           ? PGP_CHECK_FAIL
                                            : PGP_CHECK_WARN;
    pgp_report_add(pc->rep, "source.replication_role", "source account may replicate", st,
                   arena_printf(a, "ALTER ROLE %s REPLICATION;", u), "role %s %s%s", pc->src_user,
                   super  ? "is a superuser"
                   : repl ? "has REPLICATION"
                   : *cloud ? "is a member of "
                            : "has neither REPLICATION nor superuser: it cannot open the "
                              "replication connection CDC reads changes from",
                   super || repl ? "" : cloud);
    pgp_report_add(pc->rep, "source.monitoring", "source account sees other sessions",
                   super || monitor ? PGP_CHECK_OK : PGP_CHECK_WARN,
                   arena_printf(a, "GRANT pg_monitor TO %s;", u), "role %s %s", pc->src_user,
                   super || monitor ? "is a superuser or member of pg_monitor / pg_read_all_stats"
                                    : "is not in pg_monitor: write activity of other roles' "
                                      "sessions (cutover: \"no writes for N s\") is hidden from it");
    PQclear(r);
}

static const char *READ_SQL =
    "SELECT (c.relnamespace::regnamespace::text || '.' || quote_ident(c.relname)), n.nspname, has_schema_privilege(n.oid, 'USAGE'),"
    "       has_table_privilege(c.oid, 'SELECT'), pg_has_role(c.relowner, 'USAGE')"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.oid = ANY($1::oid[]) ORDER BY 1";

void pc_source_privileges(pgp_pc *pc)
{
    bool can_create = false;
    role_checks(pc, &can_create);
    if (!pc->have_tables || !pc->tables.n)
        return;
    const char *p[1] = {pc->oids};
    pgp_error err;
    PGresult *r = pgp_query(pc->src, READ_SQL, 1, p, &err);
    if (!r) {
        pc_query_failed(pc, "source.select", &err);
        return;
    }
    const char *u = pc_ident(pc, pc->src, pc->src_user);
    pc_text found = {0}, fix = {0}, nowner = {0};
    size_t denied = 0;
    const char *last_schema = "";
    for (int i = 0; i < PQntuples(r); i++) {
        const char *tab = PQgetvalue(r, i, 0), *nsp = PQgetvalue(r, i, 1);
        bool usage = !strcmp(PQgetvalue(r, i, 2), "t"), sel = !strcmp(PQgetvalue(r, i, 3), "t");
        if (strcmp(PQgetvalue(r, i, 4), "t"))
            pc_item(&nowner, PC_LIST_MAX, "%s", tab);
        if (usage && sel)
            continue;
        denied++;
        pc_item(&found, PC_LIST_MAX, "%s: %s", tab, !usage ? "no USAGE on its schema" : "no SELECT");
        if (!usage && strcmp(last_schema, nsp)) {
            pc_item(&fix, PC_LIST_MAX, "GRANT USAGE ON SCHEMA %s TO %s;", pc_ident(pc, pc->src, nsp), u);
            last_schema = arena_strdup(&pc->rep->a, nsp);
        }
        if (!sel)
            pc_item(&fix, PC_LIST_MAX, "GRANT SELECT ON %s TO %s;", tab, u);
    }
    pc_item_close(&found, PC_LIST_MAX);
    pc_item_close(&fix, PC_LIST_MAX);
    if (denied)
        pgp_report_add(pc->rep, "source.select", "source account reads every table", PGP_CHECK_FAIL,
                       pc_str(&fix), "%s cannot read %zu of %zu table(s):\n%s", pc->src_user, denied,
                       pc->tables.n, pc_str(&found));
    else
        pgp_report_add(pc->rep, "source.select", "source account reads every table", PGP_CHECK_OK,
                       NULL, "%s can read all %zu table(s)", pc->src_user, pc->tables.n);

    /* CREATE PUBLICATION ... FOR TABLE needs CREATE on the database and
     * ownership of each table; FOR ALL TABLES (the KubeBlocks template's
     * publication) needs a superuser. */
    if (pc->in->cdc) {
        pc_item_close(&nowner, PC_LIST_MAX);
        bool ok = pc->src_super || (can_create && !nowner.items);
        bool kubeblocks = pc_kubeblocks_template(pc);
        pc_text pfix = {0};
        if (!can_create)
            pc_printf(&pfix, "GRANT CREATE ON DATABASE %s TO %s;\n",
                      pc_ident(pc, pc->src, pc->src_db), u);
        if (nowner.items)
            pc_printf(&pfix, "-- or create the publication beforehand as a superuser or the "
                             "tables' owner");
        pgp_report_add(
            pc->rep, "source.publication", "source account can create the publication",
            ok ? (pc->src_super || !kubeblocks ? PGP_CHECK_OK : PGP_CHECK_WARN) : PGP_CHECK_FAIL,
            ok ? "a superuser can create the KubeBlocks template's FOR ALL TABLES publication"
               : pc_str(&pfix),
            "%s%s%s%s", pc->src_super ? "superuser: may create any publication" : "",
            !pc->src_super && ok ? "may create a FOR TABLE publication (CREATE on the database, "
                                   "owns every table), not FOR ALL TABLES (superuser only)"
                                 : "",
            !ok && !can_create ? "no CREATE on the database. " : "",
            !ok && nowner.items
                ? arena_printf(&pc->rep->a, "does not own %zu table(s), which a publication "
                                            "requires:\n%s",
                               nowner.items, pc_str(&nowner))
                : "");
        pc_text_free(&pfix);
    }
    pc_text_free(&found);
    pc_text_free(&fix);
    pc_text_free(&nowner);
    PQclear(r);
}
