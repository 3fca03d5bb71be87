#include "engine/cdc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/apply.h"
#include "engine/cdc_metrics.h"
#include "engine/cdc_origin.h"
#include "engine/cdc_stream.h"
#include "engine/pgoutput_decode.h"
#include "model/fmt.h"

/* A group of source transactions becomes one sink transaction; it
 * commits when the stream has nothing more ready, or at these limits. */
#define GROUP_TXNS 1000
#define GROUP_ROWS 20000
#define GROUP_MS 20
/* The walsender answers every status update (sent each second). */
#define SILENCE_MS 30000

typedef enum session_end { END_STOP, END_ERROR, END_STRUCTURE } session_end;

typedef struct session {
    engine_runner *r;
    cdc_metrics *m;
    cdc_stream s;
    cdc_apply *a;
    pgo_decoder d;
    uint64_t origin_lsn;  /* applied before this session started */
    uint64_t flushed;     /* durable on the sink (or idle-advanced) */
    uint64_t received;
    bool in_src_txn, skip_txn;
    int64_t cur_commit_us;
    /* The open group. */
    int group_txns;
    int64_t group_rows, group_start_ms, group_end_us;
    uint64_t group_end_lsn;
    int64_t last_feedback_ms;
    int64_t last_recv_ms; /* anything from the walsender */
    bool progressed;      /* something committed: the backoff starts over */
} session;

static void appname(engine_runner *r, char *out, size_t n)
{
    snprintf(out, n, "migtop cdc %s", r->opts.name);
}

/* The CDC step's reason in the status (cdc.failedReason and the step's
 * reason), "" to clear it. */
static void set_reason(engine_runner *r, const char *why)
{
    char one[1024];
    snprintf(one, sizeof one, "%.1023s", why);
    for (char *p = one; *p; p++)
        if (*p == '\t')
            *p = ' '; /* libpq indents its hints with tabs */
    why = one;
    pthread_mutex_lock(&r->status.mu);
    /* Reasons are cut at the status field's size (1023 bytes): enough for
     * any server message, and the precision keeps -O2's truncation check quiet. */
    snprintf(r->status.cdc_reason, sizeof r->status.cdc_reason, "%.1023s", why);
    snprintf(r->status.steps[ES_CDC].reason, sizeof r->status.steps[ES_CDC].reason, "%.1023s", why);
    pthread_mutex_unlock(&r->status.mu);
}

static bool feedback(session *x, bool reply, char *err, size_t errlen)
{
    x->last_feedback_ms = fmt_mono_ms();
    uint64_t w = x->received > x->flushed ? x->received : x->flushed;
    return cdc_stream_feedback(&x->s, w, x->flushed, reply, err, errlen);
}

static bool commit_group(session *x, char *err, size_t errlen)
{
    if (!x->group_txns && !apply_in_txn(x->a))
        return true;
    if (!apply_commit(x->a, err, errlen))
        return false;
    cdc_metrics *m = x->m;
    int64_t now_us = fmt_now_ms() * 1000;
    if (x->group_end_lsn > x->flushed)
        x->flushed = x->group_end_lsn;
    m->position = x->flushed;
    m->position_ts_us = x->group_end_us;
    m->last_lag_us = now_us - x->group_end_us;
    m->last_commit_ms = fmt_mono_ms();
    m->txns += x->group_txns;
    m->rows += x->group_rows;
    m->oldest_pending_us = x->in_src_txn ? x->cur_commit_us : 0;
    if (!x->progressed && m->state && !strcmp(m->state, "paused")) {
        set_reason(x->r, "");
        engine_logf(&x->r->log[ES_CDC], "INFO", "CDC resumed: the sink's tables match again");
    }
    m->state = "streaming";
    x->progressed = true;
    x->group_txns = 0;
    x->group_rows = 0;
    return true;
}

static session_end on_data(session *x, const char *data, size_t len, char *err, size_t errlen)
{
    if (!pgo_decode(&x->d, data, len, err, errlen))
        return END_ERROR;
    const pgo_msg *msg = &x->d.msg;
    bool structure = false;
    switch (msg->kind) {
    case PGO_BEGIN:
        x->in_src_txn = true;
        x->cur_commit_us = msg->commit_ts;
        /* Already applied before a crash (the origin says so): skip it. */
        x->skip_txn = msg->final_lsn < x->origin_lsn;
        if (!x->skip_txn && !x->m->oldest_pending_us)
            x->m->oldest_pending_us = msg->commit_ts;
        if (!x->group_txns)
            x->group_start_ms = fmt_mono_ms();
        break;
    case PGO_INSERT:
    case PGO_UPDATE:
    case PGO_DELETE:
    case PGO_TRUNCATE:
        if (x->skip_txn)
            break;
        if (!apply_change(x->a, &x->d, msg, &structure, err, errlen))
            return structure ? END_STRUCTURE : END_ERROR;
        x->group_rows++;
        break;
    case PGO_COMMIT:
        x->in_src_txn = false;
        if (x->received < msg->end_lsn)
            x->received = msg->end_lsn;
        if (x->skip_txn)
            break;
        if (!apply_txn_end(x->a, msg->end_lsn, msg->commit_ts, err, errlen))
            return END_ERROR;
        x->group_txns++;
        x->group_end_lsn = msg->end_lsn;
        x->group_end_us = msg->commit_ts;
        if (x->group_txns >= GROUP_TXNS || x->group_rows >= GROUP_ROWS ||
            fmt_mono_ms() - x->group_start_ms >= GROUP_MS)
            if (!commit_group(x, err, errlen))
                return END_ERROR;
        break;
    default: /* Relation (checked on first use), Type, Origin, Message */
        break;
    }
    return END_STOP; /* meaning: go on */
}

static bool nothing_pending(const session *x)
{
    return !x->in_src_txn && !x->group_txns && !apply_in_txn(x->a);
}

/* Nothing is pending on our side: the stream's position may advance to
 * the walsender's, so an idle source (or changes outside the publication)
 * does not keep WAL forever. And once that position has reached the WAL
 * end the source reported (cdc_metrics), the sink is current as of that
 * moment: the timestamp moves on, so an idle source shows no lag. */
static void idle_advance(session *x, uint64_t lsn)
{
    if (!nothing_pending(x))
        return;
    cdc_metrics *m = x->m;
    if (lsn > x->flushed) {
        x->flushed = lsn;
        m->position = lsn;
    }
    m->oldest_pending_us = 0;
    /* The time before the position (see cdc_metrics.c): never too new. */
    int64_t at = atomic_load(&m->src_wal_at_us);
    uint64_t wal = atomic_load(&m->src_wal);
    if (wal && x->flushed >= wal && at > m->position_ts_us)
        m->position_ts_us = at;
}

static session_end stream_loop(session *x, char *err, size_t errlen)
{
    for (;;) {
        if (engine_runner_stopping(x->r)) {
            if (!x->in_src_txn && !commit_group(x, err, errlen))
                return END_ERROR;
            char e2[200];
            feedback(x, false, e2, sizeof e2);
            return END_STOP;
        }
        bool boundary_open = !x->in_src_txn && (x->group_txns || apply_in_txn(x->a));
        const char *data = NULL;
        size_t len = 0;
        uint64_t lsn = 0;
        bool reply = false;
        cdc_event ev = cdc_stream_next(&x->s, boundary_open ? 0 : 100, &data, &len, &lsn, &reply,
                                       err, errlen);
        if (ev == CDC_EV_ERROR)
            return END_ERROR;
        if (ev != CDC_EV_NONE)
            x->last_recv_ms = fmt_mono_ms();
        else if (fmt_mono_ms() - x->last_recv_ms > SILENCE_MS) {
            /* Every status update asks for a reply: this long without one,
             * the connection is dead even if TCP has not noticed. */
            snprintf(err, errlen, "no message from the source for %d s", SILENCE_MS / 1000);
            return END_ERROR;
        }
        if (ev == CDC_EV_DATA) {
            session_end e = on_data(x, data, len, err, errlen);
            if (e != END_STOP)
                return e;
        } else if (ev == CDC_EV_KEEPALIVE) {
            if (lsn > x->received)
                x->received = lsn;
            idle_advance(x, lsn);
            if (reply && !feedback(x, false, err, errlen))
                return END_ERROR;
        } else if (boundary_open) {
            /* Nothing more ready: make the group durable now. */
            if (!commit_group(x, err, errlen))
                return END_ERROR;
        }
        /* The status update asks for a keepalive back: it proves the
         * connection alive, and when idle its position tells whether we
         * are current (idle_advance). */
        if (fmt_mono_ms() - x->last_feedback_ms >= 1000 && !feedback(x, true, err, errlen))
            return END_ERROR;
        cdc_metrics_tick(x->m, false);
    }
}

static session_end run_session(engine_runner *r, cdc_metrics *m, bool *progressed, char *err,
                               size_t errlen)
{
    session x = {.r = r, .m = m};
    char app[300], origin[200];
    appname(r, app, sizeof app);
    cdc_origin_name(r->slot, origin, sizeof origin);
    pgo_init(&x.d);
    session_end end = END_ERROR;
    PGconn *sink = engine_connect(&r->spec, &r->spec.sink, false, app, err, errlen);
    if (!sink)
        goto out;
    if (!cdc_origin_attach(sink, origin, app, &x.origin_lsn, err, errlen)) {
        PQfinish(sink);
        goto out;
    }
    x.a = apply_new(sink, err, errlen);
    if (!x.a)
        goto out;
    PGconn *src = engine_connect(&r->spec, &r->spec.src, true, app, err, errlen);
    if (!src)
        goto out;
    /* From the origin's position; the first time (0/0) the slot starts at
     * its confirmed position, the consistent point of the copy. */
    if (!cdc_stream_start(&x.s, src, r->slot, r->publication, x.origin_lsn, err, errlen))
        goto out;
    uint64_t cp = 0;
    fmt_parse_lsn(r->status.consistent_point, &cp);
    x.flushed = x.origin_lsn > cp ? x.origin_lsn : cp;
    if (!m->position || m->position < x.flushed)
        m->position = x.flushed;
    /* A structure pause ends only once a change of that table applies. */
    if (strcmp(m->state, "paused")) {
        if (!strcmp(m->state, "reconnecting")) {
            set_reason(r, "");
            engine_logf(&r->log[ES_CDC], "INFO", "CDC reconnected");
        }
        m->state = "streaming";
    }
    engine_logf(&r->log[ES_CDC], "INFO", "streaming slot %s from %X/%X (origin %s)", r->slot,
                (unsigned)(x.origin_lsn >> 32), (unsigned)x.origin_lsn, origin);
    x.last_feedback_ms = x.last_recv_ms = fmt_mono_ms();
    end = stream_loop(&x, err, errlen);
out:
    m->oldest_pending_us = 0;
    cdc_stream_close(&x.s);
    apply_free(x.a);
    pgo_free(&x.d);
    *progressed = x.progressed;
    return end;
}

static void wait_s(engine_runner *r, cdc_metrics *m, int secs)
{
    for (int i = 0; i < secs * 10 && !engine_runner_stopping(r); i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        cdc_metrics_tick(m, false);
    }
}


bool engine_cdc_run(engine_runner *r, char *err, size_t errlen)
{
    cdc_metrics m;
    cdc_metrics_init(&m, r);
    engine_log *log = &r->log[ES_CDC];
    int backoff = 1;
    char last_reason[1200] = "";
    while (!engine_runner_stopping(r)) {
        char e[1200] = "";
        bool progressed = false;
        session_end end = run_session(r, &m, &progressed, e, sizeof e);
        if (end == END_STOP || engine_runner_stopping(r))
            break;
        if (progressed)
            backoff = 1;
        m.reconnects++;
        snprintf(m.last_error, sizeof m.last_error, "%s", e);
        if (end == END_STRUCTURE) {
            m.state = "paused";
            char why[1300];
            snprintf(why, sizeof why, "CDC paused: %s", e);
            set_reason(r, why);
            if (strcmp(last_reason, e)) {
                engine_logf(log, "ERROR", "%s (the slot keeps the WAL; retrying every 5 s)", why);
                snprintf(last_reason, sizeof last_reason, "%s", e);
            }
            cdc_metrics_tick(&m, true);
            wait_s(r, &m, 5);
            continue;
        }
        last_reason[0] = 0;
        m.state = "reconnecting";
        char why[1300];
        snprintf(why, sizeof why, "CDC reconnecting in %d s (attempt %d): %s", backoff,
                 m.reconnects, e);
        set_reason(r, why);
        engine_logf(log, "WARN", "CDC interrupted: %s; reconnecting in %d s (attempt %d)", e,
                    backoff, m.reconnects);
        cdc_metrics_tick(&m, true);
        wait_s(r, &m, backoff);
        backoff = backoff * 2 > 10 ? 10 : backoff * 2;
    }
    m.state = "stopped";
    cdc_metrics_tick(&m, true);
    cdc_metrics_free(&m);
    snprintf(err, errlen, "stopped");
    return false;
}

bool engine_cdc_drop(engine_runner *r, char *err, size_t errlen)
{
    char app[300], origin[200], e2[900];
    appname(r, app, sizeof app);
    cdc_origin_name(r->slot, origin, sizeof origin);
    PGconn *sink = engine_connect(&r->spec, &r->spec.sink, false, "migtop terminate", e2,
                                  sizeof e2);
    if (!sink) {
        snprintf(err, errlen, "%s", e2);
        return false;
    }
    bool ok = cdc_origin_drop(sink, origin, app, err, errlen);
    if (ok)
        engine_logf(&r->log[ES_CDC], "INFO", "replication origin %s is gone", origin);
    PQfinish(sink);
    return ok;
}
