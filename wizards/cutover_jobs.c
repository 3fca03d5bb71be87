#include "wizards/cutover_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutover/writes.h"
#include "model/flags.h"
#include "wizards/endpoint.h"

void sample_run(wiz_job *j, void *arg)
{
    sample_job *p = arg;
    cut_sample(p->s, wiz_job_cancel_flag(j));
}

void sample_free(void *arg)
{
    sample_job *p = arg;
    if (p->s) { /* the wizard closed meanwhile */
        cut_sampler_free(p->s);
        free(p->s);
    }
    free(p);
}

void pg_job_free(void *arg)
{
    pg_job *p = arg;
    wiz_endpoint_wipe_free(&p->src);
    wiz_endpoint_wipe_free(&p->sink);
    arena_free(&p->ar);
    free(p);
}

void seq_run(wiz_job *j, void *arg)
{
    pg_job *p = arg;
    wiz_job_progress(j, p->apply ? "setting the sequences on the sink" : "reading the sequences");
    pgp_seq_report r;
    if (cut_gate_sequences(&p->src, &p->sink, &p->objects, p->apply, wiz_job_cancel_flag(j), &r,
                           &p->g))
        pgp_seq_report_free(&r);
}

void val_run(wiz_job *j, void *arg)
{
    pg_job *p = arg;
    wiz_job_progress(j, "comparing the source and the sink");
    pgp_val_report r;
    if (cut_gate_validate(&p->src, &p->sink, &p->objects, p->full, wiz_job_cancel_flag(j), &r,
                          &p->g))
        pgp_val_report_free(&r);
}

pg_job *pg_job_new(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o)
{
    pg_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    pgp_endpoint_copy(&p->src, src);
    pgp_endpoint_copy(&p->sink, sink);
    arena_init(&p->ar);
    mt_objects_copy(&p->ar, o, &p->objects);
    return p;
}

void ro_free(void *arg)
{
    ro_job *p = arg;
    wiz_endpoint_wipe_free(&p->src);
    free(p);
}

void ro_run(wiz_job *j, void *arg)
{
    ro_job *p = arg;
    p->ok = cut_readonly_set(&p->src, p->on, p->roles, wiz_job_cancel_flag(j), &p->ended, p->err,
                             sizeof p->err);
}
