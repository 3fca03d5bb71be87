/* CDC's figures, into the status every second (status.cdc.metrics, the
 * add-on's field, so the same panes show them) and a `current_position`
 * line into cdc.log every 10 seconds in the add-on's form
 * ("current_position: LSN, timestamp: TIME"), which model/logpos.h parses
 * for both backends. Lag in bytes and the WAL the slot retains come from a
 * plain source connection, opened lazily and dropped on any error: the
 * figures never stop CDC. */
#ifndef MIGTOP_ENGINE_CDC_METRICS_H
#define MIGTOP_ENGINE_CDC_METRICS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/runner.h"

typedef struct cdc_metrics {
    engine_runner *r;
    PGconn *src;
    int64_t next_src_try_ms;
    /* Set by the CDC loop. */
    uint64_t position;       /* last applied commit's end, or the idle stream's position */
    int64_t position_ts_us;  /* source time of that position */
    int64_t oldest_pending_us; /* commit time of the oldest change not yet durable, 0: none */
    int64_t last_lag_us;     /* lag of the last group when it committed */
    int64_t last_commit_ms;
    int64_t txns, rows;      /* totals applied since the runner started */
    int reconnects;
    char last_error[1200];
    const char *state;       /* streaming, reconnecting, paused */
    uint64_t src_wal;        /* the source's WAL end, as last asked */
    int64_t src_wal_at_us;   /* when it was asked (Unix microseconds, before the query) */
    /* Private. */
    int64_t last_tick_ms, last_log_ms, prev_txns, prev_rows;
    uint64_t logged_position;
    double txn_rate, row_rate;
} cdc_metrics;

/* The position line's text (after the log's own time and level):
 * "[cdc] current_position: LSN, timestamp: YYYY-MM-DD HH:MM:SS UTC, ...". */
void cdc_position_line(char *out, size_t outlen, uint64_t lsn, int64_t ts_us, double lag_s,
                       int64_t txns, int64_t rows);

void cdc_metrics_init(cdc_metrics *m, engine_runner *r);
void cdc_metrics_free(cdc_metrics *m);
/* Publishes the figures when a second has passed (or force). */
void cdc_metrics_tick(cdc_metrics *m, bool force);

#endif
