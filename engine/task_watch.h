/* Knowing when local tasks change without looking at them all: inotify on
 * STATE/tasks and on every task directory, on a thread of its own. A
 * runner's status written (renamed into place), a spec, a terminate
 * request, a task made or removed, and a runner's or supervisor's lock let
 * go (the lock file closed after writing, which the kernel reports even
 * when the process was killed) each call `changed`. Reads (the feed's own,
 * the lock checks') are not changes: files opened for reading only are
 * never reported. With 1000 idle tasks the dashboard then does nothing
 * between changes instead of stat()ing every file twice a second, and
 * reads again only the task that changed. */
#ifndef MIGTOP_ENGINE_TASK_WATCH_H
#define MIGTOP_ENGINE_TASK_WATCH_H

#include <stdbool.h>

typedef struct task_watch task_watch;

/* `changed` runs on the watcher's thread with the name of the task whose
 * files changed, made or removed, or NULL when anything may have changed
 * (events lost, STATE/tasks made or removed). */
typedef void task_changed_fn(void *ctx, const char *task);

/* NULL when inotify cannot be used here (no inotify, out of watches):
 * the caller polls instead. */
task_watch *task_watch_start(const char *state_dir, task_changed_fn *changed, void *ctx);
/* False once the watches could not be kept (then poll). */
bool task_watch_alive(task_watch *w);
void task_watch_stop(task_watch *w);

#endif
