/* The cutover wizard's background work, each on a wiz_job: a reading of
 * the source (the sampler is lent to the job and handed back), the
 * sequences' plan or its application, validation, and gate 3's
 * read-only enforcement or its undo. Every job owns copies of the
 * endpoints and wipes their passwords when freed. */
#ifndef MIGTOP_WIZARDS_CUTOVER_JOBS_H
#define MIGTOP_WIZARDS_CUTOVER_JOBS_H

#include "cutover/gates.h"
#include "cutover/repair.h"
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

typedef struct ro_job {
    pgp_endpoint src;
    bool on;
    char roles[600]; /* "{a,b}" */
    bool ok;
    int ended;
    char err[800];
} ro_job;
void ro_run(wiz_job *j, void *arg);
void ro_free(void *arg);

#endif
