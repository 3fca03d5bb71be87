#include "wizards/cutover_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void ends_init(job_ends *e, const pgp_endpoint *src, const pgp_endpoint *sink,
                      const mt_objects *o)
{
    pgp_endpoint_copy(&e->src, src);
    pgp_endpoint_copy(&e->sink, sink);
    arena_init(&e->ar);
    mt_objects_copy(&e->ar, o, &e->objects);
}

static void ends_free(job_ends *e)
{
    wiz_endpoint_wipe_free(&e->src);
    wiz_endpoint_wipe_free(&e->sink);
    arena_free(&e->ar);
}

void pg_job_free(void *arg)
{
    pg_job *p = arg;
    ends_free(&p->e);
    free(p->lobs);
    free(p);
}

void seq_run(wiz_job *j, void *arg)
{
    pg_job *p = arg;
    wiz_job_progress(j, p->apply ? "setting the sequences on the sink" : "reading the sequences");
    pgp_seq_report r;
    if (cut_gate_sequences(&p->e.src, &p->e.sink, &p->e.objects, p->apply, wiz_job_cancel_flag(j), &r,
                           &p->g))
        pgp_seq_report_free(&r);
}

void val_run(wiz_job *j, void *arg)
{
    pg_job *p = arg;
    wiz_job_progress(j, "comparing the source and the sink");
    pgp_val_report r;
    if (cut_gate_validate(&p->e.src, &p->e.sink, &p->e.objects, p->full, wiz_job_cancel_flag(j), &r,
                          &p->g)) {
        p->lobs = cut_lobs_to_copy(&r.lobs, &p->n_lobs);
        pgp_val_report_free(&r);
    }
}

repair_job *repair_job_new(const pgp_endpoint *src, const pgp_endpoint *sink,
                           const mt_objects *o)
{
    repair_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    ends_init(&p->e, src, sink, o);
    return p;
}

void repair_free(void *arg)
{
    repair_job *p = arg;
    ends_free(&p->e);
    free(p->oids);
    free(p);
}

void repair_run(wiz_job *j, void *arg)
{
    repair_job *p = arg;
    if (p->matviews) {
        wiz_job_progress(j, "refreshing the materialized views on the sink");
        p->ok = cut_matviews_refresh(&p->e.sink, &p->e.objects, wiz_job_cancel_flag(j), &p->done,
                                     p->err, sizeof p->err);
    } else {
        wiz_job_progress(j, "copying the large objects again");
        p->ok = cut_lobs_copy(&p->e.src, &p->e.sink, p->oids, p->n, wiz_job_cancel_flag(j), &p->done,
                              p->err, sizeof p->err);
    }
}

pg_job *pg_job_new(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o)
{
    pg_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    ends_init(&p->e, src, sink, o);
    return p;
}

pause_job *pause_job_new(const pgp_endpoint *src, pause_what what)
{
    pause_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    pgp_endpoint_copy(&p->src, src);
    p->what = what;
    return p;
}

void pause_free(void *arg)
{
    pause_job *p = arg;
    wiz_endpoint_wipe_free(&p->src);
    free(p);
}

void pause_run(wiz_job *j, void *arg)
{
    pause_job *p = arg;
    const volatile bool *cancel = wiz_job_cancel_flag(j);
    if (p->what == PJ_LIST) {
        wiz_job_progress(j, "listing the sessions that can write");
        p->ok = cut_writers_list(&p->src, cancel, &p->writers, p->err, sizeof p->err);
    } else if (p->what == PJ_PAUSE) {
        wiz_job_progress(j, "making the source read-only and ending the sessions");
        p->ok = cut_pause_writes(&p->src, cancel, &p->rec, p->err, sizeof p->err);
    } else {
        wiz_job_progress(j, "putting back the source's own setting");
        p->ok = cut_resume_writes(&p->src, &p->rec, cancel, p->err, sizeof p->err);
    }
}
