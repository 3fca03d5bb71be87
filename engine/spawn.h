/* Starting migtop's own processes for a local task: the supervisor
 * (`migtop supervise NAME`), which `create` starts detached, and the
 * runner (`migtop run NAME`), which the supervisor starts as its child so
 * it learns how it ended. Both re-execute this binary ($MIGTOP_BIN when
 * set, for tests; else /proc/self/exe), with stdout and stderr appended to
 * a file of the task. */
#ifndef MIGTOP_ENGINE_SPAWN_H
#define MIGTOP_ENGINE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* MIGTOP_BIN made absolute in the environment, once at the start (before
 * any thread: setenv): the processes started from here run from / and
 * start others with it. */
void engine_exe_env_absolute(void);
/* The binary to re-execute (absolute), checked executable. */
bool engine_exe_path(char *out, size_t outlen, char *err, size_t errlen);

/* `migtop CMD NAME --state-dir DIR --quiet [EXTRA]` detached (a new
 * session, double fork: it outlives the SSH session and never gets a
 * controlling terminal), output to TASKDIR/OUT. */
bool engine_spawn_detached(const char *state_dir, const char *name, const char *cmd,
                           const char *extra, const char *out, char *err, size_t errlen);

/* The same as a child of this process (no new session): its pid, or -1. */
pid_t engine_spawn_child(const char *state_dir, const char *name, const char *cmd,
                         const char *extra, const char *out, char *err, size_t errlen);

/* A long-lived process's signals: SIGTERM and SIGINT to stop (fn sets
 * its flag), SIGHUP (the session going) and SIGPIPE ignored. */
void engine_catch_stop_signals(void (*fn)(int));

#endif
