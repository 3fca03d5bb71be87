/* The initialization steps the runner runs in order (precheck,
 * init-struct's pre-data, init-data, post-data) and the cleanup of the
 * source on terminate; CDC is in cdc.h. */
#ifndef MIGTOP_ENGINE_STEPS_H
#define MIGTOP_ENGINE_STEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run_state.h"

/* Steps: each returns false with err naming what failed (and, for
 * copies, which table and how far it got). */
bool engine_step_precheck(engine_runner *r, char *err, size_t errlen);
bool engine_step_init_struct(engine_runner *r, char *err, size_t errlen);
bool engine_step_post_data(engine_runner *r, char *err, size_t errlen);
bool engine_step_init_data(engine_runner *r, char *err, size_t errlen);

/* Drops the slot and the publication on the source; idempotent. */
bool engine_drop_source_objects(engine_runner *r, char *err, size_t errlen);

#endif
