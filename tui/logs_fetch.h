/* Fetches a step's log on a thread of its own and keeps the newest lines
 * for the logs view. The UI never waits for it: leaving the view only
 * flags the fetch to stop, and whichever side lets go last frees it, so a
 * stalled stream can never hold up a key press. */
#ifndef MIGTOP_LOGS_FETCH_H
#define MIGTOP_LOGS_FETCH_H

#include <pthread.h>
#include <stdbool.h>

#include "model/backend.h"

#define LOGS_MAX_LINES 20000

typedef struct log_fetch log_fetch;

log_fetch *logs_fetch_start(mt_backend *b, const char *ns, const char *task,
                            const mt_logs_opts *o);
/* Asks the fetch to stop and drops the UI's reference. */
void logs_fetch_release(log_fetch *f);
/* Readable when new lines (or the end, or an error) arrived. */
int logs_fetch_fd(const log_fetch *f);
void logs_fetch_drain(log_fetch *f);

/* A consistent view of the lines for one frame: call lock, read, unlock. */
typedef struct log_view {
    char *const *lines;
    size_t n;
    size_t dropped; /* older lines let go to stay within LOGS_MAX_LINES */
    bool done;      /* the stream ended (not following, or it closed) */
    int64_t data_ms; /* when the newest line (or the end) came; 0 none yet */
    const char *error;
} log_view;

void logs_fetch_lock(log_fetch *f, log_view *v);
void logs_fetch_unlock(log_fetch *f);

#endif
