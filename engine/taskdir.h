/* A local task on disk: $XDG_STATE_HOME/migtop/tasks/NAME/ (or
 * --state-dir DIR/tasks/NAME). The directory is 0700 and every file in it
 * 0600, because pgpass holds the endpoints' passwords. Every file that
 * another process reads while it may change (status.json) is replaced
 * atomically: written to a temporary file, fsynced, then renamed. */
#ifndef MIGTOP_ENGINE_TASKDIR_H
#define MIGTOP_ENGINE_TASKDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ENGINE_SPEC_FILE "spec.json"
#define ENGINE_STATUS_FILE "status.json"
/* The CDC lag and rate of the last 15 minutes (model/history.h), for the
 * dashboard's charts after it restarts. */
#define ENGINE_HISTORY_FILE "history.json"
#define ENGINE_STATUS_PREV "status.prev.json" /* the copy status.json last replaced */
#define ENGINE_PGPASS_FILE "pgpass"
#define ENGINE_LOCK_FILE "runner.lock"
#define ENGINE_SUPERVISOR_LOCK "supervisor.lock"
#define ENGINE_RUNNER_OUT "runner.out"         /* the runner's stdout and stderr */
#define ENGINE_SUPERVISOR_OUT "supervisor.out" /* the supervisor's */
#define ENGINE_TERMINATE_FILE "terminate"
#define ENGINE_DUMP_FILE "schema.dump"
/* Its entries the task wants, as pg_restore -L reads them (init-struct). */
#define ENGINE_LIST_FILE "schema.list"
/* The files a task is shown from (its spec, status, terminate request and
 * the two locks): what the dashboard watches and compares; the rest
 * (logs, history, names before their rename) change nothing it shows. */
#define ENGINE_SHOWN_FILES 5
extern const char *const engine_shown_files[ENGINE_SHOWN_FILES];

/* The state directory: explicit, else $XDG_STATE_HOME/migtop, else
 * $HOME/.local/state/migtop. Created (0700) when missing. */
bool engine_state_dir(const char *explicit_dir, char *out, size_t outlen, char *err,
                      size_t errlen);
/* STATE/tasks/NAME, without creating it. */
bool engine_task_dir(const char *state_dir, const char *name, char *out, size_t outlen,
                     char *err, size_t errlen);
/* mkdir -p with mode 0700 for every directory it creates. */
bool engine_mkdirs(const char *path, char *err, size_t errlen);

/* Which directory a path names (device and inode), so that one removed
 * and made again under the same name is told from the one a process
 * opened. engine_dir_id is false when the path cannot be read. */
typedef struct engine_dir_id {
    unsigned long long dev, ino;
} engine_dir_id;
bool engine_dir_id_of(const char *path, engine_dir_id *id);
/* True when the directory is gone or another stands in its place. */
bool engine_dir_replaced(const char *path, const engine_dir_id *id);

/* Writes DIR/NAME atomically (tmp, fsync, rename, fsync dir), mode 0600. */
bool engine_write_file(const char *dir, const char *name, const char *data, size_t len,
                       char *err, size_t errlen);
/* The same, keeping the copy it replaces as DIR/PREV (the last good one,
 * should DIR/NAME be damaged later). */
bool engine_write_file_keep(const char *dir, const char *name, const char *prev,
                            const char *data, size_t len, char *err, size_t errlen);
/* The same (PREV may be NULL), only into the directory EXPECT names (NULL:
 * whatever DIR names now): never into another made under the same name. */
bool engine_write_file_in(const char *dir, const engine_dir_id *expect, const char *name,
                          const char *prev, const char *data, size_t len, char *err,
                          size_t errlen);
/* Reads a whole (small) file; NULL and err on failure. *len may be NULL. */
char *engine_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* One runner per task: an exclusive flock on DIR/runner.lock, whose
 * content is the holder's pid. Returns the fd (>= 0, kept open for the
 * runner's life) or -1; when another process holds it, *holder is its pid
 * and err says so. */
int engine_lock_task(const char *task_dir, pid_t *holder, char *err, size_t errlen);
/* The pid holding the lock, 0 when nobody does (checked with a
 * non-blocking flock attempt, so a stale pid file is never believed). */
pid_t engine_lock_holder(const char *task_dir);
/* The same for another lock file of the task (ENGINE_SUPERVISOR_LOCK). */
int engine_lock_named(const char *task_dir, const char *file, pid_t *holder, char *err,
                      size_t errlen);
pid_t engine_lock_holder_named(const char *task_dir, const char *file);

/* Removes a task directory and everything in it (one level of logs). */
bool engine_remove_tree(const char *path, char *err, size_t errlen);

#endif
