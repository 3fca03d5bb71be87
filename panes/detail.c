#include "panes/detail.h"

#include <string.h>

#include "panes/spark.h"
#include "panes/table.h"
#include "panes/tasklist.h"

/* Compact UTC time for panes (the `describe` command keeps kbcli's). */
static const char *stime(doc *d, mt_time t)
{
    char b[64];
    fmt_short_time(t, b, sizeof b);
    return t ? arena_strdup(d->a, b) : "-";
}

static const char *span(doc *d, mt_time from, mt_time to)
{
    char b[32];
    fmt_duration_ms((to - from) * 1000, b, sizeof b);
    return arena_strdup(d->a, b);
}

/* "Created   2026-11-22 05:52:27  (3d0h ago)" */
static void time_row(doc *d, const char *label, mt_time t, const char *note)
{
    doc_line *l = doc_add(d);
    doc_seg *k = doc_put(d, l, P_DIM, label);
    k->width = 10;
    doc_put(d, l, P_NORMAL, stime(d, t));
    if (t && note)
        doc_putf(d, l, P_DIM, "  (%s)", note);
}

/* The lines that matter most at 2 a.m.: how far behind, and how fresh.
 * The figures come first so they survive a narrow terminal; how the lag
 * was derived follows on a line of its own. */
static void live_line(doc *d, const mt_describe *ds, const detail_opts *o, int width)
{
    /* Before anything else: what is wrong with the task itself. */
    if (ds->health)
        doc_wrap(d, P_ERROR, "! ", ds->health, width);
    doc_line *l = doc_add(d);
    char b[64];
    if (ds->has_cdc && ds->has_source_ts) {
        /* In ms: a timestamp with a fraction (the local engine's) gives a
         * sub-second lag; whole seconds (the add-on's) stay whole. */
        int64_t lag_ms = (o->now_ms ? o->now_ms : o->now * 1000) - ds->source_ts_ms;
        fmt_duration_ms(lag_ms, b, sizeof b);
        doc_put(d, l, P_NORMAL, "CDC lag ");
        doc_put(d, l, tasklist_lag_role(lag_ms / 1000, o->lag_warn_s), arena_strdup(d->a, b));
    } else if (ds->has_cdc) {
        doc_put(d, l, P_DIM, "CDC lag unknown");
    } else {
        doc_put(d, l, P_DIM, "initialization only (no CDC)");
    }
    if (ds->has_position) {
        char lsn[32];
        fmt_lsn(ds->position, lsn, sizeof lsn);
        doc_putf(d, l, P_NORMAL, "   position %s", lsn);
    }
    if (o->data_age_ms >= 0) {
        fmt_duration_ms(o->data_age_ms, b, sizeof b);
        doc_putf(d, l, o->data_age_ms > 30000 ? P_WARN : P_DIM, "   data %s old", b);
    }
    if (ds->has_cdc && ds->has_source_ts)
        doc_text(d, P_DIM, arena_printf(d->a, "lag = now - %s%s", ds->timestamp_key,
                                        ds->source_ts_had_zone
                                            ? ""
                                            : arena_printf(d->a, " (pod zone %s assumed)",
                                                           o->pod_tz_name)));
    else if (ds->has_cdc)
        doc_text(d, P_DIM, "no timestamp in the CDC metrics yet");
}

/* The last 10 minutes: the lag as a chart, the rows applied per second
 * as a line under it, both from the readings the dashboard kept. */
static void trend(doc *d, const mt_describe *ds, const detail_opts *o, int width)
{
    if (!ds->has_cdc || !o->hist)
        return;
    int n = width - 10;
    n = n > 60 ? 60 : n;
    if (n < 10)
        return;
    float lag[60], rate[60];
    mt_hist_buckets(o->hist, o->now_ms, 600, n, lag, rate);
    spark_chart(d, "lag, last 10 minutes", lag, n, spark_max(lag, n, 1.0f), "s", 3, 600);
    float rmax = spark_max(rate, n, 1.0f);
    doc_line *l = doc_add(d);
    doc_putf(d, l, P_DIM, "%-7s", "rows/s");
    doc_put(d, l, P_HIGHLIGHT, spark_line(d->a, rate, n, rmax));
    doc_putf(d, l, P_DIM, " max %.0f", rmax);
}

static void summary(doc *d, const mt_describe *ds, mt_time now, int width)
{
    const mt_task *t = ds->task;
    doc_section(d, "Summary", width);
    doc_line *l = doc_add(d);
    doc_put(d, l, P_NORMAL, "Name: ");
    doc_put(d, l, P_HEADER, t->meta.name);
    doc_put(d, l, P_NORMAL, "   Status: ");
    doc_put(d, l, tasklist_status_role(t), ds->display_status);
    doc_putf(d, l, P_NORMAL, "   Namespace: %s", *t->meta.namespace_ ? t->meta.namespace_ : "-");
    char age[32];
    fmt_age(now - t->meta.created, age, sizeof age);
    time_row(d, "Created", t->meta.created, arena_printf(d->a, "%s ago", age));
    time_row(d, "Started", t->start, NULL);
    time_row(d, "Finished", t->finish,
             t->start ? arena_printf(d->a, "took %s", span(d, t->start, t->finish)) : NULL);
    if (t->meta.deleted)
        doc_text(d, P_WARN, arena_printf(d->a, "Terminating since %s (%s)",
                                         stime(d, t->meta.deleted),
                                         span(d, t->meta.deleted, now)));
    const char *reasons[] = {t->init.failed_reason, t->cdc.failed_reason};
    const char *what[] = {"Initialization failed: ", "CDC failed: "};
    for (int i = 0; i < 2; i++)
        if (reasons[i] && *reasons[i])
            doc_wrap(d, P_ERROR, what[i], reasons[i], width);
}

static void config(doc *d, const mt_describe *ds, int width)
{
    doc_section(d, "Migration Config", width);
    static const table_col cols[] = {{"", 8, 0, false, false}, {"", 10, 0, true, false}};
    table tb;
    table_init(&tb, d, cols, 2, 4);
    const char *k[] = {"source", "sink", "migration objects", "task type"};
    const char *v[] = {ds->source, ds->sink, ds->objects, ds->task->task_type};
    for (int i = 0; i < 4; i++) {
        int r = table_row(&tb, -1);
        table_cell(&tb, r, 0, P_DIM, k[i]);
        table_cell(&tb, r, 1, P_NORMAL, v[i]);
    }
    table_emit(&tb, width, false);
}

static void template_section(doc *d, const mt_describe *ds, int width)
{
    doc_section(d, arena_printf(d->a, "Template: %s", ds->task->template_name), width);
    if (!ds->tmpl) {
        doc_text(d, P_WARN, "template not found in the snapshot");
        return;
    }
    static const table_col cols[] = {{"DATABASE-MAPPING", 10, 0, true, false},
                                     {"STATUS", 6, 0, false, false}};
    table tb;
    table_init(&tb, d, cols, 2, 1);
    int r = table_row(&tb, -1);
    table_cell(&tb, r, 0, P_NORMAL, ds->tmpl->description);
    table_cell(&tb, r, 1, !strcmp(ds->tmpl->phase, "Available") ? P_OK : P_WARN, ds->tmpl->phase);
    table_emit(&tb, width, true);
}

static pane_role job_role(const char *status)
{
    if (!strcmp(status, "Complete"))
        return P_OK;
    if (!strcmp(status, "Failed"))
        return P_ERROR;
    return P_WARN;
}

static void init_section(doc *d, const mt_describe *ds, int width)
{
    doc_section(d, "Initialization", width);
    if (ds->init_mismatch) {
        doc_text(d, P_DIM, "jobs do not match the template's steps yet (kbcli shows no rows)");
        return;
    }
    if (!ds->n_init) {
        doc_text(d, P_DIM, "no initialization jobs yet");
        return;
    }
    static const table_col cols[] = {
        {"STEP", 8, 0, false, false},         {"NAMESPACE", 6, 5, true, false},
        {"STATUS", 6, 0, false, false},       {"CREATED_TIME", 12, 4, true, false},
        {"START-TIME", 12, 2, true, false},   {"FINISHED-TIME", 12, 3, true, false},
        {"DURATION", 6, 1, false, true}};
    table tb;
    table_init(&tb, d, cols, 7, (int)ds->n_init);
    for (size_t i = 0; i < ds->n_init; i++) {
        const mt_init_row *ir = &ds->init[i];
        int r = table_row(&tb, -1);
        table_cell(&tb, r, 0, P_NORMAL, ir->step);
        table_cell(&tb, r, 1, P_NORMAL, ir->namespace_);
        table_cell(&tb, r, 2, job_role(ir->status), ir->status);
        table_cell(&tb, r, 3, P_NORMAL, stime(d, ir->created));
        table_cell(&tb, r, 4, P_NORMAL, stime(d, ir->start));
        table_cell(&tb, r, 5, P_NORMAL, stime(d, ir->finish));
        table_cell(&tb, r, 6, P_DIM, ir->start && ir->finish ? span(d, ir->start, ir->finish) : "-");
    }
    table_emit(&tb, width, true);
}

static pane_role phase_role(const char *p)
{
    if (!strcmp(p, "Running") || !strcmp(p, "Succeeded"))
        return P_OK;
    if (!strcmp(p, "Failed"))
        return P_ERROR;
    return P_WARN;
}

static void cdc_section(doc *d, const mt_describe *ds, int width)
{
    doc_section(d, "CDC", width);
    if (!ds->n_cdc) {
        doc_text(d, P_DIM, "no CDC pod yet");
    } else {
        static const table_col cols[] = {{"NAMESPACE", 6, 2, true, false},
                                         {"STATUS", 6, 0, false, false},
                                         {"CREATED_TIME", 12, 1, true, false},
                                         {"START-TIME", 12, 0, true, false}};
        table tb;
        table_init(&tb, d, cols, 4, (int)ds->n_cdc);
        for (size_t i = 0; i < ds->n_cdc; i++) {
            int r = table_row(&tb, -1);
            table_cell(&tb, r, 0, P_NORMAL, ds->cdc[i].namespace_);
            table_cell(&tb, r, 1, phase_role(ds->cdc[i].status), ds->cdc[i].status);
            table_cell(&tb, r, 2, P_NORMAL, stime(d, ds->cdc[i].created));
            table_cell(&tb, r, 3, P_NORMAL, stime(d, ds->cdc[i].start));
        }
        table_emit(&tb, width, true);
    }
    doc_section(d, "CDC Metrics", width);
    if (!ds->n_metrics) {
        doc_text(d, P_DIM, "no CDC metrics reported yet");
        return;
    }
    static const table_col mcols[] = {{"", 8, 0, false, false}, {"", 8, 0, true, false}};
    table tb;
    table_init(&tb, d, mcols, 2, (int)ds->n_metrics);
    for (size_t i = 0; i < ds->n_metrics; i++) {
        int r = table_row(&tb, -1);
        bool known = (ds->position_key && !strcmp(ds->metrics[i].key, ds->position_key)) ||
                     (ds->timestamp_key && !strcmp(ds->metrics[i].key, ds->timestamp_key));
        table_cell(&tb, r, 0, P_DIM, ds->metrics[i].key);
        table_cell(&tb, r, 1, known ? P_HIGHLIGHT : P_NORMAL, ds->metrics[i].value);
    }
    table_emit(&tb, width, false);
}

static void init_metrics(doc *d, const mt_describe *ds, int width)
{
    const mt_runtime *in = &ds->task->init;
    if (!in->n_metrics)
        return;
    doc_section(d, "Initialization Metrics", width);
    static const table_col cols[] = {{"", 8, 0, false, false}, {"", 8, 0, true, false}};
    table tb;
    table_init(&tb, d, cols, 2, (int)in->n_metrics);
    for (size_t i = 0; i < in->n_metrics; i++) {
        int r = table_row(&tb, -1);
        table_cell(&tb, r, 0, P_DIM, in->metrics[i].key);
        table_cell(&tb, r, 1, P_NORMAL, in->metrics[i].value);
    }
    table_emit(&tb, width, false);
}

/* "12.3 MiB/s", "-" when unknown. */
static const char *rate_text(doc *d, double bps)
{
    if (bps < 0)
        return "-";
    char b[32];
    fmt_bytes((uint64_t)bps, b, sizeof b);
    return arena_printf(d->a, "%s/s", b);
}

static const char *eta_text(doc *d, double s)
{
    if (s < 0)
        return "";
    char b[32];
    fmt_duration_ms((int64_t)s * 1000, b, sizeof b);
    return arena_printf(d->a, "ETA %s", b);
}

static pane_role table_role(const char *status)
{
    if (!strcmp(status, "Complete"))
        return P_OK;
    if (!strcmp(status, "Failed"))
        return P_ERROR;
    return !strcmp(status, "Copying") ? P_NORMAL : P_DIM;
}

/* One line: label, percentage, figures, then the bar (doc draws it in
 * what is left of the width). The figures go first on narrow screens. */
static void progress_line(doc *d, pane_role role, const char *label, int label_w, double pct,
                          const char *copied, const char *rate, const char *eta, double frac,
                          int width)
{
    doc_line *l = doc_add(d);
    doc_seg *s = doc_put(d, l, role, label);
    s->width = label_w + 1;
    s = doc_put(d, l, P_NORMAL, pct < 0 ? "-" : arena_printf(d->a, "%.1f%%", pct));
    s->width = 7;
    s->right = true;
    if (width >= 60) {
        s = doc_put(d, l, P_NORMAL, copied);
        s->width = 11;
        s->right = true;
        s = doc_put(d, l, P_DIM, rate);
        s->width = 13;
        s->right = true;
    }
    if (width >= 72) {
        s = doc_put(d, l, P_DIM, eta);
        s->width = 12;
        s->right = true;
    }
    l->progress = true;
    l->frac = frac;
}

/* Per-table copy progress of init-data (the local engine reports it):
 * the whole copy first, then each table, largest first as copied. */
static void progress_section(doc *d, const mt_describe *ds, int width)
{
    const mt_progress *p = &ds->task->progress;
    if (!p->n_tables)
        return;
    /* A copy held to a rate says so: the throughput is the limit's. */
    const char *rate = mt_meta_annotation(&ds->task->meta, MT_COPY_RATE_ANNOTATION);
    doc_section(d, rate ? arena_printf(d->a, "Data Copy (limited to %s/s)", rate) : "Data Copy",
                width);
    int label_w = 8;
    for (size_t i = 0; i < p->n_tables; i++) {
        int n = (int)(strlen(p->tables[i].schema) + strlen(p->tables[i].name) + 1);
        label_w = n > label_w ? n : label_w;
    }
    int cap = width >= 72 ? width - 72 + 14 : width - 40;
    label_w = label_w > cap ? (cap > 8 ? cap : 8) : label_w;
    char b[32];
    if (p->has_overall) {
        fmt_bytes((uint64_t)(p->bytes < 0 ? 0 : p->bytes), b, sizeof b);
        const char *label = p->tables_total >= 0 ? arena_printf(d->a, "all %d/%d", p->tables_done,
                                                                 p->tables_total)
                                                 : "all";
        progress_line(d, P_HEADER, label, label_w, p->percent, arena_strdup(d->a, b),
                      rate_text(d, p->bytes_per_s), eta_text(d, p->eta_s),
                      p->percent < 0 ? 0 : p->percent / 100.0, width);
    }
    for (size_t i = 0; i < p->n_tables; i++) {
        const mt_table_progress *t = &p->tables[i];
        fmt_bytes((uint64_t)(t->bytes < 0 ? 0 : t->bytes), b, sizeof b);
        const char *eta = !strcmp(t->status, "Copying") ? eta_text(d, t->eta_s) : t->status;
        progress_line(d, table_role(t->status),
                      arena_printf(d->a, "%s.%s", t->schema, t->name), label_w,
                      !strcmp(t->status, "Complete") ? 100.0 : t->percent, arena_strdup(d->a, b),
                      !strcmp(t->status, "Waiting") ? "" : rate_text(d, t->bytes_per_s), eta,
                      mt_table_fraction(t), width);
    }
}

/* Right under the live line: what no state shows and the operator must
 * know before the cutover. */
static void warnings(doc *d, const mt_describe *ds, int width)
{
    if (!ds->n_warnings)
        return;
    doc_section(d, "Warnings", width);
    for (size_t i = 0; i < ds->n_warnings; i++)
        doc_wrap(d, P_WARN, "! ", ds->warnings[i], width);
}

/* The copy is running: its progress is live state, not history. */
static bool copying(const mt_describe *ds)
{
    const mt_progress *p = &ds->task->progress;
    if (p->has_overall && p->percent >= 0 && p->percent < 100)
        return true;
    for (size_t i = 0; i < p->n_tables; i++)
        if (!strcmp(p->tables[i].status, "Copying"))
            return true;
    return false;
}

void detail_build(doc *left, doc *right, const mt_describe *ds, const detail_opts *o, int width)
{
    live_line(left, ds, o, width);
    trend(left, ds, o, width);
    if (right) { /* wide: the live parts have the right column to themselves */
        warnings(left, ds, width);
        summary(left, ds, o->now, width);
        config(left, ds, width);
        template_section(left, ds, width);
        init_section(right, ds, width);
        init_metrics(right, ds, width);
        progress_section(right, ds, width);
        if (ds->has_cdc)
            cdc_section(right, ds, width);
        doc_text(left, P_DIM, "times in UTC");
        return;
    }
    /* One column (80x24): what changes first, above the fold: the
     * warnings (what no state shows, a few lines), the status, the copy
     * while it runs, CDC; then what was, then what is fixed (the config
     * and the template). */
    warnings(left, ds, width);
    summary(left, ds, o->now, width);
    bool live_copy = copying(ds);
    if (live_copy)
        progress_section(left, ds, width);
    if (ds->has_cdc)
        cdc_section(left, ds, width);
    init_section(left, ds, width);
    if (!live_copy)
        progress_section(left, ds, width);
    init_metrics(left, ds, width);
    config(left, ds, width);
    template_section(left, ds, width);
    doc_text(left, P_DIM, "times in UTC");
}
