/* Parallel apply. The groups of source transactions (cdc_session.c) go
 * to the sink in turn over two sink sessions, lanes: while one
 * group's commit is in flight on one lane, the next group's statements
 * run on another, so the sink works on two groups at once (on a durable
 * sink a backend waits on its WAL writes, and one core cannot apply for
 * two).
 *
 * The result is serial apply's, commit by commit:
 * - Commits keep the source's order: a group commits only once the
 *   group before it has returned, so the origin's position, recorded by
 *   each commit, is always exact; a crash (kill -9) loses and repeats
 *   nothing. The origin is held by one session at a time: each lane
 *   takes it for its commit and hands it back in the same pipeline, and
 *   no session holds it at rest.
 * - A change whose key a group in flight wrote waits until that group is
 *   durable before it is sent (its row is not visible before), as does a
 *   TRUNCATE, and any change of a table whose unique indexes besides the
 *   key rows of other keys may collide on (or whose row cannot be told:
 *   unchanged TOAST in a whole-row identity). A change that joins its
 *   table's batch (apply_gatable) waits in the batch instead: the batch
 *   is not sent before that group is durable (the gate), and grows while
 *   it waits, so a hot row's updates (coalesced there, apply_batch.c)
 *   mostly wait for the commit, which waits for the group before anyway,
 *   and the rest of the group runs beside it. Any other such change,
 *   when it is its group's first, makes the group go behind the one in
 *   flight instead, in the same session's pipeline (no round trip lost);
 *   after a group had to wait within its first 32 changes, the next ones
 *   follow it in its session, and every 16th tries the other again. Keys are hashed (key_set.h):
 *   a collision only makes a change wait.
 * So the sink's row locks never make the older group wait on the newer
 * one, and every key sees its changes in the source's order. */
#ifndef MIGTOP_ENGINE_APPLY_LANES_H
#define MIGTOP_ENGINE_APPLY_LANES_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/apply.h"

typedef struct apply_lanes apply_lanes;

/* What the CDC pane shows of the parallelism. */
typedef struct lanes_stats {
    int lanes;
    int64_t groups;     /* committed */
    int64_t overlapped; /* of them, sent while the group before was in flight */
    int64_t key_waits;  /* changes that waited for a group in flight */
} lanes_stats;

/* Takes over the n (1 or 2) sink connections; the first attached the
 * origin (cdc_origin_attach) and hands it back here, so none holds it
 * at rest; origin names it. */
apply_lanes *lanes_new(PGconn **sinks, int n, PGconn *src, const atomic_bool *stop,
                       const char *origin, char *err, size_t errlen);
void lanes_free(apply_lanes *l);

/* apply.h's calls, over the lanes. */
bool lanes_change(apply_lanes *l, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                  char *err, size_t errlen);
bool lanes_commit(apply_lanes *l, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                  size_t errlen);
/* Reads the lanes' results that arrived; now: every lane at once, else
 * each as often as it has results to come (see there). */
bool lanes_poll(apply_lanes *l, bool now, char *err, size_t errlen);
bool lanes_settle(apply_lanes *l, char *err, size_t errlen);
bool lanes_in_txn(const apply_lanes *l);
bool lanes_busy(const apply_lanes *l);
/* The socket whose results are awaited first (the oldest lane busy). */
int lanes_socket(const apply_lanes *l);
uint64_t lanes_durable_lsn(const apply_lanes *l);
int64_t lanes_durable_ts(const apply_lanes *l);
int lanes_repeats(const apply_lanes *l);
void lanes_note_durable(apply_lanes *l, uint64_t end_lsn, int64_t commit_ts_us);
void lanes_on_stall(apply_lanes *l, int stall_ms, void (*fn)(void *), void *ctx);
/* The backend the apply waits on (the oldest lane busy, else the one the
 * next change goes to): the one the watchdog names when stuck. */
int lanes_backend_pid(const apply_lanes *l);
/* Every lane's backend, sep between them: "12, 13". */
void lanes_pids(const apply_lanes *l, const char *sep, char *out, size_t outlen);
lanes_stats lanes_get_stats(const apply_lanes *l);
/* MIGTOP_APPLY_LANES (1 or 2), else 2. */
int lanes_wanted(void);

#endif
