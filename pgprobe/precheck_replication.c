/* A replication connection really opens: replication=database, then
 * IDENTIFY_SYSTEM. Only this proves together that pg_hba.conf lets the
 * walsender connection in (for logical replication PostgreSQL matches it
 * against the database column, not the "replication" keyword), that the
 * role has REPLICATION and that a WAL sender is free. */
#include <string.h>

#include "pgprobe/precheck_internal.h"

void pc_replication(pgp_pc *pc)
{
    if (!pc->in->cdc)
        return;
    const char *title = "a replication connection opens (IDENTIFY_SYSTEM)";
    pgp_error err;
    PGconn *c = pgp_connect(pc->in->source, "migtop precheck", pc->in->timeout_s, true, &err);
    if (!c) {
        const char *fix = pgp_errcode_hint(err.code);
        if (err.code == PGP_ERR_HBA)
            fix = pc_hba_line(pc, pgp_endpoint_get(pc->in->source, "user"),
                              pgp_endpoint_get(pc->in->source, "dbname"), true, err.msg);
        else if (err.code == PGP_ERR_NO_REPLICATION && pc->src)
            fix = arena_printf(&pc->rep->a, "ALTER ROLE %s REPLICATION;",
                               pc_ident(pc, pc->src, pc->src_user));
        pgp_report_add(pc->rep, "source.replication_connection", title, PGP_CHECK_FAIL, fix,
                       "%s [%s]", err.msg, pgp_errcode_id(err.code));
        return;
    }
    PGresult *r = pgp_query(c, "IDENTIFY_SYSTEM", 0, NULL, &err);
    if (!r || PQntuples(r) != 1 || PQnfields(r) < 4)
        pgp_report_add(pc->rep, "source.replication_connection", title, PGP_CHECK_FAIL,
                       "check the server log of the source",
                       "connected, but IDENTIFY_SYSTEM failed: %s", r ? "unexpected reply" : err.msg);
    else
        pgp_report_add(pc->rep, "source.replication_connection", title, PGP_CHECK_OK, NULL,
                       "system %s, timeline %s, WAL at %s, database %s", PQgetvalue(r, 0, 0),
                       PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3));
    PQclear(r);
    PQfinish(c);
}
