/* The supervisor of one local task (`migtop supervise NAME`): it starts
 * the task's runner and, when the runner dies before the task is done,
 * starts it again within a second, so a killed or crashed runner carries
 * on from its replication origin by itself. It holds the task's
 * supervisor.lock (one supervisor per task) and logs to supervisor.log.
 *
 * A runner that ends the task (exit 0: done or terminated and removed;
 * exit 1 with the task Failed) is not started again. A runner that dies
 * otherwise (a signal, an exit it did not choose) is a crash. Crashes
 * back off (1, 2, 4 ... 30 s between starts) unless the run made progress
 * (copied, applied or finished something), and after MIGTOP_CRASH_LIMIT
 * (5) crashes without progress within 10 minutes, or 30 in an hour
 * whatever they did, the task is marked Failed with the reason and the
 * supervisor stops. A runner some other process started (`migtop run`)
 * is watched through its lock instead, and its death counts the same.
 *
 * The runner it starts watches it in turn (`--supervised`): when nobody
 * holds supervisor.lock it starts a new supervisor, so killing either
 * one alone leaves the task supervised. On SIGTERM/SIGINT the supervisor
 * stops its runner (SIGTERM) and exits without starting another: that is
 * how systemd stops a task's unit (doc/systemd/). */
#ifndef MIGTOP_ENGINE_SUPERVISE_H
#define MIGTOP_ENGINE_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>

/* Returns the exit code: 0 the task ended (done, or terminated), 1 it is
 * Failed (by its runner, or by the crash limit), 2 bad input, 3 another
 * supervisor holds the task (err names its pid). */
int engine_supervise(const char *state_dir, const char *name, char *err, size_t errlen);

/* In a runner started with --supervised: a new supervisor, detached,
 * when nobody holds the task's supervisor.lock. */
void engine_supervisor_ensure(const char *state_dir, const char *name, const char *task_dir);

#endif
