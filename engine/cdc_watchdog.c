#include "engine/cdc_watchdog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pg.h"
#include "model/fmt.h"

struct cdc_watchdog {
    bool stalled;
    int64_t since_ms;       /* wall clock of the last sign of progress */
    int64_t next_reason_ms; /* the reason is read again every 5 s */
    PGconn *sink;           /* for pg_stat_activity and pg_locks */
    char reason[700];
};

static int stall_ms(void)
{
    const char *s = getenv("MIGTOP_STALL_S");
    int v = s ? atoi(s) : 0;
    return (v > 0 ? v : 30) * 1000;
}

/* The walsender silent this long, with nothing of ours pending, is the
 * stall's cause (it answers each status update, sent every second). */
#define STREAM_SILENT_MS 3000

/* The apply's session on the sink, as the sink sees it. */
static const char *WHY_SQL =
    "SELECT a.state, coalesce(a.wait_event_type, ''), coalesce(a.wait_event, ''),"
    "       extract(epoch FROM now() - a.state_change)::int, left(a.query, 160),"
    "       (SELECT string_agg(format('pid %s (%s, user %s%s): %s', b.pid,"
    "                 coalesce(nullif(b.application_name, ''), 'no application name'), b.usename,"
    "                 CASE WHEN b.state LIKE 'idle in transaction%' THEN ', idle in transaction "
    "since ' || to_char(b.state_change AT TIME ZONE 'UTC', 'HH24:MI:SS') || ' UTC' ELSE '' END,"
    "                 left(b.query, 120)), '; ')"
    "          FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))),"
    "       (SELECT string_agg(DISTINCT l.relation::regclass::text, ', ') FROM pg_locks l"
    "         WHERE l.pid = a.pid AND NOT l.granted AND l.relation IS NOT NULL)"
    "  FROM pg_stat_activity a WHERE a.pid = $1::int";

/* The slot's walsender, as the source sees it, and how far the source's
 * WAL is past what the slot confirmed. */
static const char *WALSENDER_SQL =
    "SELECT a.pid, a.state, coalesce(a.wait_event_type, ''), coalesce(a.wait_event, ''),"
    "       extract(epoch FROM now() - a.state_change)::int,"
    "       pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn))"
    "  FROM pg_replication_slots s LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid"
    " WHERE s.slot_name = $1";

/* Nothing pending on the sink, nothing from the walsender: the source's
 * side of the stream is what does not move. */
static void read_source_reason(engine_runner *r0, cdc_watchdog *w, PGconn *src,
                               int64_t silent_s, int64_t stuck_s)
{
    int n = snprintf(w->reason, sizeof w->reason, "nothing applied for %llds: the source's "
                     "walsender has sent nothing for %llds with nothing of ours pending",
                     (long long)stuck_s, (long long)silent_s);
    char err[600];
    const char *params[1] = {r0->slot};
    PGresult *r = src ? pg_query_within(src, WALSENDER_SQL, 1, params, 5000, err, sizeof err)
                      : NULL;
    if (!r || !PQntuples(r)) {
        snprintf(w->reason + n, sizeof w->reason - (size_t)n, "%s", r ? "; the slot is gone"
                 : "; the source cannot be asked why");
    } else if (PQgetisnull(r, 0, 0)) {
        snprintf(w->reason + n, sizeof w->reason - (size_t)n, "; no walsender holds slot %s"
                 " (%s of WAL past what it confirmed)", r0->slot, PQgetvalue(r, 0, 5));
    } else {
        char wait[160] = "";
        if (*PQgetvalue(r, 0, 2))
            snprintf(wait, sizeof wait, ", waiting on %.60s/%.60s", PQgetvalue(r, 0, 2),
                     PQgetvalue(r, 0, 3));
        snprintf(w->reason + n, sizeof w->reason - (size_t)n, "; it (pid %s on the source) is "
                 "%s%s for %ss, %s of WAL past what the slot confirmed", PQgetvalue(r, 0, 0),
                 PQgetvalue(r, 0, 1), wait, PQgetvalue(r, 0, 4), PQgetvalue(r, 0, 5));
    }
    PQclear(r);
}

static void read_reason(engine_runner *r0, cdc_watchdog *w, int pid, int64_t stuck_s)
{
    char err[600];
    if (!w->sink)
        w->sink = engine_connect(&r0->spec, &r0->spec.sink, false, "migtop cdc watchdog",
                                 err, sizeof err);
    if (!w->sink) {
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds; the sink cannot be "
                 "asked why: %.400s", (long long)stuck_s, err);
        return;
    }
    char p[16];
    snprintf(p, sizeof p, "%d", pid);
    const char *params[1] = {p};
    PGresult *r = pg_query_within(w->sink, WHY_SQL, 1, params, 5000, err, sizeof err);
    if (!r) {
        PQfinish(w->sink);
        w->sink = NULL;
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds; the sink cannot be "
                 "asked why: %.400s", (long long)stuck_s, err);
        return;
    }
    if (!PQntuples(r)) {
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds; the apply's session "
                 "(pid %d) is not on the sink any more", (long long)stuck_s, pid);
    } else if (!PQgetisnull(r, 0, 5)) {
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds: the apply (sink pid "
                 "%d) waits for a lock%s%s held by %.400s", (long long)stuck_s, pid,
                 PQgetisnull(r, 0, 6) ? "" : " on ", PQgetisnull(r, 0, 6) ? "" : PQgetvalue(r, 0, 6),
                 PQgetvalue(r, 0, 5));
    } else if (!strcmp(PQgetvalue(r, 0, 1), "Client") || !strncmp(PQgetvalue(r, 0, 0), "idle", 4)) {
        /* It says it waits for us while our statements wait for it: it is
         * not reading them (stopped, or the network between). */
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds: the sink's backend "
                 "(pid %d) does not answer: it last said \"%s\" %ss ago (last statement: "
                 "%.120s)", (long long)stuck_s, pid, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 3),
                 PQgetvalue(r, 0, 4));
    } else if (*PQgetvalue(r, 0, 1)) {
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds: the apply (sink pid "
                 "%d) waits on %s/%s for %ss: %.160s", (long long)stuck_s, pid,
                 PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
                 PQgetvalue(r, 0, 4));
    } else {
        snprintf(w->reason, sizeof w->reason, "nothing applied for %llds: the sink's backend "
                 "(pid %d, %s for %ss) does not answer: %.160s", (long long)stuck_s, pid,
                 PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4));
    }
    PQclear(r);
}

void cdc_watchdog_turn(cdc_watchdog **wp, engine_runner *r, PGconn *src, const cdc_signals *sg)
{
    if (!*wp && !(*wp = calloc(1, sizeof **wp)))
        abort();
    cdc_watchdog *w = *wp;
    int64_t now = fmt_mono_ms();
    bool stuck = sg->streaming && sg->alive_ms && sg->src_wal > sg->position &&
                 now - sg->alive_ms >= stall_ms();
    engine_log *log = &r->log[ES_CDC];
    if (!stuck) {
        if (w->stalled) {
            engine_logf(log, "INFO", "CDC moving again after %.0f s stalled",
                        (double)(fmt_now_ms() - w->since_ms) / 1000.0);
            engine_status_cdc_stall(&r->status, 0, 0, NULL);
        }
        w->stalled = false;
        return;
    }
    int64_t stuck_s = (now - sg->alive_ms) / 1000;
    if (!w->stalled || now >= w->next_reason_ms) {
        int64_t silent_ms = sg->recv_ms ? now - sg->recv_ms : 0;
        if (sg->stream_only && silent_ms >= STREAM_SILENT_MS)
            read_source_reason(r, w, src, silent_ms / 1000, stuck_s);
        else
            read_reason(r, w, sg->apply_pid, stuck_s);
        w->next_reason_ms = now + 5000;
    }
    if (!w->stalled) {
        w->stalled = true;
        w->since_ms = fmt_now_ms() - (now - sg->alive_ms);
        engine_logf(log, "WARN", "CDC stalled: %s", w->reason);
    }
    double lag = sg->position_ts_us ? (double)(fmt_now_ms() * 1000 - sg->position_ts_us) / 1e6
                                    : (double)stuck_s;
    engine_status_cdc_stall(&r->status, (mt_time)(w->since_ms / 1000), lag, w->reason);
}

void cdc_watchdog_free(cdc_watchdog **wp, engine_runner *r)
{
    cdc_watchdog *w = *wp;
    if (!w)
        return;
    if (w->sink)
        PQfinish(w->sink);
    if (w->stalled)
        engine_status_cdc_stall(&r->status, 0, 0, NULL);
    free(w);
    *wp = NULL;
}
