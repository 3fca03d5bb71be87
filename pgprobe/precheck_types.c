/* Extensions: every one the objects need (a column's type, a DEFAULT's or
 * a CHECK's function, an index's operator class, one installed in a
 * schema migrated whole: pgprobe/closure.h) must be creatable on the sink
 * (installed, installable, or not there at all), named with the object
 * that needs it; what the closure cannot migrate is named with why; and
 * what the KubeBlocks 5.0 pg2pg template refuses (user-defined types,
 * arrays) is flagged as a warning. */
#include <stdlib.h>
#include <string.h>

#include "pgprobe/closure.h"
#include "pgprobe/precheck_internal.h"

/* One row per column worth a look: its element type (for arrays), the
 * extension owning that type, and whether it is a type of the user's own. */
static const char *COLUMNS_SQL =
    "SELECT (c.relnamespace::regnamespace::text || '.' || quote_ident(c.relname)), quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),"
    "       t.typcategory = 'A', coalesce(x.extname, ''),"
    "       x.oid IS NULL AND en.nspname NOT IN ('pg_catalog', 'information_schema'),"
    "       CASE et.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite'"
    "            WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange'"
    "            ELSE 'type' END"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " JOIN pg_type t ON t.oid = a.atttypid"
    " JOIN pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0"
    "                                  THEN t.typelem ELSE t.oid END"
    " JOIN pg_namespace en ON en.oid = et.typnamespace"
    " LEFT JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = et.oid"
    "                      AND d.deptype = 'e'"
    " LEFT JOIN pg_extension x ON x.oid = d.refobjid"
    " WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped"
    "   AND (t.typcategory = 'A' OR x.oid IS NOT NULL"
    "        OR en.nspname NOT IN ('pg_catalog', 'information_schema'))"
    " ORDER BY 5, 1, a.attnum";

static const char *EXT_SQL =
    "SELECT (SELECT extversion FROM pg_extension WHERE extname = $1),"
    "       (SELECT default_version FROM pg_available_extensions WHERE name = $1),"
    "       coalesce((SELECT bool_or((to_jsonb(v) ->> 'trusted')::bool)"
    "                 FROM pg_available_extension_versions v"
    "                 WHERE name = $1), false),"
    "       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
    "       has_database_privilege(current_database(), 'CREATE')";

static const char *package_hint(pgp_pc *pc, const char *ext)
{
    int major = pc->rep->sink_version / 10000;
    if (!strncmp(ext, "postgis", 7))
        return arena_printf(&pc->rep->a, "apt-get install postgresql-%d-postgis-3 (or the "
                            "image / add-on carrying PostGIS) on the sink's host",
                            major);
    return arena_printf(&pc->rep->a, "install the package providing extension %s for "
                        "PostgreSQL %d on the sink's host", ext, major);
}

static void one_extension(pgp_pc *pc, const char *ext, const char *columns)
{
    const char *p[1] = {ext};
    pgp_error err;
    const char *id = arena_printf(&pc->rep->a, "sink.extension.%s", ext);
    const char *title = arena_printf(&pc->rep->a, "extension %s on the sink", ext);
    PGresult *r = pgp_query(pc->sink, EXT_SQL, 1, p, &err);
    if (!r) {
        pc_query_failed(pc, id, &err);
        return;
    }
    const char *q = pc_ident(pc, pc->sink, ext);
    bool installed = !PQgetisnull(r, 0, 0), available = !PQgetisnull(r, 0, 1);
    bool trusted = !strcmp(PQgetvalue(r, 0, 2), "t"), super = !strcmp(PQgetvalue(r, 0, 3), "t");
    bool dbcreate = !strcmp(PQgetvalue(r, 0, 4), "t");
    if (installed)
        pgp_report_add(pc->rep, id, title, PGP_CHECK_OK, NULL,
                       "%s %s is installed on the sink; needed by %s", ext, PQgetvalue(r, 0, 0),
                       columns);
    else if (available && (super || (trusted && dbcreate)))
        pgp_report_add(pc->rep, id, title, PGP_CHECK_WARN,
                       arena_printf(&pc->rep->a, "CREATE EXTENSION %s;  -- init-struct does it too", q),
                       "%s is not installed on the sink but available to install (version %s), "
                       "and %s may create it; needed by %s",
                       ext, PQgetvalue(r, 0, 1), pc->sink_user, columns);
    else if (available)
        pgp_report_add(pc->rep, id, title, PGP_CHECK_FAIL,
                       arena_printf(&pc->rep->a, "-- as a superuser, in database %s of the sink:\n"
                                    "CREATE EXTENSION %s;", pc->sink_db, q),
                       "%s is not installed on the sink; it is available to install (version "
                       "%s) but %s cannot create it (%s); needed by %s",
                       ext, PQgetvalue(r, 0, 1), pc->sink_user,
                       trusted ? "no CREATE on the database" : "not a trusted extension: needs a superuser",
                       columns);
    else
        pgp_report_add(pc->rep, id, title, PGP_CHECK_FAIL,
                       arena_printf(&pc->rep->a, "%s\nCREATE EXTENSION %s;", package_hint(pc, ext), q),
                       "%s is not available on the sink at all (not in pg_available_extensions: "
                       "its files are not installed there); needed by %s",
                       ext, columns);
    PQclear(r);
}

/* The not-migrated objects, as one warning naming each with why. */
static void not_migrated(pgp_pc *pc, const pgp_closure *c)
{
    pc_text found = {0};
    for (size_t i = 0; i < c->n_skipped; i++)
        pc_item(&found, PC_LIST_MAX, "%s %s: %s", c->skipped[i].kind, c->skipped[i].name,
                c->skipped[i].why);
    pc_item_close(&found, PC_LIST_MAX);
    pgp_report_add(pc->rep, "source.not_migrated", "every object of the selection is migrated",
                   found.items ? PGP_CHECK_WARN : PGP_CHECK_OK,
                   found.items ? "add what they need to --migration-object, or accept that "
                                 "they stay behind" : NULL,
                   "%s%s", found.items ? "not migrated:\n" : "nothing is left out",
                   pc_str(&found));
    pc_text_free(&found);
}

static void closure_checks(pgp_pc *pc)
{
    unsigned *oids = calloc(pc->tables.n + 1, sizeof *oids);
    if (!oids)
        abort();
    for (size_t i = 0; i < pc->tables.n; i++)
        oids[i] = pc->tables.v[i].oid;
    const char *schemas[256];
    size_t ns = pgp_whole_schemas(pc->in->objects, schemas, 256);
    pgp_closure c;
    pgp_error err;
    bool ok = pgp_closure_build(pc->src, oids, pc->tables.n, schemas, ns, &c, &err);
    free(oids);
    if (!ok) {
        pc_query_failed(pc, "source.objects_needed", &err);
        return;
    }
    size_t n_ext = 0;
    for (size_t i = 0; i < c.n; i++)
        if (c.v[i].kind && !strcmp(c.v[i].kind, "extension") && ++n_ext)
            one_extension(pc, c.v[i].name,
                          c.v[i].needed_by ? c.v[i].needed_by : "the migrated objects");
    if (!n_ext)
        pgp_report_add(pc->rep, "sink.extensions", "extensions the objects need on the sink",
                       PGP_CHECK_OK, NULL, "the objects need no extension");
    not_migrated(pc, &c);
    pgp_closure_free(&c);
}

void pc_types(pgp_pc *pc)
{
    if (!pc->have_tables || !pc->tables.n)
        return;
    const char *p[1] = {pc->oids};
    pgp_error err;
    PGresult *r = pgp_query(pc->src, COLUMNS_SQL, 1, p, &err);
    if (!r) {
        pc_query_failed(pc, "source.column_types", &err);
        return;
    }
    int n = PQntuples(r);
    pc_text udt = {0}, arr = {0};
    for (int i = 0; i < n; i++) {
        const char *col = arena_printf(&pc->rep->a, "%s.%s %s", PQgetvalue(r, i, 0),
                                       PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
        if (!strcmp(PQgetvalue(r, i, 5), "t"))
            pc_item(&udt, PC_LIST_MAX, "%s (%s)", col, PQgetvalue(r, i, 6));
        if (!strcmp(PQgetvalue(r, i, 3), "t"))
            pc_item(&arr, PC_LIST_MAX, "%s", col);
    }
    closure_checks(pc);
    if (pc_kubeblocks_template(pc)) {
        const char *fix = "the KubeBlocks 5.0 pg2pg template cannot migrate these columns: use "
                          "migtop's local engine, change the column type, or leave the table out "
                          "of --migration-object";
        size_t nu = udt.items, na = arr.items;
        pc_item_close(&udt, PC_LIST_MAX);
        pc_item_close(&arr, PC_LIST_MAX);
        pgp_report_add(pc->rep, "template.user_types", "no user-defined column types (template)",
                       nu ? PGP_CHECK_WARN : PGP_CHECK_OK, fix, "%s%zu column(s) of user-defined types%s%s",
                       "", nu, nu ? ":\n" : "", pc_str(&udt));
        pgp_report_add(pc->rep, "template.arrays", "no array columns (template)",
                       na ? PGP_CHECK_WARN : PGP_CHECK_OK, fix, "%zu array column(s)%s%s", na,
                       na ? ":\n" : "", pc_str(&arr));
    }
    pc_text_free(&udt);
    pc_text_free(&arr);
    PQclear(r);
}
