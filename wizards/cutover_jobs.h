/* The cutover wizard's background work, each on a wiz_job: a reading of
 * the source (the sampler is lent to the job and handed back), the
 * sequences' plan or its application, validation, gate 3's pause of the
 * writes or its undo, and gate 6's repairs. Every job owns copies of the
 * endpoints and wipes their passwords when freed. */
#ifndef MIGTOP_WIZARDS_CUTOVER_JOBS_H
#define MIGTOP_WIZARDS_CUTOVER_JOBS_H

#include "cutover/gates.h"
#include "cutover/repair.h"
#include "cutover/writes.h"
#include "wizards/job.h"

typedef struct sample_job {
    cut_sampler *s; /* lent; NULL once handed back */
} sample_job;
void sample_run(wiz_job *j, void *arg);
void sample_free(void *arg);

/* What every job on both ends owns: copies of the endpoints (passwords
 * wiped when freed) and of the task's objects. */
typedef struct job_ends {
    pgp_endpoint src, sink;
    arena ar;
    mt_objects objects;
} job_ends;

typedef struct pg_job {
    job_ends e;
    bool apply, full;
    cut_gate g; /* the gate as the job read it */
    unsigned *lobs; /* validation: the large objects to copy again (malloc'd) */
    size_t n_lobs;
} pg_job;
/* A job on both ends for the objects o (copied). */
pg_job *pg_job_new(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o);
void pg_job_free(void *arg);
void seq_run(wiz_job *j, void *arg);
void val_run(wiz_job *j, void *arg);

/* Gate 6's repairs (cutover/repair.h): the large objects oids copied
 * again, or (matviews) the materialized views refreshed. */
typedef struct repair_job {
    job_ends e;
    unsigned *oids; /* owned */
    size_t n;
    bool matviews;
    bool ok;
    size_t done;
    char err[800];
} repair_job;
repair_job *repair_job_new(const pgp_endpoint *src, const pgp_endpoint *sink,
                           const mt_objects *o);
void repair_run(wiz_job *j, void *arg);
void repair_free(void *arg);

/* Gate 3's pause (cutover/writes.h): listing the sessions that can write,
 * pausing, or resuming (the abort before the switch). */
typedef enum pause_what { PJ_LIST, PJ_PAUSE, PJ_RESUME } pause_what;
typedef struct pause_job {
    pgp_endpoint src;
    pause_what what;
    cut_writers writers; /* PJ_LIST's result */
    cut_pause rec;       /* PJ_PAUSE: in (a previous pause's) and out; PJ_RESUME: in */
    bool ok;
    char err[800];
} pause_job;
pause_job *pause_job_new(const pgp_endpoint *src, pause_what what);
void pause_run(wiz_job *j, void *arg);
void pause_free(void *arg);

#endif
