/* The local tasks as the Kubernetes objects the dashboard already knows:
 * one MigrationTask per task directory (spec.json + status.json, with
 * metadata.deletionTimestamp while a terminate is pending), one Job per
 * initialization step (TASK-job-<index>, Complete/Failed conditions), a
 * StatefulSet and Pod for CDC, and the local MigrationTemplate. So the
 * same panes, describe and list show local tasks and add-on tasks. */
#ifndef MIGTOP_ENGINE_LOCAL_OBJECTS_H
#define MIGTOP_ENGINE_LOCAL_OBJECTS_H

/* The annotation a local task's object carries: its runner's pid, or "none". */
#define ENGINE_ANNOT_RUNNER_PID "migtop.io/runner-pid"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/snapshot.h"

/* Task names under STATE/tasks, sorted; *names is malloc'd (free each). */
size_t engine_list_tasks(const char *state_dir, char ***names);
void engine_free_names(char **names, size_t n);

/* Builds the snapshot of every task (or only `task` when not NULL). A
 * task directory that cannot be read is skipped (it may be in the middle
 * of being created or removed); err is set only when nothing can be read. */
mt_snapshot *engine_local_snapshot(const char *state_dir, const char *task, char *err,
                                   size_t errlen);

/* One task's objects as a part to share between snapshots
 * (mt_snapshot_add_part), NULL when its directory cannot be read; expect:
 * the bytes it is expected to take (its last part's, for one arena block
 * of the right size; 0: not known). *live:
 * its health can change with time alone (not finished, held by a
 * process, a terminate pending, its status unreadable), so it must be
 * read again even when none of its files changed. */
mt_snapshot *engine_local_task_part(const char *state_dir, const char *name, size_t expect,
                                    bool *live);
/* The local MigrationTemplate, as a part. */
mt_snapshot *engine_local_template_part(void);

#endif
