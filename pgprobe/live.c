/* Both live readings in one round trip (see live.h). */
#include "pgprobe/live.h"

#include <stdlib.h>
#include <string.h>

/* Prepares both statements once per backend (a reset connection is a
 * new backend and has lost them). */
static bool ensure_prepared(pgp_slot_probe *sp, PGconn *c, pgp_error *err)
{
    if (sp->prepared_conn == c && sp->prepared_pid == PQbackendPID(c))
        return true;
    if (!pgp_prepare(c, "pgp_slot", pgp_slot_sql(), 1, err) ||
        !pgp_prepare(c, "pgp_activity", pgp_activity_sql(), 2, err))
        return false;
    sp->prepared_conn = c;
    sp->prepared_pid = PQbackendPID(c);
    return true;
}

/* Reads up to the pipeline's sync point and leaves pipeline mode. A NULL
 * separates each query's results; several in a row mean nothing more is
 * coming (a broken connection). */
static void drain(PGconn *c)
{
    int nulls = 0;
    while (PQpipelineStatus(c) != PQ_PIPELINE_OFF && nulls < 3 && PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            nulls++;
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
    }
    PQexitPipelineMode(c);
}

/* One query's result (and the NULL that ends it). */
static PGresult *one_result(PGconn *c, pgp_error *err, bool *ok)
{
    PGresult *r = PQgetResult(c);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (*ok && st != PGRES_TUPLES_OK) {
        pgp_error_from_result(c, r, err);
        *ok = false;
    }
    if (r && st != PGRES_PIPELINE_SYNC) {
        PGresult *end = PQgetResult(c);
        PQclear(end);
    }
    return r;
}

bool pgp_live_read(pgp_slot_probe *sp, pgp_activity_probe *ap, PGconn *c,
                   pgp_slot_reading *slot, pgp_activity_reading *activity, pgp_error *err)
{
    if (!ensure_prepared(sp, c, err))
        return false;
    char pid[16], *apps = pgp_activity_params(ap, pid);
    const char *sp_params[1] = {sp->slot}, *ap_params[2] = {apps, pid};
    bool sent = PQenterPipelineMode(c) &&
                PQsendQueryPrepared(c, "pgp_slot", 1, sp_params, NULL, NULL, 0) &&
                PQsendQueryPrepared(c, "pgp_activity", 2, ap_params, NULL, NULL, 0) &&
                PQpipelineSync(c);
    free(apps);
    if (!sent) {
        pgp_error_set(err, PGP_ERR_CONN_LOST, "live reading: %s", PQerrorMessage(c));
        drain(c);
        return false;
    }
    bool good = true;
    PGresult *r1 = one_result(c, err, &good);
    PGresult *r2 = one_result(c, err, &good);
    drain(c);
    if (good) {
        pgp_slot_apply(sp, r1, slot);
        ap->exclude_pid = slot->active_pid;
        pgp_activity_apply(ap, r2, activity);
    }
    PQclear(r1);
    PQclear(r2);
    return good;
}
