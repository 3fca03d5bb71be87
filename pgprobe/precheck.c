/* The precheck run: connect to both sides, then each topic adds its
 * checks (precheck_*.c). A side that cannot be reached is one failing
 * check with the classified reason; the checks needing it are skipped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/precheck_internal.h"

/* Connects one side; on failure the check carries the reason and the fix
 * for its kind. */
static PGconn *connect_side(pgp_pc *pc, const pgp_endpoint *ep, const char *side, char *user,
                            size_t ulen, char *db, size_t dblen, bool *super)
{
    char id[32];
    snprintf(id, sizeof id, "%s.connect", side);
    pgp_error err;
    PGconn *c = pgp_connect(ep, "migtop precheck", pc->in->timeout_s, false, &err);
    if (!c) {
        const char *fix = pgp_errcode_hint(err.code);
        if (err.code == PGP_ERR_HBA)
            fix = pc_hba_line(pc, pgp_endpoint_get(ep, "user"), pgp_endpoint_get(ep, "dbname"),
                              false, err.msg);
        pgp_report_add(pc->rep, id, "connect", PGP_CHECK_FAIL, fix, "%s [%s]", err.msg,
                       pgp_errcode_id(err.code));
        return NULL;
    }
    snprintf(user, ulen, "%s", PQuser(c));
    snprintf(db, dblen, "%s", PQdb(c));
    char v[64] = "", su[8] = "";
    pgp_query_value(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", 0, NULL, su,
                    sizeof su, NULL);
    *super = !strcmp(su, "t");
    const char *sv = PQparameterStatus(c, "server_version");
    snprintf(v, sizeof v, "%s", sv ? sv : "?");
    pgp_report_add(pc->rep, id, "connect", PGP_CHECK_OK, NULL,
                   "connected to %s:%s database %s as %s%s (PostgreSQL %s)", PQhost(c),
                   PQport(c), db, user, *super ? ", superuser" : "", v);
    return c;
}

static void versions(pgp_pc *pc)
{
    int s = pc->rep->source_version = PQserverVersion(pc->src);
    int k = pc->rep->sink_version = PQserverVersion(pc->sink);
    const char *sv = PQparameterStatus(pc->src, "server_version");
    const char *kv = PQparameterStatus(pc->sink, "server_version");
    if (k / 10000 < s / 10000)
        pgp_report_add(pc->rep, "versions", "sink major version >= source", PGP_CHECK_FAIL,
                       "use a sink running the source's major version or a later one",
                       "source PostgreSQL %s, sink PostgreSQL %s: the sink's major version is "
                       "older, objects and types may not be creatable there",
                       sv, kv);
    else
        pgp_report_add(pc->rep, "versions", "sink major version >= source", PGP_CHECK_OK, NULL,
                       "source PostgreSQL %s, sink PostgreSQL %s", sv, kv);
}

/* pg_dump refuses servers newer than itself ("aborting because of server
 * version mismatch"): said here, before anything is written, rather than
 * by the structure step after the slot exists. */
static void dump_tool(pgp_pc *pc)
{
    const pgp_precheck_input *in = pc->in;
    if (in->dump_major <= 0)
        return;
    int s = PQserverVersion(pc->src) / 10000;
    const char *sv = PQparameterStatus(pc->src, "server_version");
    const char *path = in->dump_path ? in->dump_path : "pg_dump";
    if (in->dump_major < s) {
        char fix[400];
        snprintf(fix, sizeof fix,
                 "install the PostgreSQL %d client (postgresql-client-%d) and point "
                 "MIGTOP_PG_BINDIR at its bin directory, or create the structure on the "
                 "sink yourself and turn init-struct off",
                 s, s);
        pgp_report_add(pc->rep, "source.pg_dump", "pg_dump can dump the source", PGP_CHECK_FAIL,
                       fix,
                       "pg_dump %d (%s) cannot dump PostgreSQL %s: init-struct needs a pg_dump "
                       "of the source's major version %d or newer",
                       in->dump_major, path, sv ? sv : "?", s);
    }
    else
        pgp_report_add(pc->rep, "source.pg_dump", "pg_dump can dump the source", PGP_CHECK_OK,
                       NULL, "pg_dump %d (%s) for PostgreSQL %s", in->dump_major, path,
                       sv ? sv : "?");
}

void pgp_precheck_run(const pgp_precheck_input *in, pgp_report *out)
{
    pgp_report_init(out);
    pgp_pc pc = {.in = in, .rep = out};
    pc.src = connect_side(&pc, in->source, "source", pc.src_user, sizeof pc.src_user, pc.src_db,
                          sizeof pc.src_db, &pc.src_super);
    pc.sink = connect_side(&pc, in->sink, "sink", pc.sink_user, sizeof pc.sink_user, pc.sink_db,
                           sizeof pc.sink_db, &pc.sink_super);
    if (pc.src) {
        pgp_query_value(pc.src, "SELECT coalesce(host(inet_client_addr()), '')", 0, NULL,
                        pc.client_addr, sizeof pc.client_addr, NULL);
        pgp_error err;
        if (in->objects && pgp_tables_resolve(pc.src, in->objects, &pc.tables, &err)) {
            pc.have_tables = true;
            pc.oids = pgp_tables_oid_array(&pc.tables);
        } else if (in->objects) {
            pc_query_failed(&pc, "source.objects", &err);
        }
    }
    if (pc.src && pc.sink)
        versions(&pc);
    if (pc.src)
        dump_tool(&pc);
    if (pc.src) {
        pc_source_server(&pc); /* before our own walsender exists: it counts the free ones */
        pc_source_privileges(&pc);
    }
    /* The replication connection is tried even when the plain one failed:
     * the report then says that CDC cannot connect either, and why. */
    pc_replication(&pc);
    if (pc.src) {
        pc_objects(&pc);
        if (pc.sink)
            pc_types(&pc);
    }
    if (pc.sink)
        pc_sink_privileges(&pc);
    if (pc.src)
        pc_leftovers(&pc);
    pgp_tables_free(&pc.tables);
    free(pc.oids);
    PQfinish(pc.src);
    PQfinish(pc.sink);
}
