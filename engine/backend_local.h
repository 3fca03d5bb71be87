/* The local backend: migtop's own engine behind the same interface as the
 * Kubernetes backend (model/backend.h). Tasks are directories under the
 * state directory (taskdir.h); create writes one and starts its supervisor
 * as a detached process (`migtop supervise NAME`, re-executing this
 * binary), so it outlives the SSH session; the supervisor runs the task's
 * runner and starts it again when it dies (engine/supervise.h). Terminate
 * asks the runner to clean up (or starts the supervisor to do it). fetch
 * and the feed read the directories only. */
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

/* Starts `migtop supervise NAME --state-dir DIR` detached (engine/spawn.h). */
bool engine_spawn_supervisor(const char *state_dir, const char *name, char *err, size_t errlen);

#endif
