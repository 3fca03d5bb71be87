/* The local tasks read once and kept, each as a part of every snapshot
 * (model/snapshot.h), so that a snapshot costs what changed: a status
 * rewritten every second by one runner among 1000 tasks rereads that one
 * task, not the thousand. A task is read again when told it changed (the
 * inotify watch), when its files' identity, size or time differ (a full
 * pass: at start, events lost, no inotify), and, while its health can
 * change with time alone (engine_local_task_part's live), at each
 * refresh: a runner killed, a heartbeat that stops. */
#ifndef MIGTOP_ENGINE_LOCAL_CACHE_H
#define MIGTOP_ENGINE_LOCAL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

typedef struct local_cache local_cache;

local_cache *local_cache_new(const char *state_dir);
void local_cache_free(local_cache *c);

/* What to read again before the next snapshot. */
typedef struct local_changes {
    char **tasks; /* the tasks told changed (made, rewritten, removed) */
    size_t n;
    bool all;       /* anything may have changed: list STATE/tasks, compare files */
    int64_t due_ms; /* a live task read longer ago than this is read again */
} local_changes;

/* Applies the changes and returns a snapshot of every task; *changed
 * (when not NULL) says whether any task was read again, came or went. */
mt_snapshot *local_cache_snapshot(local_cache *c, const local_changes *ch, bool *changed);
/* The first max tasks by name (a first screen's), with a notice saying
 * how many of *total there are; the rest come with the next full pass. */
mt_snapshot *local_cache_first(local_cache *c, size_t max, size_t *total);
/* Whether a kept task's health can change with time alone (then the
 * caller refreshes every few seconds), or not all tasks were seen yet. */
bool local_cache_live(const local_cache *c);
/* Up to max tasks kept that no call named yet (each is named once while
 * kept: a task made again under the same name is named again), valid
 * until the next snapshot: whose kept readings to look for. */
size_t local_cache_unseen(local_cache *c, const char **names, size_t max);

#endif
