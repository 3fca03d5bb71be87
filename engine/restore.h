/* pg_restore of chosen entries of the task's schema dump (taskdir.h's
 * ENGINE_DUMP_FILE) into the sink, its errors read into the step's log,
 * and the memory an index build gets there. Shared by init-struct's
 * pre-data, post-data and the index builds that start while other
 * tables still copy (early_index.h). */
#ifndef MIGTOP_ENGINE_RESTORE_H
#define MIGTOP_ENGINE_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run_state.h"

/* Restores the entries listed in the task directory's list_name (pg_restore
 * -L) of one section with `jobs` jobs. index_mem_mb > 0: each session's
 * maintenance_work_mem. An entry that exists on the sink already (a run
 * again) is kept and counted; any other error fails, the first one in
 * err. */
bool engine_restore(engine_runner *r, const char *section, const char *list_name, int jobs,
                    long index_mem_mb, char *err, size_t errlen);

/* Whether pg_restore would run anything of list_name in that section
 * (pg_restore -l, a fiftieth of a second: a restore of nothing costs a
 * connection and a tenth). False with err when it cannot tell. */
bool engine_restore_any(engine_runner *r, const char *section, const char *list_name,
                        bool *any, char *err, size_t errlen);

/* The maintenance_work_mem for each of `builds` index builds at once on
 * the sink, in MB: a quarter of the sink's memory shared among them,
 * never below the sink's own setting nor 64 MB, at most 2 GB. The sink's
 * memory is this host's available memory when the sink runs here (a
 * socket or a loopback address), else four times its shared_buffers (the
 * usual sizing, KubeBlocks' too). MIGTOP_INDEX_MEM_MB overrides it. 0
 * when the sink cannot be asked: its own setting applies. */
long engine_index_mem_mb(engine_runner *r, int builds);

#endif
