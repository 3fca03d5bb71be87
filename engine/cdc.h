/* The local engine's CDC step: streams the task's slot (pgoutput) and
 * applies every source transaction to the sink, in commit order, exactly
 * once, until the runner stops. The runner (runner.c) calls
 * engine_cdc_run after init-data and post-data completed (or at once on a
 * restart whose initialization is already complete); it streams from
 * r->slot / r->publication (r->status.consistent_point is where the
 * copy's snapshot was taken), updating the status and logging to
 * r->log[ES_CDC]. On terminate, after the slot and the publication are
 * dropped, it calls engine_cdc_drop (retried like the slot).
 *
 * One loop, one thread: the replication connection (cdc_stream.h) feeds
 * the decoder (pgoutput_decode.h), whose changes go to the applier
 * (apply.h) in pipeline mode; small source transactions are grouped into
 * one sink transaction, which records the last one's commit in the
 * task's replication origin (cdc_origin.h). Any failure — the source or
 * the sink restarting, a dropped connection, an apply error — drops both
 * connections (the open sink transaction rolls back) and starts again
 * from the origin's position after a backoff (1 s doubling to 10 s). A
 * table whose columns no longer match the sink pauses CDC with the reason
 * in the status, retried every 5 s; the slot keeps the WAL meanwhile. */
#ifndef MIGTOP_ENGINE_CDC_H
#define MIGTOP_ENGINE_CDC_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run_state.h"

/* Runs until engine_runner_stopping(r); returns false with err "stopped"
 * then (the runner marks the step to resume on restart). */
bool engine_cdc_run(engine_runner *r, char *err, size_t errlen);
/* terminate: drops the task's replication origin on the sink. */
bool engine_cdc_drop(engine_runner *r, char *err, size_t errlen);

#endif
