#include "engine/cdc_metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/cdc_watchdog.h"
#include "engine/pg.h"
#include "model/fmt.h"
#include "engine/taskdir.h"

static void *source_thread(void *arg);

void cdc_metrics_init(cdc_metrics *m, engine_runner *r)
{
    memset(m, 0, sizeof *m);
    m->r = r;
    m->state = "starting";
    atomic_store(&m->retained, -1);
    m->hist = calloc(1, sizeof *m->hist);
    if (!m->hist)
        abort();
    /* A runner started again carries on the ring its predecessor kept. */
    char path[4400], e[200];
    snprintf(path, sizeof path, "%s/%s", r->dir, ENGINE_HISTORY_FILE);
    char *old = engine_read_file(path, NULL, e, sizeof e);
    mt_hist_merge_json(m->hist, old);
    free(old);
    m->th_started = pthread_create(&m->th, NULL, source_thread, m) == 0;
}

void cdc_metrics_free(cdc_metrics *m)
{
    atomic_store(&m->quit, true);
    if (m->th_started)
        pthread_join(m->th, NULL);
    m->th_started = false;
    if (m->hist)
        mt_hist_clear(m->hist);
    free(m->hist);
    m->hist = NULL;
}

static void lsn_str(uint64_t v, char *out, size_t n)
{
    snprintf(out, n, "%X/%X", (unsigned)(v >> 32), (unsigned)v);
}

/* iso: 2026-01-02T03:04:05Z (the status); else 2026-01-02 03:04:05 UTC
 * (the log line, as the add-on writes it). */
static void ts_str(int64_t us, bool iso, char *out, size_t n)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    if (iso) { /* milliseconds, so a sub-second lag can be read off it */
        char sec[32];
        strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out, n, "%s.%03dZ", sec, (int)(us / 1000 % 1000));
    } else
        strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Every second: the source's WAL end and what the slot retains. */
static void *source_thread(void *arg)
{
    cdc_metrics *m = arg;
    PGconn *src = NULL;
    int64_t next_try = 0;
    while (!atomic_load(&m->quit)) {
        int64_t now = fmt_mono_ms();
        if (!src && now >= next_try) {
            char e2[600];
            src = engine_connect(&m->r->spec, &m->r->spec.src, false, "migtop cdc metrics", e2,
                                 sizeof e2);
            if (!src)
                next_try = now + 5000;
        }
        if (src) {
            const char *params[1] = {m->r->slot};
            char e2[600];
            int64_t asked = fmt_now_ms() * 1000;
            /* A source that hangs must not stop the watchdog below. */
            PGresult *res = pg_query_within(src,
                                            "SELECT pg_current_wal_lsn(), (SELECT pg_wal_lsn_diff("
                                            "pg_current_wal_lsn(), restart_lsn)::bigint FROM"
                                            " pg_replication_slots WHERE slot_name = $1)",
                                            1, params, 5000, e2, sizeof e2);
            if (!res) {
                PQfinish(src);
                src = NULL;
                next_try = now + 2000;
            } else {
                uint64_t wal = 0;
                fmt_parse_lsn(PQgetvalue(res, 0, 0), &wal);
                atomic_store(&m->retained, PQgetisnull(res, 0, 1)
                                               ? -1
                                               : strtoll(PQgetvalue(res, 0, 1), NULL, 10));
                /* The position first: a reader that sees this time sees it. */
                atomic_store(&m->src_wal, wal);
                atomic_store(&m->src_wal_at_us, asked);
                PQclear(res);
            }
        }
        cdc_signals sg = {.alive_ms = atomic_load(&m->a_alive_ms),
                          .position = atomic_load(&m->a_position),
                          .src_wal = atomic_load(&m->src_wal),
                          .position_ts_us = atomic_load(&m->a_position_ts_us),
                          .apply_pid = atomic_load(&m->a_apply_pid),
                          .streaming = atomic_load(&m->a_streaming),
                          .recv_ms = atomic_load(&m->a_recv_ms),
                          .stream_only = atomic_load(&m->a_stream_only)};
        cdc_watchdog_turn(&m->wd, m->r, src, &sg);
        fmt_nap(1000, &m->quit);
    }
    if (src)
        PQfinish(src);
    cdc_watchdog_free(&m->wd, m->r);
    return NULL;
}

void cdc_metrics_alive(cdc_metrics *m)
{
    atomic_store(&m->a_position, m->position);
    atomic_store(&m->a_position_ts_us, m->position_ts_us);
    atomic_store(&m->a_alive_ms, fmt_mono_ms());
}

/* Sessions in a row failing the same way before CDC is called failing. */
#define STALL_SAME_ERRORS 3

void cdc_metrics_error(cdc_metrics *m, const char *e, bool progressed)
{
    bool same = !progressed && m->last_error[0] && !strcmp(m->last_error, e);
    m->same_errors = same ? m->same_errors + 1 : 1;
    snprintf(m->last_error, sizeof m->last_error, "%s", e);
    m->last_error_at_ms = fmt_now_ms();
    atomic_store(&m->a_streaming, false);
}

static void put(cdc_metrics *m, const char *k, const char *v)
{
    if (m->n_kv == sizeof m->kv / sizeof *m->kv)
        return;
    engine_kv *kv = &m->kv[m->n_kv++];
    snprintf(kv->key, sizeof kv->key, "%s", k);
    snprintf(kv->value, sizeof kv->value, "%.255s", v);
}

/* A reading of the source's WAL end the position has not passed this
 * long after it was taken shows as lag; shorter, it is the round trip of
 * the position on an idle source (what the walsender skips is confirmed
 * once a second), not a lag. */
#define BEHIND_MIN_US 3000000

/* The oldest reading of the source's WAL end the position has not reached
 * yet (each second). Its time is when this loop first saw it, after the
 * source thread read it: later than the reading, so the lag said is never
 * more than the truth (src_wal_at_us is taken before the query, and the
 * pair is not read atomically). */
static void note_behind(cdc_metrics *m, int64_t wall_us)
{
    if (m->behind_wal && m->position < m->behind_wal)
        return;
    uint64_t wal = atomic_load(&m->src_wal);
    m->behind_wal = wal > m->position ? wal : 0;
    m->behind_at_us = wall_us;
}

/* Seconds the sink is behind the source, as honestly as can be said now. */
static double lag_now(const cdc_metrics *m, int64_t now)
{
    int64_t wall_us = fmt_now_ms() * 1000;
    double lag_s = 0;
    uint64_t src_end = atomic_load(&m->src_wal);
    if (m->oldest_pending_us)
        lag_s = (double)(wall_us - m->oldest_pending_us) / 1e6;
    else if (strcmp(m->state, "streaming") && src_end > m->position && m->position_ts_us)
        /* Not applying (reconnecting, paused) with WAL waiting: the age of
         * the last applied commit, not the lag of a stream that is gone. */
        lag_s = (double)(wall_us - m->position_ts_us) / 1e6;
    else if (now - m->last_commit_ms < 1000)
        lag_s = (double)m->last_lag_us / 1e6;
    /* The stream itself behind: WAL the source had written seconds ago
     * not passed yet (a walsender that stopped sending halfway through a
     * backlog, with nothing of ours pending, was shown 0 s behind).
     * Transactions still streaming keep the position where it is
     * (cdc_session.c), and that is no lag. */
    int64_t behind = wall_us - m->behind_at_us;
    if (m->behind_wal && m->position < m->behind_wal && !m->streams_open &&
        behind >= BEHIND_MIN_US && (double)behind / 1e6 > lag_s)
        lag_s = (double)behind / 1e6;
    return lag_s < 0 ? 0 : lag_s;
}

/* The position line: every 10 s while it moves, every minute when not. */
static void log_position(cdc_metrics *m, int64_t now, double lag_s, bool force)
{
    int64_t every = m->position != m->logged_position ? 10000 : 60000;
    if (!m->position || (!force && now - m->last_log_ms < every))
        return;
    char line[300];
    cdc_position_line(line, sizeof line, m->position, m->position_ts_us, lag_s, m->txns,
                      m->rows);
    engine_logf(&m->r->log[ES_CDC], "INFO", "%s", line);
    m->last_log_ms = now;
    m->logged_position = m->position;
}

/* The reading into the ring, and the ring beside the task every slot
 * (5 s): a few KB, written whole, so a dashboard started later draws the
 * last 15 minutes. A failed write costs only the chart's past. */
static void keep_history(cdc_metrics *m, int64_t now, double lag_s)
{
    mt_hist_add(m->hist, fmt_now_ms(), lag_s >= 0 ? (float)lag_s : -1.0f, (float)m->row_rate);
    if (now - m->hist_saved_ms < MT_HIST_SLOT_S * 1000)
        return;
    m->hist_saved_ms = now;
    char *text = mt_hist_json(m->hist), e[300];
    if (!engine_write_file_in(m->r->dir, &m->r->dir_id, ENGINE_HISTORY_FILE, NULL, text,
                              strlen(text), e, sizeof e))
        engine_logf(&m->r->log[ES_CDC], "WARN", "the lag history was not kept: %s", e);
    free(text);
}

/* The sink sessions: the streamed transactions open (and the one applied
 * as it streams), the apply's parallelism, the backends' pids. */
static void put_sessions(cdc_metrics *m, int64_t now)
{
    char b[128];
    if (m->streams_open) {
        int o = snprintf(b, sizeof b, "%d", m->streams_open);
        if (m->live_xid)
            snprintf(b + o, sizeof b - (size_t)o, "; xid %u applying as it streams: %" PRId64
                     " changes, open %" PRId64 " s", m->live_xid, m->live_changes,
                     (now - m->live_since_ms) / 1000);
        put(m, "streamed_transactions_open", b);
    }
    if (m->lanes) { /* the parallelism of the apply, for the CDC pane */
        /* The groups that ran beside the commit before, the changes that
         * waited for it: counts, so that two readings give the figures of
         * the time between (a rounded share of a growing total does not). */
        int o = snprintf(b, sizeof b, "%d sink session%s", m->lanes, m->lanes > 1 ? "s" : "");
        if (m->lanes > 1 && m->groups)
            snprintf(b + o, sizeof b - (size_t)o, ", %" PRId64 " of %" PRId64
                     " groups overlapped (%.0f%%), %" PRId64 " key waits", m->overlapped,
                     m->groups, 100.0 * (double)m->overlapped / (double)m->groups, m->key_waits);
        put(m, "parallel_apply", b);
    }
    if (atomic_load(&m->a_apply_pid) && m->apply_pids[0]) /* to find them in pg_stat_activity */
        put(m, "sink_backend_pids", m->apply_pids);
}

void cdc_metrics_tick(cdc_metrics *m, bool force)
{
    int64_t now = fmt_mono_ms();
    if (m->publish_pending &&
        engine_status_cdc_metrics_try(&m->r->status, m->kv, m->n_kv))
        m->publish_pending = false;
    if (!force && now - m->last_tick_ms < 1000)
        return;
    m->n_kv = 0;
    int64_t dt = m->last_tick_ms ? now - m->last_tick_ms : 0;
    m->last_tick_ms = now;
    if (dt > 0) {
        double tr = (double)(m->txns - m->prev_txns) * 1000.0 / (double)dt;
        double rr = (double)(m->rows - m->prev_rows) * 1000.0 / (double)dt;
        m->txn_rate = tr;
        m->row_rate = rr;
    }
    m->prev_txns = m->txns;
    m->prev_rows = m->rows;

    note_behind(m, fmt_now_ms() * 1000);
    double lag_s = lag_now(m, now);

    char b[128];
    if (m->position) {
        lsn_str(m->position, b, sizeof b);
        put(m, "source_position", b);
    }
    if (m->position_ts_us) {
        ts_str(m->position_ts_us, true, b, sizeof b);
        put(m, "source_timestamp", b);
    }
    snprintf(b, sizeof b, "%.3f", lag_s);
    put(m, "lag_seconds", b);
    uint64_t wal = atomic_load(&m->src_wal);
    int64_t retained = atomic_load(&m->retained);
    if (wal) {
        snprintf(b, sizeof b, "%" PRIu64, wal > m->position && m->position ? wal - m->position : 0);
        put(m, "lag_bytes", b);
    }
    if (retained >= 0) {
        fmt_bytes((uint64_t)retained, b, sizeof b);
        put(m, "slot_retained_wal", b);
    }
    snprintf(b, sizeof b, "%.1f", m->txn_rate);
    put(m, "transactions_per_second", b);
    snprintf(b, sizeof b, "%.1f", m->row_rate);
    put(m, "rows_per_second", b);
    snprintf(b, sizeof b, "%" PRId64, m->txns);
    put(m, "transactions_applied", b);
    snprintf(b, sizeof b, "%" PRId64, m->rows);
    put(m, "rows_applied", b);
    snprintf(b, sizeof b, "%d", m->reconnects);
    put(m, "reconnects", b);
    put_sessions(m, now);
    put(m, "state", m->state);
    put(m, "last_error", m->last_error[0] ? m->last_error : "none");
    if (m->last_error[0]) {
        ts_str(m->last_error_at_ms * 1000, true, b, sizeof b);
        put(m, "last_error_at", b);
    }
    m->publish_pending = !engine_status_cdc_metrics_try(&m->r->status, m->kv, m->n_kv);

    log_position(m, now, lag_s, force);
    keep_history(m, now, lag_s);
}

void cdc_position_line(char *out, size_t outlen, uint64_t lsn, int64_t ts_us, double lag_s,
                       int64_t txns, int64_t rows)
{
    char l[32], ts[48] = "unknown";
    lsn_str(lsn, l, sizeof l);
    if (ts_us)
        ts_str(ts_us, false, ts, sizeof ts);
    snprintf(out, outlen,
             "[cdc] current_position: %s, timestamp: %s, lag %.1fs, applied %" PRId64
             " transactions, %" PRId64 " changes",
             l, ts, lag_s, txns, rows);
}
