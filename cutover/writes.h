/* Pausing the business's writes on the source at cutover (gate 3, and
 * `migtop cutover NAME --pause-writes` / `--resume-writes`):
 *
 *   1. cut_writers_list: the sessions that can write, each with its role,
 *      application, client address and what it last ran; the migration's
 *      own (the walsender, every "migtop..." application) and superusers'
 *      sessions are listed apart and left alone.
 *   2. cut_pause_writes, after the operator confirmed that list: the
 *      database made read-only for new sessions (ALTER DATABASE ... SET
 *      default_transaction_read_only = on), then every session that can
 *      write ended, so a pooled or long-lived connection cannot go on
 *      committing. What the database had before is recorded.
 *   3. cut_resume_writes restores exactly that (a setting that was already
 *      on stays on).
 *
 * The record (cut_pause) is kept in a file beside the cutover reports, so
 * a second engineer, or a runbook, can resume; after the switch it says
 * so, and resuming then needs to be asked for explicitly.
 *
 * migtop's own sessions turn default_transaction_read_only off for
 * themselves (pgprobe/conn.c, engine/spec.c), so terminate, sequences and
 * validation work on a paused source. Everything here blocks: run it off
 * the UI thread. */
#ifndef MIGTOP_CUTOVER_WRITES_H
#define MIGTOP_CUTOVER_WRITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pgprobe/conn.h"

typedef struct cut_session {
    int pid;
    char role[64], app[64], client[64], state[32], query[160];
    bool superuser;
} cut_session;

#define CUT_MAX_SESSIONS 64

typedef struct cut_writers {
    cut_session v[CUT_MAX_SESSIONS];   /* to be ended */
    size_t n, n_more;                  /* n_more: beyond those listed */
    cut_session alone[16];             /* superusers': left alone */
    size_t n_alone;
} cut_writers;

typedef struct cut_pause {
    char host[256], port[16], user[256]; /* where (no password): a resume after the task went */
    char db[256];
    char previous[16];   /* "absent", "on" or "off": the database's own setting before */
    int64_t paused_ms;   /* wall clock */
    int64_t switched_ms; /* set at gate 7: the application moved to the sink */
    int ended;           /* sessions ended */
} cut_pause;

bool cut_writers_list(const pgp_endpoint *src, const volatile bool *cancel, cut_writers *out,
                      char *err, size_t errlen);
/* One line per session ("pid 123 app@10.0.0.9 (role billing): UPDATE ..."),
 * into out; the superusers' after "left alone:". */
void cut_writers_text(const cut_writers *w, char *out, size_t outlen);

bool cut_pause_writes(const pgp_endpoint *src, const volatile bool *cancel, cut_pause *rec,
                      char *err, size_t errlen);
bool cut_resume_writes(const pgp_endpoint *src, const cut_pause *rec,
                       const volatile bool *cancel, char *err, size_t errlen);

/* DIR/TASK.paused.json (0600): saved at a pause and a switch, removed at
 * a resume. load: false when there is none. */
bool cut_pause_save(const char *dir, const char *task, const cut_pause *rec, char *err,
                    size_t errlen);
bool cut_pause_load(const char *dir, const char *task, cut_pause *rec);
void cut_pause_forget(const char *dir, const char *task);

#endif
