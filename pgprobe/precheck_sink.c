/* The sink account: LOGIN, CREATE on the database (new schemas,
 * extensions) and on the schemas that already exist, and INSERT, UPDATE,
 * DELETE, TRUNCATE (and SELECT, for validation) on tables already there. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/precheck_internal.h"

static const char *SINK_SQL =
    "WITH t AS (SELECT x->>0 AS s, x->>1 AS n FROM jsonb_array_elements($1::jsonb) x)"
    " SELECT 's', quote_ident(ns.nspname), NULL,"
    "        has_schema_privilege(ns.oid, 'USAGE') AND has_schema_privilege(ns.oid, 'CREATE'), NULL,"
    "        0"
    " FROM pg_namespace ns WHERE ns.nspname IN (SELECT s FROM t)"
    " UNION ALL"
    " SELECT 't', quote_ident(ns.nspname), (c.relnamespace::regnamespace::text || '.' || quote_ident(c.relname)),"
    "        has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')"
    "          AND has_table_privilege(c.oid, 'SELECT') AND has_schema_privilege(ns.oid, 'USAGE'),"
    "        concat_ws(', ', CASE WHEN NOT has_table_privilege(c.oid, 'SELECT') THEN 'SELECT' END,"
    "          CASE WHEN NOT has_table_privilege(c.oid, 'INSERT') THEN 'INSERT' END,"
    "          CASE WHEN NOT has_table_privilege(c.oid, 'UPDATE') THEN 'UPDATE' END,"
    "          CASE WHEN NOT has_table_privilege(c.oid, 'DELETE') THEN 'DELETE' END,"
    "          CASE WHEN NOT has_table_privilege(c.oid, 'TRUNCATE') THEN 'TRUNCATE' END),"
    "        " PGP_SQL_ROWS_HELD
    " FROM t JOIN pg_namespace ns ON ns.nspname = t.s"
    " JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = t.n AND c.relkind IN ('r', 'p')"
    " ORDER BY 1, 2, 3";

/* Tables that already hold rows on the sink: init-data refuses them unless
 * the task says to empty them or to keep their rows. */
static void rows_on_sink(pgp_pc *pc, const PGresult *r)
{
    pc_text found = {0};
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetvalue(r, i, 0)[0] != 't')
            continue;
        long long est = strtoll(PQgetvalue(r, i, 5), NULL, 10);
        if (est > 0)
            pc_item(&found, PC_LIST_MAX, "%s: ~%lld rows", PQgetvalue(r, i, 2), est);
        else if (est < 0)
            pc_item(&found, PC_LIST_MAX, "%s: holds rows (not analysed)", PQgetvalue(r, i, 2));
    }
    pc_item_close(&found, PC_LIST_MAX);
    const char *policy = pc->in->sink_tables ? pc->in->sink_tables : "fail";
    const char *title = "no sink table holds rows already";
    if (!found.items)
        pgp_report_add(pc->rep, "sink.rows", title, PGP_CHECK_OK, NULL,
                       "no migration table holds rows on the sink");
    else if (!strcmp(policy, "fail"))
        pgp_report_add(pc->rep, "sink.rows", title, PGP_CHECK_FAIL,
                       "check the sink's address first (these rows are not the migration's); "
                       "then create the task with --sink-tables truncate to empty them (each "
                       "one is logged), or --sink-tables append to keep them",
                       "%zu table(s) already hold rows on the sink, which init-data would "
                       "refuse:\n%s", found.items, pc_str(&found));
    else
        pgp_report_add(pc->rep, "sink.rows", title, PGP_CHECK_WARN, NULL,
                       "%zu table(s) already hold rows on the sink; --sink-tables %s: %s:\n%s",
                       found.items, policy, !strcmp(policy, "truncate") ? "they are emptied"
                                                                        : "their rows are kept",
                       pc_str(&found));
    pc_text_free(&found);
}

static void schemas_and_tables(pgp_pc *pc, const char *u)
{
    char *json = pgp_tables_names_json(&pc->tables);
    const char *p[1] = {json};
    pgp_error err;
    PGresult *r = pgp_query(pc->sink, SINK_SQL, 1, p, &err);
    free(json);
    if (!r) {
        pc_query_failed(pc, "sink.schemas", &err);
        return;
    }
    pc_text sfound = {0}, sfix = {0}, tfound = {0}, tfix = {0};
    size_t n_schemas = 0, n_tables = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        bool schema = PQgetvalue(r, i, 0)[0] == 's', ok = !strcmp(PQgetvalue(r, i, 3), "t");
        schema ? n_schemas++ : n_tables++;
        if (ok)
            continue;
        if (schema) {
            pc_item(&sfound, PC_LIST_MAX, "schema %s: no USAGE or CREATE", PQgetvalue(r, i, 1));
            pc_item(&sfix, PC_LIST_MAX, "GRANT USAGE, CREATE ON SCHEMA %s TO %s;",
                    PQgetvalue(r, i, 1), u);
        } else {
            const char *missing = PQgetvalue(r, i, 4);
            pc_item(&tfound, PC_LIST_MAX, "%s: missing %s", PQgetvalue(r, i, 2),
                    *missing ? missing : "USAGE on its schema");
            pc_item(&tfix, PC_LIST_MAX, "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON %s TO %s;",
                    PQgetvalue(r, i, 2), u);
        }
    }
    pc_item_close(&sfound, PC_LIST_MAX);
    pc_item_close(&sfix, PC_LIST_MAX);
    pc_item_close(&tfound, PC_LIST_MAX);
    pc_item_close(&tfix, PC_LIST_MAX);
    if (sfound.items)
        pgp_report_add(pc->rep, "sink.schemas", "sink account creates in existing schemas",
                       PGP_CHECK_FAIL, pc_str(&sfix), "%s", pc_str(&sfound));
    else
        pgp_report_add(pc->rep, "sink.schemas", "sink account creates in existing schemas",
                       PGP_CHECK_OK, NULL, "%zu of the source's schemas exist on the sink, %s may create in each",
                       n_schemas, pc->sink_user);
    if (tfound.items)
        pgp_report_add(pc->rep, "sink.tables", "sink account writes existing tables",
                       PGP_CHECK_FAIL, pc_str(&tfix), "%s", pc_str(&tfound));
    else
        pgp_report_add(pc->rep, "sink.tables", "sink account writes existing tables", PGP_CHECK_OK,
                       NULL, "%zu table(s) already exist on the sink, %s may write all of them",
                       n_tables, pc->sink_user);
    pc_text_free(&sfound);
    pc_text_free(&sfix);
    pc_text_free(&tfound);
    pc_text_free(&tfix);
    rows_on_sink(pc, r);
    PQclear(r);
}

void pc_sink_privileges(pgp_pc *pc)
{
    char v[8] = "";
    pgp_error err;
    const char *u = pc_ident(pc, pc->sink, pc->sink_user);
    if (!pgp_query_value(pc->sink, "SELECT has_database_privilege(current_database(), 'CREATE')",
                         0, NULL, v, sizeof v, &err)) {
        pc_query_failed(pc, "sink.create", &err);
        return;
    }
    pgp_report_add(pc->rep, "sink.login", "sink account can log in", PGP_CHECK_OK, NULL,
                   "%s logged in to %s", pc->sink_user, pc->sink_db);
    bool create = !strcmp(v, "t");
    pgp_report_add(pc->rep, "sink.create", "sink account may CREATE in the database",
                   create ? PGP_CHECK_OK : PGP_CHECK_FAIL,
                   arena_printf(&pc->rep->a, "GRANT CREATE ON DATABASE %s TO %s;",
                                pc_ident(pc, pc->sink, pc->sink_db), u),
                   "%s %s CREATE on database %s%s", pc->sink_user, create ? "has" : "lacks",
                   pc->sink_db, create ? "" : ": it cannot create the schemas init-struct needs");
    if (pc->have_tables && pc->tables.n)
        schemas_and_tables(pc, u);
}
