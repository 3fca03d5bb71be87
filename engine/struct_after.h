/* What pg_restore's schema does not carry and post-data finishes once the
 * rows are in: every sequence set to the source's value (CDC does not
 * carry them; the cutover sets them again), every materialized view
 * refreshed so it holds data (in dependency order: one over another
 * waits for it), and the objects' comments. A comment or a refresh that
 * fails is named in the log and the status, not fatal; a sequence that
 * cannot be set fails the step. */
#ifndef MIGTOP_ENGINE_STRUCT_AFTER_H
#define MIGTOP_ENGINE_STRUCT_AFTER_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

#include "engine/run_state.h"

/* Post-data's end: materialized views refreshed, comments copied. */
bool engine_struct_after(engine_runner *r, char *err, size_t errlen);
/* init-data's end: the sink's sequences set to the source's values. */
bool engine_set_sequences(engine_runner *r, PGconn *src, PGconn *sink, char *err, size_t errlen);

/* REFRESH MATERIALIZED VIEW of the given views (quoted names) on the sink,
 * repeating rounds while some wait for others; false with err naming the
 * ones that would not refresh. Also used by the cutover's validation. */
bool engine_refresh_matviews(PGconn *sink, char **views, size_t n, char *err, size_t errlen);

#endif
