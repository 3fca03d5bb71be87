#include "engine/cdc_origin.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/pg.h"
#include "model/fmt.h"

void cdc_origin_name(const char *slot, char *out, size_t outlen)
{
    snprintf(out, outlen, "migtop_%s", slot);
}

/* Ends the sink sessions of an earlier runner of this task (same
 * application_name, not us): a kill -9 leaves its backend until the
 * server notices the closed socket, and it would keep the origin busy. */
static void end_stale_sessions(PGconn *sink, const char *appname)
{
    const char *params[1] = {appname};
    char e2[256];
    PGresult *r = pg_query(sink,
                           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                           " WHERE application_name = $1 AND pid <> pg_backend_pid()",
                           1, params, e2, sizeof e2);
    PQclear(r);
}

static bool progress(PGconn *sink, const char *origin, uint64_t *lsn, char *err, size_t errlen)
{
    const char *params[1] = {origin};
    char e2[700];
    PGresult *r = pg_query(sink, "SELECT pg_replication_origin_progress($1, true)", 1, params, e2,
                           sizeof e2);
    if (!r) {
        snprintf(err, errlen, "cannot read the progress of replication origin %s: %s", origin,
                 e2);
        return false;
    }
    *lsn = 0;
    if (!PQgetisnull(r, 0, 0))
        fmt_parse_lsn(PQgetvalue(r, 0, 0), lsn);
    PQclear(r);
    return true;
}

/* Runs a one-parameter origin function; while a session of a dead runner
 * still holds the origin ("already active"), ends it and tries again. */
static bool origin_call(PGconn *sink, const char *sql, const char *origin, const char *appname,
                        const char *what, char *err, size_t errlen)
{
    const char *params[1] = {origin};
    char e2[700];
    for (int attempt = 0;; attempt++) {
        PGresult *r = pg_query(sink, sql, 1, params, e2, sizeof e2);
        if (r) {
            PQclear(r);
            return true;
        }
        if (attempt >= 20 || !strstr(e2, "already active")) {
            snprintf(err, errlen, "cannot %s replication origin %s on the sink: %s", what, origin,
                     e2);
            return false;
        }
        end_stale_sessions(sink, appname);
        fmt_sleep_ms(250);
    }
}

/* The sessions of an earlier runner gone before the origin's progress is
 * read: no session holds the origin at rest (apply_lanes.h), so one left
 * by a runner killed mid-commit would not make the origin "active", and
 * its commit could land after the read (a group applied twice). Waits
 * until the server has none left (10 s at most). */
static bool no_stale_sessions(PGconn *sink, const char *appname, char *err, size_t errlen)
{
    const char *params[1] = {appname};
    char e2[700];
    end_stale_sessions(sink, appname);
    for (int i = 0; i < 200; i++) {
        PGresult *r = pg_query(sink,
                               "SELECT count(*) FROM pg_stat_activity"
                               " WHERE application_name = $1 AND pid <> pg_backend_pid()",
                               1, params, e2, sizeof e2);
        if (!r) {
            snprintf(err, errlen, "cannot list the sink's sessions: %s", e2);
            return false;
        }
        bool none = !strcmp(PQgetvalue(r, 0, 0), "0");
        PQclear(r);
        if (none)
            return true;
        fmt_sleep_ms(50);
    }
    snprintf(err, errlen, "sessions named \"%s\" of an earlier runner are still on the sink "
             "10 s after they were ended", appname);
    return false;
}

bool cdc_origin_attach(PGconn *sink, const char *origin, const char *appname, uint64_t *lsn,
                       char *err, size_t errlen)
{
    return no_stale_sessions(sink, appname, err, errlen) &&
           origin_call(sink,
                       "SELECT pg_replication_origin_create($1) WHERE NOT EXISTS"
                       " (SELECT 1 FROM pg_replication_origin WHERE roname = $1)",
                       origin, appname, "create", err, errlen) &&
           origin_call(sink, "SELECT pg_replication_origin_session_setup($1)", origin, appname,
                       "use", err, errlen) &&
           /* Flushed progress only: what survives a sink crash. */
           progress(sink, origin, lsn, err, errlen);
}

bool cdc_origin_drop(PGconn *sink, const char *origin, const char *appname, char *err,
                     size_t errlen)
{
    end_stale_sessions(sink, appname);
    return origin_call(sink,
                       "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
                       " WHERE roname = $1",
                       origin, appname, "drop", err, errlen);
}
