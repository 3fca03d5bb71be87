/* The applier's pipeline (apply_internal.h): statements go out without
 * waiting, results are read as they arrive, and every wait polls the
 * socket in short slices so the stop flag is always seen. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "engine/apply_internal.h"
#include "engine/pg.h"
#include "model/fmt.h"

void pipe_fail(cdc_apply *a, char *err, size_t errlen, const char *what)
{
    char e2[700];
    pg_error(a->c, NULL, e2, sizeof e2);
    snprintf(err, errlen, "%s: %s", what, a->first_err[0] ? a->first_err : e2);
}

/* The first failure is the one to report; what fails after it follows. */
static void set_error(cdc_apply *a, const char *what, const char *detail)
{
    if (a->first_err[0])
        return;
    snprintf(a->first_err, sizeof a->first_err, "%s%s%s", what, detail[0] ? ": " : "", detail);
    size_t n = strlen(a->first_err);
    for (char *p = a->first_err; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    while (n && a->first_err[n - 1] == ' ')
        a->first_err[--n] = '\0';
}

/* Counts a statement libpq took (ok), with what it was, and sends what
 * libpq holds; past APPLY_MAX_IN_FLIGHT unread results, reads half. */
static bool sent(cdc_apply *a, int ok, const char *what, const char *sql)
{
    if (!ok) {
        char e2[700];
        pg_error(a->c, NULL, e2, sizeof e2);
        set_error(a, "cannot send to the sink", e2);
        return false;
    }
    a->sent++;
    stmt_note *n = &a->notes[a->sent % APPLY_NOTES];
    snprintf(n->what, sizeof n->what, "%s", what);
    n->sql = sql;
    if (PQflush(a->c) < 0) {
        set_error(a, "the sink connection was lost", PQerrorMessage(a->c));
        return false;
    }
    if (a->sent - a->done >= APPLY_MAX_IN_FLIGHT)
        return pipe_wait(a, a->sent - APPLY_MAX_IN_FLIGHT / 2, false);
    return true;
}

bool pipe_send_sql(cdc_apply *a, const char *sql, const char *what)
{
    return sent(a, PQsendQueryParams(a->c, sql, 0, NULL, NULL, NULL, NULL, 0), what, NULL);
}

bool pipe_send_params(cdc_apply *a, const char *sql, int n, const char *const *params,
                      const char *what)
{
    return sent(a, PQsendQueryParams(a->c, sql, n, NULL, params, NULL, NULL, 0), what, NULL);
}

bool pipe_send_prepare(cdc_apply *a, const char *name, const char *sql)
{
    return sent(a, PQsendPrepare(a->c, name, sql, 0, NULL), "preparing a statement", sql);
}

bool pipe_send_prepared(cdc_apply *a, const char *name, int n, const char *const *vals,
                        const char *what, const char *sql)
{
    return sent(a, PQsendQueryPrepared(a->c, name, n, vals, NULL, NULL, 0), what, sql);
}

bool pipe_send_sync(cdc_apply *a)
{
    if (!PQpipelineSync(a->c)) {
        set_error(a, "cannot send a sync to the sink", PQerrorMessage(a->c));
        return false;
    }
    a->syncs++;
    a->flush_asked = a->sent; /* a sync flushes everything before it */
    return true;
}

/* One result of the statement being read, or a sync. */
static void take_one(cdc_apply *a, PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    a->last_result_ms = fmt_mono_ms();
    if (st == PGRES_PIPELINE_SYNC) {
        a->syncs--;
        if (!a->first_err[0] && a->mark.end_lsn > a->durable_lsn) {
            a->durable_lsn = a->mark.end_lsn;
            a->durable_ts_us = a->mark.commit_ts_us;
        }
        PQclear(r);
        return;
    }
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok && st != PGRES_PIPELINE_ABORTED && !a->first_err[0]) {
        char e2[700];
        pg_error(a->c, r, e2, sizeof e2);
        const stmt_note *n = &a->notes[(a->done + 1) % APPLY_NOTES];
        snprintf(a->first_err, sizeof a->first_err, "%.60s: %.600s%s%.400s%s", n->what, e2,
                 n->sql ? " (statement: " : "", n->sql ? n->sql : "", n->sql ? ")" : "");
    }
    if (ok && a->capture == a->done + 1 && !a->captured)
        a->captured = r;
    else
        PQclear(r);
    a->mid_result = true;
}

bool pipe_take(cdc_apply *a)
{
    /* What libpq still holds goes now: a send finds the socket full when
     * the sink is busy (a group's batches and its COMMIT go at once), and
     * the rest must not wait for the next send, which may be long in
     * coming (an idle source), with the sink holding the group's locks. */
    if (PQflush(a->c) < 0) {
        set_error(a, "the sink connection was lost", PQerrorMessage(a->c));
        return false;
    }
    if (!PQconsumeInput(a->c)) {
        set_error(a, "the sink connection was lost", PQerrorMessage(a->c));
        return false;
    }
    while ((a->done < a->sent || a->syncs > 0) && !PQisBusy(a->c)) {
        PGresult *r = PQgetResult(a->c);
        if (r) {
            take_one(a, r);
        } else if (a->mid_result) { /* the end of a statement's results */
            a->mid_result = false;
            a->done++;
        } else {
            break;
        }
    }
    return !a->first_err[0];
}

bool pipe_wait(cdc_apply *a, uint64_t upto, bool syncs)
{
    int64_t stalled_at = a->last_result_ms;
    for (;;) {
        if (!pipe_take(a))
            return false;
        if (a->done >= upto && (!syncs || !a->syncs))
            return true;
        if (atomic_load(a->stop)) {
            set_error(a, "stopped while the sink was answering", "");
            return false;
        }
        if (a->stall_fn && stalled_at < a->last_result_ms)
            stalled_at = a->last_result_ms;
        if (a->stall_fn && fmt_mono_ms() - stalled_at >= a->stall_ms) {
            stalled_at = fmt_mono_ms();
            a->stall_fn(a->stall_ctx);
        }
        /* The server sends results when its buffer fills or when asked. */
        if (a->flush_asked < a->sent && a->done < upto) {
            if (!PQsendFlushRequest(a->c)) {
                set_error(a, "cannot ask the sink for results", PQerrorMessage(a->c));
                return false;
            }
            a->flush_asked = a->sent;
        }
        int f = PQflush(a->c);
        if (f < 0) {
            set_error(a, "the sink connection was lost", PQerrorMessage(a->c));
            return false;
        }
        struct pollfd p = {.fd = PQsocket(a->c), .events = POLLIN | (f ? POLLOUT : 0)};
        if (poll(&p, 1, 100) < 0 && errno != EINTR) {
            set_error(a, "poll on the sink connection", strerror(errno));
            return false;
        }
    }
}

PGresult *pipe_query(cdc_apply *a, const char *sql, int n, const char *const *params)
{
    if (!sent(a, PQsendQueryParams(a->c, sql, n, NULL, params, NULL, NULL, 0),
              "reading the sink's catalog", NULL))
        return NULL;
    a->capture = a->sent;
    bool ok = pipe_wait(a, a->sent, false);
    PGresult *r = a->captured;
    a->captured = NULL;
    a->capture = 0;
    if (!ok) {
        PQclear(r);
        return NULL;
    }
    return r;
}
