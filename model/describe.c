#include "model/describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long mt_job_order(const char *name)
{
    const char *dash = name ? strrchr(name, '-') : NULL;
    if (!dash)
        return 0;
    char *end;
    long v = strtol(dash + 1, &end, 10);
    return *end ? 0 : v; /* Go's ParseInt error yields 0 as well */
}

/* Stable, like kbcli's sort.SliceStable; a task has a handful of jobs. */
static void sort_jobs(const mt_job **jobs, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const mt_job *j = jobs[i];
        long o = mt_job_order(j->meta.name);
        size_t k = i;
        while (k > 0 && mt_job_order(jobs[k - 1]->meta.name) > o) {
            jobs[k] = jobs[k - 1];
            k--;
        }
        jobs[k] = j;
    }
}

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const mt_kv *)a)->key, ((const mt_kv *)b)->key);
}

const char *mt_task_display_status(const mt_task *t)
{
    /* The truth first: a task nothing runs is not Running. */
    const char *h = mt_health_word(t->health.kind);
    if (h)
        return h;
    if (t->meta.deleted)
        return "Terminating";
    return *t->task_status ? t->task_status : "-";
}

static bool belongs(const mt_meta *m, const mt_task *t)
{
    const char *owner = mt_meta_label(m, MT_LABEL_TASK);
    return owner && !strcmp(owner, t->meta.name) &&
           !strcmp(m->namespace_, t->meta.namespace_);
}

/* kbcli's BuildInitializationStepsOrder: template order, filtered by the
 * task's steps, in CLI names. */
static size_t steps_order(arena *a, const mt_task *t, const mt_template *tp,
                          const char ***out)
{
    *out = NULL;
    if (!tp || !tp->n_steps)
        return 0;
    const char **r = arena_alloc(a, tp->n_steps * sizeof *r);
    size_t n = 0;
    for (size_t i = 0; i < tp->n_steps; i++)
        for (size_t j = 0; j < t->n_steps; j++)
            if (tp->steps[i].step && !strcmp(tp->steps[i].step, t->steps[j])) {
                const char *cli = mt_step_cli_name(tp->steps[i].step);
                r[n++] = cli ? cli : tp->steps[i].step;
                break;
            }
    *out = r;
    return n;
}

static void build_init(arena *a, const mt_snapshot *s, const mt_task *t, mt_describe *d)
{
    size_t nj = 0;
    const mt_job **jobs = arena_alloc(a, (s->n_jobs + 1) * sizeof *jobs);
    for (size_t i = 0; i < s->n_jobs; i++)
        if (belongs(&s->jobs[i].meta, t))
            jobs[nj++] = &s->jobs[i];
    if (!nj)
        return;
    sort_jobs(jobs, nj);
    const char **order;
    size_t no = steps_order(a, t, d->tmpl, &order);
    if (no != nj) {
        d->init_mismatch = true;
        return;
    }
    d->init = arena_alloc(a, nj * sizeof *d->init);
    for (size_t i = 0; i < nj; i++) {
        mt_init_row *r = &d->init[d->n_init++];
        r->step = order[i];
        r->namespace_ = jobs[i]->meta.namespace_;
        r->status = jobs[i]->last_condition ? jobs[i]->last_condition : "-";
        r->created = jobs[i]->meta.created;
        r->start = jobs[i]->start;
        r->finish = jobs[i]->completion;
    }
}

static void build_cdc(arena *a, const mt_snapshot *s, const mt_task *t, mt_time now,
                      mt_describe *d)
{
    const mt_statefulset *sts = NULL;
    for (size_t i = 0; i < s->n_sts && !sts; i++)
        if (belongs(&s->sts[i].meta, t))
            sts = &s->sts[i];
    if (!sts)
        return;
    d->cdc = arena_alloc(a, (s->n_pods + 1) * sizeof *d->cdc);
    for (size_t i = 0; i < s->n_pods; i++) {
        const mt_pod *p = &s->pods[i];
        const char *step = mt_meta_annotation(&p->meta, MT_ANNOT_STEP);
        if (!belongs(&p->meta, t) || !step || strcmp(step, "cdc"))
            continue;
        mt_cdc_row *r = &d->cdc[d->n_cdc++];
        r->namespace_ = p->meta.namespace_;
        r->status = p->phase;
        if (!strcmp(p->phase, "Running") && sts->replicas > sts->available_replicas)
            r->status = now - sts->meta.created < 600 ? "Pending" : "Failed";
        r->created = p->meta.created;
        r->start = p->start;
    }
}

static void find_metric_forms(const mt_task *t, long tz, mt_describe *d)
{
    for (size_t i = 0; i < d->n_metrics; i++) {
        const mt_kv *kv = &d->metrics[i];
        if (!d->has_position && fmt_parse_lsn(kv->value, &d->position)) {
            d->has_position = true;
            d->position_key = kv->key;
        } else if (!d->has_source_ts && fmt_parse_timestamp_ms(kv->value, tz, &d->source_ts_ms,
                                                               &d->source_ts_had_zone)) {
            d->has_source_ts = true;
            fmt_parse_timestamp(kv->value, tz, &d->source_ts, NULL);
            d->timestamp_key = kv->key;
        }
    }
    (void)t;
}

static const char *init_metric(const mt_task *t, const char *key)
{
    for (size_t i = 0; i < t->init.n_metrics; i++)
        if (!strcmp(t->init.metrics[i].key, key))
            return t->init.metrics[i].value;
    return NULL;
}

static void build_health(arena *a, const mt_task *t, mt_time now, mt_describe *d)
{
    const mt_health *h = &t->health;
    const char *word = mt_health_word(h->kind);
    if (!word)
        return;
    char since[128] = "";
    if (h->since) {
        char when[40], age[32];
        time_t s = (time_t)h->since;
        struct tm tm;
        gmtime_r(&s, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        fmt_age(now - h->since, age, sizeof age);
        snprintf(since, sizeof since, " since %s (%s ago)", when, age);
    }
    d->health = arena_printf(a, "%s%s%s%s", word, since, *h->reason ? ": " : "", h->reason);
}

static void build_warnings(arena *a, const mt_task *t, mt_describe *d)
{
    const char *skipped = init_metric(t, "structure_skipped");
    const char *lobs = init_metric(t, "large_objects");
    d->warnings = arena_alloc(a, 2 * sizeof *d->warnings);
    if (skipped && *skipped)
        d->warnings[d->n_warnings++] = arena_printf(a, "not migrated: %s", skipped);
    if (lobs && *lobs)
        d->warnings[d->n_warnings++] = arena_printf(a, "large objects: %s", lobs);
}

void mt_describe_build(arena *a, const mt_snapshot *s, const mt_task *t, mt_time now,
                       long tz, mt_describe *d)
{
    memset(d, 0, sizeof *d);
    d->task = t;
    d->tmpl = mt_snapshot_template(s, t->template_name);
    d->display_status = mt_task_display_status(t);
    d->source = mt_endpoint_masked(a, &t->source);
    d->sink = mt_endpoint_masked(a, &t->sink);
    d->objects = mt_objects_string(a, &t->objects);
    d->has_cdc = !strcmp(t->task_type, "initialization-and-cdc") || !strcmp(t->task_type, "cdc");
    build_init(a, s, t, d);
    build_warnings(a, t, d);
    build_health(a, t, now, d);
    if (d->has_cdc) {
        build_cdc(a, s, t, now, d);
        if (t->cdc.n_metrics) {
            d->metrics = arena_alloc(a, t->cdc.n_metrics * sizeof *d->metrics);
            memcpy(d->metrics, t->cdc.metrics, t->cdc.n_metrics * sizeof *d->metrics);
            d->n_metrics = t->cdc.n_metrics;
            qsort(d->metrics, d->n_metrics, sizeof *d->metrics, cmp_kv);
        }
        find_metric_forms(t, tz, d);
    }
}

bool mt_task_ts_lag(const mt_task *t, mt_time now, long tz, int64_t *lag)
{
    /* Same recognition as describe, without allocating: the first metric,
     * in sorted key order, whose value is a timestamp. */
    const mt_kv *best = NULL;
    mt_time ts = 0, cand;
    for (size_t i = 0; i < t->cdc.n_metrics; i++) {
        const mt_kv *kv = &t->cdc.metrics[i];
        if (fmt_is_lsn(kv->value) || !fmt_parse_timestamp(kv->value, tz, &cand, NULL))
            continue;
        if (!best || strcmp(kv->key, best->key) < 0) {
            best = kv;
            ts = cand;
        }
    }
    if (!best)
        return false;
    *lag = now - ts;
    return true;
}
