#include "engine/cdc_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/apply_lanes.h"
#include "engine/cdc_live.h"
#include "engine/cdc_origin.h"
#include "engine/cdc_spool.h"
#include "engine/cdc_stream.h"
#include "engine/pgoutput_decode.h"
#include "model/fmt.h"

/* A group of source transactions becomes one sink transaction; it
 * commits when the stream has nothing more ready, or at these limits. */
#define GROUP_TXNS 1000
#define GROUP_ROWS 20000
#define GROUP_US 20000
/* Caught up with the source, a group is held this long at most: under a
 * steady load the stream is never empty, and groups held GROUP_US made
 * every change wait up to 20 ms to be visible on the sink (applied lag
 * p99 4.8x native's, which commits every transaction). Behind, draining
 * a backlog, groups grow to GROUP_US: large ones drain faster. */
#define GROUP_LIVE_US 1000
/* How old the source's WAL end (cdc_metrics) may be to tell caught up. */
#define SRC_WAL_FRESH_US 3000000
/* A row changed again and again inside one group keeps every version
 * (none is dead before the commit) and each change walks them all: a
 * group with this many repeats commits. */
#define GROUP_REPEATS 100
/* The walsender answers every status update (sent each second). */
#define SILENCE_MS 30000
#define GO_ON END_STOP /* on_data: no end, go on */
/* The main session waiting this long on a result lets the live one go. */
#define LIVE_STALL_MS 5000
#define LIVE_POLL_MS 20

typedef struct session {
    engine_runner *r;
    cdc_metrics *m;
    cdc_stream s;
    apply_lanes *l;       /* the sink sessions applying (apply_lanes.h) */
    PGconn *cat;          /* the source's catalog, for the applier */
    pgo_decoder d;
    cdc_spools spools;    /* streamed transactions not yet committed */
    cdc_live live;        /* one of them applied as it streams */
    int64_t live_polled_ms;
    uint32_t stream_xid;  /* the stream open now (Stream Start .. Stop) */
    uint64_t origin_lsn;  /* applied before this session started */
    uint64_t flushed;     /* durable on the sink (or idle-advanced) */
    uint64_t received;
    bool in_src_txn, skip_txn;
    int64_t cur_commit_us;
    /* The open group, and the one whose commit is in flight. */
    int group_txns, flight_txns;
    int64_t group_rows, flight_rows, group_start_us, group_end_us;
    uint64_t group_end_lsn;
    int64_t last_feedback_ms;
    int64_t last_recv_ms; /* anything from the walsender */
    bool progressed;      /* something committed: the backoff starts over */
    lanes_stats base;     /* the runner's figures before this session */
    char *replay;         /* a streamed message read back */
    size_t replay_cap;
} session;

void cdc_appname(const engine_runner *r, char *out, size_t n)
{
    snprintf(out, n, "migtop cdc %s", r->opts.name);
}

void cdc_set_reason(engine_runner *r, const char *why)
{
    char one[1024];
    snprintf(one, sizeof one, "%.1023s", why);
    for (char *p = one; *p; p++)
        if (*p == '\t')
            *p = ' '; /* libpq indents its hints with tabs */
    pthread_mutex_lock(&r->status.mu);
    /* Reasons are cut at the status field's size (1023 bytes): enough for
     * any server message, and the precision keeps -O2's truncation check quiet. */
    snprintf(r->status.cdc_reason, sizeof r->status.cdc_reason, "%.1023s", one);
    snprintf(r->status.steps[ES_CDC].reason, sizeof r->status.steps[ES_CDC].reason, "%.1023s", one);
    pthread_mutex_unlock(&r->status.mu);
}

static bool feedback(session *x, bool reply, char *err, size_t errlen)
{
    x->last_feedback_ms = fmt_mono_ms();
    uint64_t w = x->received > x->flushed ? x->received : x->flushed;
    return cdc_stream_feedback(&x->s, w, x->flushed, reply, err, errlen);
}

/* A commit that returned: the figures, and the slot told at once (the
 * source may let the WAL go). */
static bool note_durable(session *x, char *err, size_t errlen)
{
    uint64_t lsn = lanes_durable_lsn(x->l);
    if (lsn <= x->flushed)
        return true;
    cdc_metrics *m = x->m;
    x->flushed = lsn;
    m->position = lsn;
    m->position_ts_us = lanes_durable_ts(x->l);
    m->last_lag_us = fmt_now_ms() * 1000 - m->position_ts_us;
    m->last_commit_ms = fmt_mono_ms();
    m->txns += x->flight_txns;
    m->rows += x->flight_rows;
    engine_status_work(&x->r->status, x->flight_txns + x->flight_rows);
    x->flight_txns = 0;
    x->flight_rows = 0;
    m->oldest_pending_us = x->in_src_txn ? x->cur_commit_us : 0;
    if (!x->progressed && m->state && !strcmp(m->state, "paused")) {
        cdc_set_reason(x->r, "");
        engine_logf(&x->r->log[ES_CDC], "INFO", "CDC resumed: the sink's tables match again");
    }
    if (!x->progressed && m->last_error[0]) { /* applying again: the error is history */
        m->last_error[0] = '\0';
        m->same_errors = 0;
        cdc_set_reason(x->r, "");
    }
    m->state = "streaming";
    x->progressed = true;
    cdc_metrics_alive(m);
    return feedback(x, false, err, errlen);
}

static bool commit_group(session *x, char *err, size_t errlen)
{
    if (lanes_in_txn(x->l)) {
        if (!lanes_commit(x->l, x->group_end_lsn, x->group_end_us, err, errlen) ||
            !note_durable(x, err, errlen)) /* the commit before, if it returned meanwhile */
            return false;
        x->flight_txns += x->group_txns;
        x->flight_rows += x->group_rows;
    }
    x->group_txns = 0;
    x->group_rows = 0;
    return true;
}

int64_t cdc_group_hold_us(uint64_t received, uint64_t src_wal, int64_t src_wal_at_us,
                          int64_t now_us)
{
    bool fresh = src_wal_at_us && now_us - src_wal_at_us < SRC_WAL_FRESH_US;
    return fresh && src_wal && received >= src_wal ? GROUP_LIVE_US : GROUP_US;
}

/* A source transaction ended (Commit, or Stream Commit once its changes
 * were applied). */
static bool txn_done(session *x, uint64_t end_lsn, int64_t commit_ts, char *err, size_t errlen)
{
    x->group_txns++;
    x->group_end_lsn = end_lsn;
    x->group_end_us = commit_ts;
    if (x->group_txns >= GROUP_TXNS || x->group_rows >= GROUP_ROWS ||
        fmt_mono_us() - x->group_start_us >=
            cdc_group_hold_us(x->received, atomic_load(&x->m->src_wal),
                              atomic_load(&x->m->src_wal_at_us), fmt_now_ms() * 1000) ||
        lanes_repeats(x->l) >= GROUP_REPEATS)
        return commit_group(x, err, errlen);
    return true;
}

static session_end apply_one(session *x, const pgo_msg *msg, char *err, size_t errlen)
{
    bool structure = false;
    if (!lanes_change(x->l, &x->d, msg, &structure, err, errlen))
        return structure ? END_STRUCTURE : END_ERROR;
    x->group_rows++;
    return GO_ON;
}

/* Everything of the main session committed and back: before a chunk of
 * the live transaction (it must never wait on the main session's locks)
 * and before its commit (a commit is never durable before the ones
 * before it). */
static bool main_settled(session *x, char *err, size_t errlen)
{
    return commit_group(x, err, errlen) && lanes_settle(x->l, err, errlen) &&
           note_durable(x, err, errlen);
}

/* Stream Commit of the transaction applied as it streamed (cdc_live.h);
 * *done false when it was let go meanwhile (then applied from its spool). */
static session_end live_commit(session *x, bool *done, char *err, size_t errlen)
{
    const pgo_msg *msg = &x->d.msg;
    bool skip = msg->commit_lsn < x->origin_lsn || !x->live.changes;
    int64_t rows = 0;
    *done = true;
    if (!skip && !main_settled(x, err, errlen))
        return END_ERROR;
    if (!cdc_live_active(&x->live, msg->xid)) {
        *done = false;
        return GO_ON;
    }
    if (!cdc_live_commit(&x->live, msg->end_lsn, msg->commit_ts, skip, &rows, err, errlen))
        return END_ERROR;
    if (!skip)
        lanes_note_durable(x->l, msg->end_lsn, msg->commit_ts);
    cdc_spool_drop(&x->spools, cdc_spool_find(&x->spools, msg->xid));
    if (skip)
        return GO_ON;
    x->flight_txns++;
    x->flight_rows += rows;
    return note_durable(x, err, errlen) ? GO_ON : END_ERROR;
}

/* Stream Commit: the transaction's changes read back and applied in
 * order, as one source transaction. */
static session_end stream_commit(session *x, char *err, size_t errlen)
{
    const pgo_msg *msg = &x->d.msg;
    uint32_t xid = msg->xid;
    uint64_t commit_lsn = msg->commit_lsn, end_lsn = msg->end_lsn;
    int64_t ts = msg->commit_ts;
    if (x->received < end_lsn)
        x->received = end_lsn;
    if (cdc_live_active(&x->live, xid)) {
        bool done;
        session_end e = live_commit(x, &done, err, errlen);
        if (done)
            return e;
    }
    cdc_live_abort(&x->live, xid, xid); /* let go of before: forgotten there */
    cdc_spool *sp = cdc_spool_find(&x->spools, xid);
    if (commit_lsn < x->origin_lsn || !sp) { /* applied before a crash, or nothing published */
        cdc_spool_drop(&x->spools, sp);
        return GO_ON;
    }
    if (!x->group_txns && !lanes_in_txn(x->l))
        x->group_start_us = fmt_mono_us();
    session_end e = GO_ON;
    size_t len;
    if (!cdc_spool_rewind(sp, err, errlen))
        e = END_ERROR;
    while (e == GO_ON && cdc_spool_next(sp, &x->replay, &x->replay_cap, &len, err, errlen)) {
        if (!pgo_decode_streamed(&x->d, x->replay, len, err, errlen))
            e = END_ERROR;
        else if (x->d.msg.kind >= PGO_INSERT && x->d.msg.kind <= PGO_TRUNCATE)
            e = apply_one(x, &x->d.msg, err, errlen);
    }
    if (e == GO_ON && err[0])
        e = END_ERROR;
    cdc_spool_drop(&x->spools, sp);
    if (e == GO_ON && !txn_done(x, end_lsn, ts, err, errlen))
        e = END_ERROR;
    return e;
}

/* The messages of streams and of ordinary transactions. */
static session_end on_message(session *x, char *err, size_t errlen)
{
    const pgo_msg *msg = &x->d.msg;
    switch (msg->kind) {
    case PGO_BEGIN:
        x->in_src_txn = true;
        x->cur_commit_us = msg->commit_ts;
        /* Already applied before a crash (the origin says so): skip it. */
        x->skip_txn = msg->final_lsn < x->origin_lsn;
        if (!x->skip_txn && !x->m->oldest_pending_us)
            x->m->oldest_pending_us = msg->commit_ts;
        if (!x->group_txns && !lanes_in_txn(x->l))
            x->group_start_us = fmt_mono_us();
        return GO_ON;
    case PGO_INSERT:
    case PGO_UPDATE:
    case PGO_DELETE:
    case PGO_TRUNCATE:
        return x->skip_txn ? GO_ON : apply_one(x, msg, err, errlen);
    case PGO_COMMIT:
        x->in_src_txn = false;
        if (x->received < msg->end_lsn)
            x->received = msg->end_lsn;
        if (x->skip_txn)
            return GO_ON;
        return txn_done(x, msg->end_lsn, msg->commit_ts, err, errlen) ? GO_ON : END_ERROR;
    case PGO_STREAM_START:
        x->stream_xid = msg->xid;
        if (cdc_live_start(&x->live, msg->xid, msg->first_segment) &&
            !main_settled(x, err, errlen))
            return END_ERROR;
        return GO_ON;
    case PGO_STREAM_ABORT:
        cdc_spool_abort(&x->spools, msg->xid, msg->sub_xid);
        cdc_live_abort(&x->live, msg->xid, msg->sub_xid);
        return GO_ON;
    case PGO_STREAM_COMMIT:
        return stream_commit(x, err, errlen);
    default: /* Relation (checked on first use), Type, Origin, Message, Stream Stop */
        return GO_ON;
    }
}

static session_end on_data(session *x, const char *data, size_t len, char *err, size_t errlen)
{
    if (!pgo_decode(&x->d, data, len, err, errlen))
        return END_ERROR;
    const pgo_msg *msg = &x->d.msg;
    /* A streamed transaction's changes wait for its commit; its Relation
     * messages take effect now, as the walsender meant. */
    if (msg->streamed && msg->kind >= PGO_INSERT && msg->kind <= PGO_TRUNCATE) {
        if (!cdc_spool_add(&x->spools, x->stream_xid, msg->xid, data, len, err, errlen))
            return END_ERROR;
        if (cdc_live_active(&x->live, x->stream_xid))
            cdc_live_change(&x->live, &x->d, msg);
        return GO_ON;
    }
    return on_message(x, err, errlen);
}

static bool nothing_pending(const session *x)
{
    return !x->in_src_txn && !x->group_txns && !lanes_in_txn(x->l) && !lanes_busy(x->l) &&
           !x->spools.open;
}

/* Nothing is pending on our side: the stream's position may advance to
 * the walsender's, so an idle source (or changes outside the publication)
 * does not keep WAL forever. And once that position has reached the WAL
 * end the source reported (cdc_metrics), the sink is current as of that
 * moment: the timestamp moves on, so an idle source shows no lag. */
static void idle_advance(session *x, uint64_t lsn)
{
    if (!nothing_pending(x)) {
        /* Only streamed transactions still open on the source: everything
         * it sent is here, and waiting for their commit is no stall (the
         * watchdog would call it one after 30 s). The position stays. */
        if (x->spools.open && !x->in_src_txn && !x->group_txns && !lanes_in_txn(x->l) &&
            !lanes_busy(x->l)) {
            cdc_metrics_alive(x->m);
            engine_status_work(&x->r->status, 1);
        }
        return;
    }
    /* Current with the source is getting somewhere too: a runner killed
     * while idle is started again at once, not backed off as one that
     * crashes before it gets anywhere (supervise.c). */
    engine_status_work(&x->r->status, 1);
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
    cdc_metrics_alive(m);
}

/* The stop: what is applied becomes durable, and the slot is told. */
static session_end stop_session(session *x, char *err, size_t errlen)
{
    if (!x->in_src_txn && (!commit_group(x, err, errlen) || !lanes_settle(x->l, err, errlen) ||
                           !note_durable(x, err, errlen)))
        return END_ERROR;
    char e2[200];
    feedback(x, false, e2, sizeof e2);
    return END_STOP;
}

/* One event of the stream; GO_ON to go on. */
static session_end on_event(session *x, cdc_event ev, const char *data, size_t len, uint64_t lsn,
                            bool reply, bool boundary_open, char *err, size_t errlen)
{
    if (ev != CDC_EV_NONE)
        x->last_recv_ms = fmt_mono_ms();
    else if (fmt_mono_ms() - x->last_recv_ms > SILENCE_MS) {
        /* Every status update asks for a reply: this long without one,
         * the connection is dead even if TCP has not noticed. */
        snprintf(err, errlen, "no message from the source for %d s", SILENCE_MS / 1000);
        return END_ERROR;
    }
    if (ev == CDC_EV_DATA)
        return on_data(x, data, len, err, errlen);
    if (ev == CDC_EV_KEEPALIVE) {
        if (lsn > x->received)
            x->received = lsn;
        idle_advance(x, lsn);
        if (reply && !feedback(x, false, err, errlen))
            return END_ERROR;
    } else if (boundary_open && !commit_group(x, err, errlen)) {
        return END_ERROR; /* nothing more ready: the group goes to the sink now */
    }
    return GO_ON;
}

/* What the metrics show of the sessions, each turn of the loop. */
static void figures(session *x)
{
    lanes_stats ls = lanes_get_stats(x->l);
    cdc_metrics *m = x->m;
    m->lanes = ls.lanes;
    m->groups = x->base.groups + ls.groups;
    m->overlapped = x->base.overlapped + ls.overlapped;
    m->key_waits = x->base.key_waits + ls.key_waits;
    atomic_store(&m->a_apply_pid, lanes_backend_pid(x->l)); /* the one waited on */
    atomic_store(&m->a_recv_ms, x->last_recv_ms);
    atomic_store(&m->a_stream_only, nothing_pending(x));
    m->streams_open = x->spools.open;
    m->live_xid = cdc_live_active(&x->live, x->live.xid) ? x->live.xid : 0;
    m->live_changes = x->live.changes;
    m->live_since_ms = x->live.started_ms;
    cdc_metrics_tick(m, false);
}

static session_end stream_loop(session *x, char *err, size_t errlen)
{
    bool waited = true; /* the last turn found the stream empty */
    for (;;) {
        if (engine_runner_stopping(x->r))
            return stop_session(x, err, errlen);
        if (!lanes_poll(x->l, waited, err, errlen) || !note_durable(x, err, errlen))
            return END_ERROR;
        if (fmt_mono_ms() - x->live_polled_ms >= LIVE_POLL_MS) {
            cdc_live_poll(&x->live);
            x->live_polled_ms = fmt_mono_ms();
        }
        bool boundary_open = !x->in_src_txn && (x->group_txns || lanes_in_txn(x->l));
        const char *data = NULL;
        size_t len = 0;
        uint64_t lsn = 0;
        bool reply = false;
        cdc_event ev = cdc_stream_next(&x->s, boundary_open ? 0 : 100,
                                       lanes_busy(x->l) ? lanes_socket(x->l) : -1, &data, &len,
                                       &lsn, &reply, err, errlen);
        if (ev == CDC_EV_ERROR)
            return END_ERROR;
        /* Something to apply: until this turn's figures, the watchdog must
         * not read a hang on the sink (a catalog read, a commit) as the
         * stream's, from the last turn's "nothing pending". */
        if (ev == CDC_EV_DATA)
            atomic_store(&x->m->a_stream_only, false);
        waited = ev == CDC_EV_NONE;
        session_end e = on_event(x, ev, data, len, lsn, reply, boundary_open, err, errlen);
        if (e != GO_ON)
            return e;
        /* The status update asks for a keepalive back: it proves the
         * connection alive, and when idle its position tells whether we
         * are current (idle_advance). */
        if (fmt_mono_ms() - x->last_feedback_ms >= 1000 && !feedback(x, true, err, errlen))
            return END_ERROR;
        figures(x);
    }
}

/* The connections (the sink's lanes, the source's catalog and stream),
 * the origin, and the stream started from it. */
static bool open_session(session *x, char *err, size_t errlen)
{
    engine_runner *r = x->r;
    char app[300], origin[200];
    cdc_appname(r, app, sizeof app);
    cdc_origin_name(r->slot, origin, sizeof origin);
    PGconn *sinks[2] = {NULL, NULL};
    int n = lanes_wanted();
    sinks[0] = engine_connect(&r->spec, &r->spec.sink, false, app, err, errlen);
    if (!sinks[0])
        return false;
    /* The other lanes after the origin's attach: it ends every session of
     * this task's name but its own (what a dead runner left). */
    bool ok = cdc_origin_attach(sinks[0], origin, app, &x->origin_lsn, err, errlen);
    for (int i = 1; ok && i < n; i++)
        ok = (sinks[i] = engine_connect(&r->spec, &r->spec.sink, false, app, err, errlen));
    if (ok)
        x->cat = engine_connect(&r->spec, &r->spec.src, false, app, err, errlen);
    if (!ok || !x->cat) {
        for (int i = 0; i < n; i++)
            PQfinish(sinks[i]);
        return false;
    }
    if (!(x->l = lanes_new(sinks, n, x->cat, &r->stop, origin, err, errlen)))
        return false;
    char pids[64];
    lanes_pids(x->l, ",", pids, sizeof pids);
    cdc_live_init(&x->live, r, x->cat, pids, origin, app);
    lanes_pids(x->l, ", ", x->m->apply_pids, sizeof x->m->apply_pids);
    lanes_on_stall(x->l, LIVE_STALL_MS, cdc_live_let_go, &x->live);
    PGconn *src = engine_connect(&r->spec, &r->spec.src, true, app, err, errlen);
    /* From the origin's position; the first time (0/0) the slot starts at
     * its confirmed position, the consistent point of the copy. */
    if (!src || !cdc_stream_start(&x->s, src, r->slot, r->publication, x->origin_lsn, err, errlen))
        return false;
    engine_logf(&r->log[ES_CDC], "INFO", "streaming slot %s from %X/%X (origin %s, pgoutput "
                "protocol %d%s)", r->slot, (unsigned)(x->origin_lsn >> 32),
                (unsigned)x->origin_lsn, origin, x->s.proto,
                x->s.proto >= 2 ? ", large transactions streamed" : "");
    return true;
}

session_end cdc_session_run(engine_runner *r, cdc_metrics *m, bool *progressed, char *err,
                            size_t errlen)
{
    session x = {.r = r, .m = m,
                 .base = {.groups = m->groups, .overlapped = m->overlapped,
                          .key_waits = m->key_waits}};
    pgo_init(&x.d);
    cdc_spools_init(&x.spools, r->dir);
    session_end end = END_ERROR;
    if (open_session(&x, err, errlen)) {
        uint64_t cp = 0;
        fmt_parse_lsn(r->status.consistent_point, &cp);
        x.flushed = x.origin_lsn > cp ? x.origin_lsn : cp;
        if (!m->position || m->position < x.flushed)
            m->position = x.flushed;
        /* A structure pause ends only once a change of that table applies. */
        if (strcmp(m->state, "paused")) {
            if (!strcmp(m->state, "reconnecting")) {
                cdc_set_reason(r, "");
                engine_logf(&r->log[ES_CDC], "INFO", "CDC reconnected");
            }
            m->state = "streaming";
            atomic_store(&m->a_streaming, true);
        }
        atomic_store(&m->a_apply_pid, lanes_backend_pid(x.l));
        cdc_metrics_alive(m);
        x.last_feedback_ms = x.last_recv_ms = fmt_mono_ms();
        end = stream_loop(&x, err, errlen);
    }
    atomic_store(&m->a_streaming, false);
    atomic_store(&m->a_apply_pid, 0);
    m->oldest_pending_us = 0;
    m->streams_open = 0;
    m->live_xid = 0;
    cdc_stream_close(&x.s);
    cdc_live_free(&x.live);
    lanes_free(x.l);
    PQfinish(x.cat);
    cdc_spools_free(&x.spools);
    pgo_free(&x.d);
    free(x.replay);
    *progressed = x.progressed;
    return end;
}
