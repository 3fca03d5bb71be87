/* CDC's figures, into the status every second (status.cdc.metrics, the
 * add-on's field, so the same panes show them) and a `current_position`
 * line into cdc.log every 10 seconds in the add-on's form
 * ("current_position: LSN, timestamp: TIME"), which model/logpos.h parses
 * for both backends. Lag in bytes and the WAL the slot retains come from a
 * plain source connection on a thread of its own, opened lazily and
 * dropped on any error: the figures never stop or slow CDC. */
#ifndef MIGTOP_ENGINE_CDC_METRICS_H
#define MIGTOP_ENGINE_CDC_METRICS_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/run_state.h"
#include "model/history.h"

typedef struct cdc_metrics {
    engine_runner *r;
    /* Set by the CDC loop. */
    uint64_t position;       /* last applied commit's end, or the idle stream's position */
    int64_t position_ts_us;  /* source time of that position */
    int64_t oldest_pending_us; /* commit time of the oldest change not yet durable, 0: none */
    int64_t last_lag_us;     /* lag of the last group when it committed */
    int64_t last_commit_ms;
    int64_t txns, rows;      /* totals applied since the runner started */
    int reconnects;
    /* Streamed transactions still open on the source (cdc_spool.h), and the
     * one applied as it streams (cdc_live.h): what a growing lag is. */
    int streams_open;
    uint32_t live_xid;
    int64_t live_changes, live_since_ms;
    /* Parallel apply (apply_lanes.h): sink sessions, groups committed,
     * those run beside the commit before, changes that waited on a key. */
    int lanes;
    int64_t groups, overlapped, key_waits;
    char apply_pids[64];     /* the sink sessions' backends, "12, 13" */
    char last_error[1200];
    const char *state;       /* streaming, reconnecting, paused */
    /* The source's figures, asked every second by a thread of their own
     * so a slow source never holds up the apply loop. */
    _Atomic uint64_t src_wal;      /* the source's WAL end, as last asked */
    _Atomic int64_t src_wal_at_us; /* when it was asked (Unix microseconds, before the query) */
    _Atomic int64_t retained;      /* WAL the slot retains, -1 unknown */
    /* What the watchdog (cdc_watchdog.c) reads from its thread: the
     * position and its time, when CDC was last seen getting somewhere (a
     * commit made durable, or nothing left to apply), the sink session's
     * pid, whether the loop is streaming (not reconnecting or paused). */
    _Atomic uint64_t a_position;
    _Atomic int64_t a_position_ts_us, a_alive_ms;
    atomic_int a_apply_pid;
    atomic_bool a_streaming;
    /* The loop's last message from the walsender (monotonic ms), and
     * whether it waits for the stream with nothing of its own pending:
     * then a stall is the source's, not the sink's. */
    _Atomic int64_t a_recv_ms;
    atomic_bool a_stream_only;
    int64_t last_error_at_ms; /* wall clock of last_error */
    mt_hist *hist;            /* the lag and rate kept for ENGINE_HISTORY_FILE */
    int64_t hist_saved_ms;
    int same_errors;          /* sessions in a row that failed the same way */
    /* The watchdog's own (cdc_watchdog.h). */
    struct cdc_watchdog *wd;
    atomic_bool quit;
    pthread_t th;
    bool th_started;
    /* Private. */
    int64_t last_tick_ms, last_log_ms, prev_txns, prev_rows;
    uint64_t logged_position;
    uint64_t behind_wal;  /* a reading of src_wal the position had not reached (lag_now) */
    int64_t behind_at_us; /* its time */
    double txn_rate, row_rate;
    engine_kv kv[20];
    size_t n_kv;
    bool publish_pending;
} cdc_metrics;

/* The position line's text (after the log's own time and level):
 * "[cdc] current_position: LSN, timestamp: YYYY-MM-DD HH:MM:SS UTC, ...". */
void cdc_position_line(char *out, size_t outlen, uint64_t lsn, int64_t ts_us, double lag_s,
                       int64_t txns, int64_t rows);

/* CDC got somewhere (or has nothing to do): for the watchdog. */
void cdc_metrics_alive(cdc_metrics *m);
/* A session failed with e: last_error and its time, and "failing" once the
 * same error comes back STALL_SAME_ERRORS times in a row without progress. */
void cdc_metrics_error(cdc_metrics *m, const char *e, bool progressed);

/* Starts the source figures' thread. */
void cdc_metrics_init(cdc_metrics *m, engine_runner *r);
void cdc_metrics_free(cdc_metrics *m);
/* Computes the figures when a second has passed (or force) and puts them
 * into the status without waiting for its lock (a status write may be
 * fsyncing): when the lock is busy, the next call tries again. */
void cdc_metrics_tick(cdc_metrics *m, bool force);

#endif
