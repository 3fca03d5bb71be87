#include "engine/cdc_metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/pg.h"
#include "model/fmt.h"

void cdc_metrics_init(cdc_metrics *m, engine_runner *r)
{
    memset(m, 0, sizeof *m);
    m->r = r;
    m->state = "starting";
}

void cdc_metrics_free(cdc_metrics *m)
{
    if (m->src)
        PQfinish(m->src);
    m->src = NULL;
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
    if (iso)
        strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* The source's WAL end and what the slot retains; false when the source
 * cannot be asked right now. */
static bool source_figures(cdc_metrics *m, uint64_t *wal, int64_t *retained)
{
    int64_t now = fmt_mono_ms();
    if (!m->src) {
        if (now < m->next_src_try_ms)
            return false;
        char e2[600];
        m->src = engine_connect(&m->r->spec, &m->r->spec.src, false, "migtop cdc metrics", e2,
                                sizeof e2);
        if (!m->src) {
            m->next_src_try_ms = now + 5000;
            return false;
        }
    }
    const char *params[1] = {m->r->slot};
    char e2[600];
    int64_t asked = fmt_now_ms() * 1000;
    PGresult *res = pg_query(m->src,
                             "SELECT pg_current_wal_lsn(), (SELECT pg_wal_lsn_diff("
                             "pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots"
                             " WHERE slot_name = $1)",
                             1, params, e2, sizeof e2);
    if (!res) {
        PQfinish(m->src);
        m->src = NULL;
        m->next_src_try_ms = now + 2000;
        return false;
    }
    fmt_parse_lsn(PQgetvalue(res, 0, 0), wal);
    m->src_wal = *wal;
    m->src_wal_at_us = asked;
    *retained = PQgetisnull(res, 0, 1) ? -1 : strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    return true;
}

static void put(cdc_metrics *m, const char *k, const char *v)
{
    engine_status_cdc_metric(&m->r->status, k, v);
}

void cdc_metrics_tick(cdc_metrics *m, bool force)
{
    int64_t now = fmt_mono_ms();
    if (!force && now - m->last_tick_ms < 1000)
        return;
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

    int64_t wall_us = fmt_now_ms() * 1000;
    double lag_s = 0;
    if (m->oldest_pending_us)
        lag_s = (double)(wall_us - m->oldest_pending_us) / 1e6;
    else if (now - m->last_commit_ms < 1000)
        lag_s = (double)m->last_lag_us / 1e6;
    if (lag_s < 0)
        lag_s = 0;

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
    uint64_t wal = 0;
    int64_t retained = -1;
    if (source_figures(m, &wal, &retained)) {
        snprintf(b, sizeof b, "%" PRIu64, wal > m->position && m->position ? wal - m->position : 0);
        put(m, "lag_bytes", b);
        if (retained >= 0) {
            fmt_bytes((uint64_t)retained, b, sizeof b);
            put(m, "slot_retained_wal", b);
        }
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
    put(m, "state", m->state);
    put(m, "last_error", m->last_error[0] ? m->last_error : "none");

    /* The position line: every 10 s while it moves, every minute when not. */
    int64_t every = m->position != m->logged_position ? 10000 : 60000;
    if (m->position && (force || now - m->last_log_ms >= every)) {
        char line[300];
        cdc_position_line(line, sizeof line, m->position, m->position_ts_us, lag_s, m->txns,
                          m->rows);
        engine_logf(&m->r->log[ES_CDC], "INFO", "%s", line);
        m->last_log_ms = now;
        m->logged_position = m->position;
    }
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
