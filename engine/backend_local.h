/* The local backend: migtop's own engine behind the same interface as the
 * Kubernetes backend (model/backend.h). Tasks are directories under the
 * state directory (taskdir.h); create writes one and starts its runner as
 * a detached process (`migtop run NAME`, re-executing this binary), so it
 * outlives the SSH session; terminate asks the runner to clean up (or
 * starts one to do it). fetch and the feed read the directories only. */
#ifndef MIGTOP_ENGINE_BACKEND_LOCAL_H
#define MIGTOP_ENGINE_BACKEND_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "model/backend.h"

/* state_dir NULL or "": $XDG_STATE_HOME/migtop (see taskdir.h). */
mt_backend *engine_backend_open(const char *state_dir, char *err, size_t errlen);

/* Writes a new task's directory (spec.json without passwords, pgpass,
 * the first status) without starting it: create = this + spawn. */
bool engine_write_task(const char *state_dir, const mt_create_req *req, char *err,
                       size_t errlen);

/* Starts `migtop run NAME --state-dir DIR` detached (setsid, double fork).
 * The binary is $MIGTOP_BIN when set (tests), else /proc/self/exe. */
bool engine_spawn_runner(const char *state_dir, const char *name, char *err, size_t errlen);

#endif
