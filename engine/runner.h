/* The runner of one local task: `migtop run NAME` in the foreground, or
 * the detached process `migtop create --local` starts. It holds the
 * task's lock, runs the steps in order (precheck, init-struct pre-data,
 * init-data, post-data, then CDC), writes the status every second and
 * each step's log, and on a terminate request stops what it is doing and
 * drops the source's slot and publication (retrying until they are gone)
 * before removing the task directory. A restarted runner skips steps that
 * already completed. */
#ifndef MIGTOP_ENGINE_RUNNER_H
#define MIGTOP_ENGINE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run_state.h"

/* Runs the task to its end (or the requested step). Returns the process
 * exit code: 0 done, 1 failed (the status says why), 3 another runner
 * holds the task (err names its pid), 2 bad input. */
int engine_run(const engine_run_opts *o, char *err, size_t errlen);

#endif
