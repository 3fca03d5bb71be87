/* precheck: the task's checks before anything is written. One call; the
 * checks themselves belong to pgprobe (issue 4). Until its precheck API
 * is in the tree this runs the essentials the later steps depend on, so a
 * task never starts copying into a migration that cannot work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pg.h"
#include "engine/runner.h"

static bool check(engine_runner *r, bool ok, const char *name, const char *detail, char *err,
                  size_t errlen)
{
    engine_logf(&r->log[ES_PRECHECK], ok ? "INFO" : "ERROR", "check %s: %s (%s)", name,
                ok ? "passed" : "FAILED", detail);
    if (!ok && !*err)
        snprintf(err, errlen, "check %s failed: %s", name, detail);
    return ok;
}

static char *one(PGconn *c, const char *sql, char *buf, size_t n)
{
    char e[512];
    PGresult *res = pg_query(c, sql, 0, NULL, e, sizeof e);
    snprintf(buf, n, "%s", res && PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return buf;
}

bool engine_step_precheck(engine_runner *r, char *err, size_t errlen)
{
    char e2[700], v[256], d[512];
    err[0] = 0;
    bool ok = true;
    PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop precheck", e2, sizeof e2);
    ok &= check(r, src != NULL, "source reachable", src ? "connected" : e2, err, errlen);
    PGconn *sink = engine_connect(&r->spec, &r->spec.sink, false, "migtop precheck", e2,
                                  sizeof e2);
    ok &= check(r, sink != NULL, "sink reachable", sink ? "connected" : e2, err, errlen);
    if (src && r->spec.cdc) {
        one(src, "SHOW wal_level", v, sizeof v);
        snprintf(d, sizeof d, "source wal_level is %s, CDC needs logical", v);
        ok &= check(r, !strcmp(v, "logical"), "wal_level", d, err, errlen);
        one(src,
            "SELECT current_setting('max_replication_slots')::int - count(*)"
            " FROM pg_replication_slots",
            v, sizeof v);
        snprintf(d, sizeof d, "%s free replication slot(s) on the source", v);
        ok &= check(r, atoi(v) >= 1, "max_replication_slots", d, err, errlen);
        one(src,
            "SELECT current_setting('max_wal_senders')::int - count(*) FROM pg_stat_replication",
            v, sizeof v);
        snprintf(d, sizeof d, "%s free WAL sender(s) on the source", v);
        ok &= check(r, atoi(v) >= 1, "max_wal_senders", d, err, errlen);
        one(src, "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user",
            v, sizeof v);
        snprintf(d, sizeof d, "source user %s %s the REPLICATION attribute", r->spec.src.user,
                 !strcmp(v, "t") ? "has" : "lacks");
        ok &= check(r, !strcmp(v, "t"), "source replication privilege", d, err, errlen);
        PGconn *rep = engine_connect(&r->spec, &r->spec.src, true, "migtop precheck", e2,
                                     sizeof e2);
        ok &= check(r, rep != NULL, "source replication connection (pg_hba)",
                    rep ? "connected" : e2, err, errlen);
        PQfinish(rep);
    }
    if (src) {
        bool t = engine_runner_tables(r, src, e2, sizeof e2);
        if (t)
            snprintf(d, sizeof d, "%zu table(s) selected", r->n_tables);
        ok &= check(r, t, "migration objects", t ? d : e2, err, errlen);
        for (size_t i = 0; t && i < r->n_tables; i++) {
            snprintf(d, sizeof d, "SELECT has_table_privilege('%u'::oid, 'SELECT')",
                     r->tables[i].oid);
            one(src, d, v, sizeof v);
            snprintf(d, sizeof d, "source user can read %s", r->tables[i].qname);
            ok &= check(r, !strcmp(v, "t"), "source read privilege", d, err, errlen);
            if (!r->spec.cdc)
                continue;
            snprintf(d, sizeof d,
                     "SELECT relreplident <> 'n' AND (relreplident <> 'd' OR EXISTS (SELECT 1 "
                     "FROM pg_index WHERE indrelid = c.oid AND indisprimary)) FROM pg_class c "
                     "WHERE oid = %u",
                     r->tables[i].oid);
            one(src, d, v, sizeof v);
            if (strcmp(v, "t"))
                engine_logf(&r->log[ES_PRECHECK], "WARN",
                            "table %s has no primary key and no replica identity: CDC cannot "
                            "replicate its updates and deletes",
                            r->tables[i].qname);
        }
    }
    PQfinish(src);
    PQfinish(sink);
    return ok;
}
