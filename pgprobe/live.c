/* Both live readings in one round trip (see live.h). */
#include "pgprobe/live.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Waits until PQgetResult would not block, or the deadline passes. */
static bool wait_ready(PGconn *c, double deadline)
{
    while (PQflush(c) == 1 || PQisBusy(c)) {
        double left = deadline - now_ms();
        if (left <= 0)
            return false;
        struct pollfd p = {.fd = PQsocket(c), .events = POLLIN | POLLOUT};
        if (PQflush(c) == 0)
            p.events = POLLIN;
        int rc = poll(&p, 1, (int)left + 1);
        if (rc < 0 && errno != EINTR)
            return false;
        if (rc > 0 && !PQconsumeInput(c))
            return true; /* the connection broke: PQgetResult says so without blocking */
    }
    return true;
}

/* Reads up to the pipeline's sync point and leaves pipeline mode. A NULL
 * separates each query's results; several in a row mean nothing more is
 * coming (a broken connection). */
static void drain(PGconn *c, double deadline)
{
    int nulls = 0;
    while (PQpipelineStatus(c) != PQ_PIPELINE_OFF && nulls < 3 && PQstatus(c) == CONNECTION_OK) {
        if (!wait_ready(c, deadline))
            return;
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
static PGresult *one_result(PGconn *c, double deadline, pgp_error *err, bool *ok)
{
    if (*ok && !wait_ready(c, deadline)) {
        pgp_error_set(err, PGP_ERR_TIMEOUT, "live reading: no answer from the server in time");
        *ok = false;
    }
    if (!*ok)
        return NULL;
    PGresult *r = PQgetResult(c);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (*ok && st != PGRES_TUPLES_OK) {
        pgp_error_from_result(c, r, err);
        *ok = false;
    }
    if (r && st != PGRES_PIPELINE_SYNC && wait_ready(c, deadline)) {
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
    double deadline = now_ms() + (sp->timeout_ms > 0 ? sp->timeout_ms : 5000);
    char pid[16], *apps = pgp_activity_params(ap, pid);
    const char *sp_params[1] = {sp->slot}, *ap_params[2] = {apps, pid};
    bool sent = PQsetnonblocking(c, 1) == 0 && PQenterPipelineMode(c) &&
                PQsendQueryPrepared(c, "pgp_slot", 1, sp_params, NULL, NULL, 0) &&
                PQsendQueryPrepared(c, "pgp_activity", 2, ap_params, NULL, NULL, 0) &&
                PQpipelineSync(c);
    free(apps);
    if (!sent) {
        pgp_error_set(err, PGP_ERR_CONN_LOST, "live reading: %s", PQerrorMessage(c));
        drain(c, deadline);
        PQsetnonblocking(c, 0);
        return false;
    }
    /* Sending is non-blocking too, so a full socket cannot hold us. */
    bool good = true;
    pgp_error e = {0};
    PGresult *r1 = one_result(c, deadline, &e, &good);
    PGresult *r2 = one_result(c, deadline, &e, &good);
    if (good || e.code != PGP_ERR_TIMEOUT)
        drain(c, deadline);
    PQsetnonblocking(c, 0);
    if (!good && err)
        *err = e;
    if (good) {
        pgp_slot_apply(sp, r1, slot);
        ap->exclude_pid = slot->active_pid;
        pgp_activity_apply(ap, r2, activity);
    }
    PQclear(r1);
    PQclear(r2);
    return good;
}
