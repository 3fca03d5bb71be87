/* The cutover checklist (DESIGN.md, "Cutover") as gates with live
 * readings, shared by the cutover wizard (`x`) and `migtop cutover NAME
 * --check`. Readings come from the task (the backend's snapshot) and from
 * pgprobe on the source (slot lag, write activity) and both ends
 * (sequences, validation); each gate says pass or fail, what it read, and
 * what the operator has to do. */
#ifndef MIGTOP_TUI_WIZ_GATES_H
#define MIGTOP_TUI_WIZ_GATES_H

#include <stdbool.h>
#include <stdint.h>

#include "model/backend.h"
#include "pgprobe/activity.h"
#include "pgprobe/conn.h"
#include "pgprobe/sequences.h"
#include "pgprobe/slot.h"
#include "pgprobe/validate.h"

typedef enum cut_gate_id {
    CG_HEALTHY, CG_LAG, CG_WRITES, CG_STABLE, CG_SEQUENCES, CG_VALIDATE, CG_SWITCH, CG_N
} cut_gate_id;

typedef enum cut_state { CGS_WAIT, CGS_PASS, CGS_FAIL, CGS_OVERRIDE } cut_state;

typedef struct cut_gate {
    cut_state state;
    char reading[1024]; /* what was read, one or more lines */
    char todo[512];     /* what the operator has to do ("" when it passes) */
    char reason[256];   /* the override reason typed, when overridden */
    int64_t decided_ms; /* wall clock when it passed / was overridden (0: not yet) */
} cut_gate;

extern const char *const cut_gate_titles[CG_N];
const char *cut_state_name(cut_state s); /* "wait", "pass", "FAIL", "override" */

/* The task's source and sink as pgprobe endpoints: from the local task's
 * spec and pgpass (its directory under state_dir, NULL = the default), or
 * from the MigrationTask's endpoints (Kubernetes keeps the password in the
 * object). task_dir gets the local task's directory ("" on Kubernetes). */
bool cut_endpoints(const char *backend_name, const char *state_dir, const mt_task *t,
                   pgp_endpoint *src, pgp_endpoint *sink, char *task_dir, size_t dirlen,
                   char *err, size_t errlen);

/* Live readings of the source, one per call: the task's slot and the write
 * activity (the migration's own sessions left out). Owns its connection;
 * handed to one thread at a time. */
#define CUT_LAG_HISTORY 60

typedef struct cut_sampler {
    pgp_endpoint src;
    char task[256];
    PGconn *conn;
    pgp_slot_probe slot;
    pgp_activity_probe act;
    const char *exclude[2];
    bool have; /* the last call read both */
    pgp_slot_reading slot_r;
    pgp_activity_reading act_r;
    uint64_t last_confirmed; /* to tell whether the position advances */
    double advanced_t;       /* server time it last moved (or was caught up) */
    pgp_error err;
    /* The lag of the last CUT_LAG_HISTORY readings (oldest first once
     * full; <0 where a reading failed), for the gates' sparkline. */
    float lag_hist[CUT_LAG_HISTORY];
    int lag_n, lag_next;
} cut_sampler;

void cut_sampler_init(cut_sampler *s, const pgp_endpoint *src, const char *task);
bool cut_sample(cut_sampler *s, const volatile bool *cancel);
/* The lag readings kept, oldest first, into out (n of them returned). */
int cut_sampler_lags(const cut_sampler *s, float out[CUT_LAG_HISTORY]);
void cut_sampler_free(cut_sampler *s);

/* The gates that read the task and the samples. lag_s: gate 2's bound. */
void cut_gate_healthy(const mt_snapshot *snap, const mt_task *t, int64_t now_ms, cut_gate *g);
void cut_gate_lag(const cut_sampler *s, int lag_s, cut_gate *g);
void cut_gate_writes(const cut_sampler *s, cut_gate *g);

/* Gate 4: stable for need_s seconds; the countdown restarts whenever the
 * lag or the writes fail their bound. */
typedef struct cut_stability {
    int64_t since_ms; /* monotonic start of the current stable run; 0 none */
    int restarts;
    char last_break[256]; /* why the countdown last restarted */
} cut_stability;
void cut_gate_stable(cut_stability *st, const cut_sampler *s, int lag_s, int need_s,
                     int64_t now_mono_ms, cut_gate *g);

/* Gate 5: the sequences' plan (apply=false: previewed; the gate passes
 * when nothing is left to set) or its application on the sink, re-read
 * and verified. rep is the caller's (freed with pgp_seq_report_free when
 * the call returned true). */
bool cut_gate_sequences(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o,
                        bool apply, const volatile bool *cancel, pgp_seq_report *rep,
                        cut_gate *g);
/* Gate 6: sampled (or full) validation; a row per table, mismatches by
 * key range. rep as above (pgp_val_report_free). */
bool cut_gate_validate(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o,
                       bool full, const volatile bool *cancel, pgp_val_report *rep, cut_gate *g);

/* The seconds gate 4 needs: $MIGTOP_CUTOVER_STABLE_S, else 60. */
int cut_stable_seconds(void);

#endif
