#include "engine/cdc_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/log.h"
#include "engine/pg.h"
#include "engine/spec.h"
#include "model/fmt.h"

void cdc_live_init(cdc_live *l, engine_runner *r, PGconn *cat, const char *main_pids,
                   const char *origin, const char *appname)
{
    memset(l, 0, sizeof *l);
    l->r = r;
    snprintf(l->main_pids, sizeof l->main_pids, "{%s}", main_pids); /* an int[] */
    l->cat = cat;
    snprintf(l->origin, sizeof l->origin, "%s", origin);
    snprintf(l->appname, sizeof l->appname, "%s", appname);
}

static void forget_xid(cdc_live *l)
{
    l->xid = 0;
    l->failed = false;
    l->n_subs = 0;
    l->changes = 0;
}

void cdc_live_free(cdc_live *l)
{
    apply_free(l->a);
    l->a = NULL;
    free(l->subs);
    l->subs = NULL;
    forget_xid(l);
}

/* The session goes (its open transaction with it, and its locks); the
 * transaction is applied from its spool at its commit. */
static void let_go(cdc_live *l, const char *why)
{
    if (!l->xid || l->failed)
        return;
    engine_logf(&l->r->log[ES_CDC], "INFO",
                "transaction %u: applying it as it streams stopped after %lld changes (%s); "
                "it is applied at its commit instead", l->xid, (long long)l->changes, why);
    apply_free(l->a);
    l->a = NULL;
    l->failed = true;
}

/* Whether the main session's wait is on the live session, directly or
 * through others (a slow disk is no reason to let go), asked in a
 * connection of its own: both sessions are busy. Unable to ask, it lets
 * go: that costs only time. */
static const char *BLOCKS_SQL =
    "WITH RECURSIVE w(pid, depth) AS ("
    "  SELECT unnest(pg_blocking_pids(m)), 1 FROM unnest($2::int[]) m"
    "  UNION SELECT unnest(pg_blocking_pids(w.pid)), w.depth + 1 FROM w WHERE w.depth < 8)"
    " SELECT EXISTS (SELECT 1 FROM w WHERE pid = $1::int)";

static bool blocks_main(cdc_live *l)
{
    char err[700], a[16];
    PGconn *c = engine_connect(&l->r->spec, &l->r->spec.sink, false, "migtop cdc lock check", err,
                               sizeof err);
    if (!c)
        return true;
    snprintf(a, sizeof a, "%d", apply_backend_pid(l->a));
    const char *params[2] = {a, l->main_pids};
    PGresult *r = pg_query_within(c, BLOCKS_SQL, 2, params, 5000, err, sizeof err);
    bool blocks = !r || !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    PQfinish(c);
    return blocks;
}

void cdc_live_let_go(void *live)
{
    cdc_live *l = live;
    if (!l->committing && cdc_live_active(l, l->xid) && blocks_main(l))
        let_go(l, "the main sink session waited on its locks");
}

static bool open_session(cdc_live *l)
{
    if (l->a)
        return true;
    char err[700];
    PGconn *c = engine_connect(&l->r->spec, &l->r->spec.sink, false, l->appname, err,
                               sizeof err);
    if (c)
        l->a = apply_new(c, l->cat, l->origin, &l->r->stop, err, sizeof err);
    if (!l->a) {
        engine_logf(&l->r->log[ES_CDC], "WARN",
                    "cannot open a second sink session for streamed transactions (they are "
                    "applied at their commit): %s", err);
        return false;
    }
    return true;
}

bool cdc_live_start(cdc_live *l, uint32_t xid, bool first_segment)
{
    if (l->xid)
        return l->xid == xid && !l->failed;
    if (!first_segment || !open_session(l))
        return false;
    l->xid = xid;
    l->started_ms = fmt_mono_ms();
    return true;
}

bool cdc_live_active(const cdc_live *l, uint32_t xid)
{
    return xid && l->xid == xid && !l->failed && l->a;
}

static bool has_sub(const cdc_live *l, uint32_t sub, size_t *at)
{
    for (size_t i = 0; i < l->n_subs; i++)
        if (l->subs[i] == sub) {
            *at = i;
            return true;
        }
    return false;
}

/* A subtransaction's first change: a savepoint before it, so its abort
 * rolls back to there (with its own subtransactions, which came after). */
static bool savepoint_for(cdc_live *l, uint32_t sub, char *err, size_t errlen)
{
    size_t at;
    if (sub == l->xid || has_sub(l, sub, &at))
        return true;
    if (l->n_subs == l->cap_subs) {
        l->cap_subs = l->cap_subs ? l->cap_subs * 2 : 16;
        l->subs = realloc(l->subs, l->cap_subs * sizeof *l->subs);
        if (!l->subs)
            abort();
    }
    l->subs[l->n_subs++] = sub;
    char sql[64];
    snprintf(sql, sizeof sql, "SAVEPOINT mt_%u", sub);
    return apply_send(l->a, sql, "a savepoint of a streamed transaction", err, errlen);
}

void cdc_live_change(cdc_live *l, const pgo_decoder *d, const pgo_msg *m)
{
    char err[1500];
    bool structure = false;
    if (!savepoint_for(l, m->xid, err, sizeof err) ||
        !apply_change(l->a, d, m, &structure, err, sizeof err)) {
        let_go(l, err);
        return;
    }
    l->changes++;
}

void cdc_live_abort(cdc_live *l, uint32_t xid, uint32_t subxid)
{
    if (l->xid != xid)
        return;
    char err[1000];
    size_t at;
    if (subxid == xid) {
        if (l->a && !l->failed && !apply_rollback(l->a, err, sizeof err))
            let_go(l, err);
        forget_xid(l);
        return;
    }
    if (l->failed || !l->a || !has_sub(l, subxid, &at))
        return; /* nothing of it applied here */
    char sql[80];
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT mt_%u", subxid);
    /* The savepoints after it went with it. */
    l->n_subs = at;
    if (!apply_send(l->a, sql, "rolling back a streamed subtransaction", err, sizeof err))
        let_go(l, err);
}

void cdc_live_poll(cdc_live *l)
{
    char err[1500];
    if (l->a && !apply_poll(l->a, err, sizeof err)) {
        if (l->xid && !l->failed)
            let_go(l, err);
        else {
            apply_free(l->a); /* broken between transactions: opened again when needed */
            l->a = NULL;
        }
    }
}

/* The live session's transaction commits with the origin's position,
 * taking the origin for the commit and handing it back. */
static bool commit_here(cdc_live *l, uint64_t end_lsn, int64_t ts, char *err, size_t errlen)
{
    char e2[1500];
    if (apply_commit(l->a, end_lsn, ts, e2, sizeof e2) &&
        apply_settle(l->a, e2, sizeof e2))
        return true;
    snprintf(err, errlen, "committing streamed transaction %u: %s", l->xid, e2);
    return false;
}

bool cdc_live_commit(cdc_live *l, uint64_t end_lsn, int64_t commit_ts_us, bool skip,
                     int64_t *rows, char *err, size_t errlen)
{
    *rows = 0;
    if (skip) {
        char e2[1000];
        if (!apply_rollback(l->a, e2, sizeof e2))
            let_go(l, e2);
        forget_xid(l);
        return true;
    }
    if (!l->a) {
        snprintf(err, errlen, "streamed transaction %u: its sink session is gone", l->xid);
        forget_xid(l);
        return false;
    }
    l->committing = true; /* main waits on its own here, never on our locks */
    bool ok = commit_here(l, end_lsn, commit_ts_us, err, errlen);
    l->committing = false;
    if (ok) {
        engine_logf(&l->r->log[ES_CDC], "INFO",
                    "transaction %u: %lld changes applied as it streamed (over %.1f s), committed",
                    l->xid, (long long)l->changes, (double)(fmt_mono_ms() - l->started_ms) / 1000);
        *rows = l->changes;
    }
    forget_xid(l);
    return ok;
}
