/* Pieces of the local backend that live in their own files. */
#ifndef MIGTOP_ENGINE_LOCAL_INTERNAL_H
#define MIGTOP_ENGINE_LOCAL_INTERNAL_H

#include "model/backend.h"

const char *engine_backend_state_dir(mt_backend *b);
/* Step logs: STATE/tasks/NAME/STEP.log (post-data shares init-struct's). */
bool engine_local_logs(mt_backend *b, const char *ns, const char *task, const mt_logs_opts *o,
                       mt_log_line_fn fn, void *ctx, char *err, size_t errlen);
/* Watches the task directories (stat every 500 ms) and publishes a
 * snapshot when anything changed, and every 5 s regardless. */
mt_feed *engine_local_feed(mt_backend *b, char *err, size_t errlen);

#endif
