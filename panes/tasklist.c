#include "panes/tasklist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/describe.h"
#include "model/order.h"
#include "panes/spark.h"
#include "panes/table.h"

bool tasklist_match(const char *hay, const char *needle)
{
    if (!needle || !*needle)
        return true;
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

pane_role tasklist_status_role(const mt_task *t)
{
    if (mt_task_failed(t) || t->health.kind != MT_HEALTH_OK)
        return P_ERROR;
    if (t->meta.deleted)
        return P_WARN;
    const char *s = t->task_status;
    if (!strcmp(s, "Running") || !strcmp(s, "Done") || !strcmp(s, "InitFinished"))
        return P_OK;
    if (!strcmp(s, "Pause") || !strcmp(s, "Cached"))
        return P_WARN;
    return P_NORMAL;
}

pane_role tasklist_lag_role(int64_t lag_s, int warn_s)
{
    if (lag_s > 60 && lag_s > 4 * warn_s)
        return P_ERROR;
    return lag_s > warn_s ? P_WARN : P_OK;
}

static bool matches(const mt_task *t, const char *f)
{
    return tasklist_match(t->meta.name, f) || tasklist_match(t->meta.namespace_, f) ||
           tasklist_match(t->template_name, f) ||
           tasklist_match(mt_task_display_status(t), f);
}

enum { C_NAME, C_NS, C_TEMPLATE, C_STATUS, C_AGE, C_LAG, C_TREND, C_POSITION, C_SOURCE, C_SINK,
       C_OBJECTS, C_COUNT };

static const table_col cols[C_COUNT] = {
    [C_NAME] = {"NAME", 10, 0, true, false},
    [C_NS] = {"NAMESPACE", 6, 3, true, false},
    [C_TEMPLATE] = {"TEMPLATE", 8, 5, true, false},
    [C_STATUS] = {"STATUS", 8, 0, true, false},
    [C_AGE] = {"AGE", 3, 2, false, false},
    [C_LAG] = {"LAG", 3, 1, false, true},
    [C_TREND] = {"LAG 5m", 10, 7, false, false}, /* after POSITION: 80 columns keep kbcli's */
    [C_POSITION] = {"POSITION", 8, 6, false, false},
    [C_SOURCE] = {"SOURCE", 12, 8, true, false},
    [C_SINK] = {"SINK", 12, 9, true, false},
    [C_OBJECTS] = {"OBJECTS", 10, 10, true, false},
};

#define TREND_MARKS 10

/* The trend's readings: false when the task has none (then no marks). */
static bool trend_lags(const mt_task *t, size_t at, const tasklist_opts *o,
                       float lag[TREND_MARKS])
{
    const mt_hist *h = mt_hist_find_at(o->hist, at, t->meta.namespace_, t->meta.name);
    if (!h)
        return false;
    mt_hist_buckets(h, o->now_ms, 300, TREND_MARKS, lag, NULL);
    return true;
}

/* The lag over the last 5 minutes, 10 marks of 30 s, scaled to its own
 * largest (at least 1 s, so a steady small lag stays low). */
static const char *trend(doc *d, const mt_task *t, size_t at, const tasklist_opts *o)
{
    float lag[TREND_MARKS];
    if (!trend_lags(t, at, o, lag))
        return "";
    return spark_line(d->a, lag, TREND_MARKS, spark_max(lag, TREND_MARKS, 1.0f));
}

/* A row's age ("-" when the task has no creation time) and lag as shown
 * (buf: at least 32 bytes each); false when the lag is not known ("-"). */
static bool age_lag_text(const mt_task *t, const tasklist_opts *o, char *age, char *lag_text,
                         int64_t *lag)
{
    if (t->meta.created)
        fmt_age(o->now - t->meta.created, age, 32);
    else
        snprintf(age, 32, "-");
    if (!mt_task_ts_lag(t, o->now, o->pod_tz, lag))
        return false;
    fmt_duration_ms(*lag * 1000, lag_text, 32);
    return true;
}

/* One shown task and its sort key: a string, or a number (-1: none, last). */
typedef struct sort_row {
    size_t i;
    const char *name, *key;
    int64_t num;
    bool desc;
} sort_row;

static int cmp_rows(const void *pa, const void *pb)
{
    const sort_row *a = pa, *b = pb;
    int c = 0;
    if (a->key)
        c = strcmp(a->key, b->key);
    else if ((a->num < 0) != (b->num < 0))
        return a->num < 0 ? 1 : -1; /* unknown last, either way */
    else
        c = a->num < b->num ? -1 : a->num > b->num;
    if (a->desc)
        c = -c;
    return c ? c : strcmp(a->name, b->name);
}

/* The tasks to show, in order: those matching the filter, sorted. */
static size_t shown_rows(const mt_snapshot *s, const tasklist_opts *o, sort_row *rows)
{
    size_t n = 0;
    for (size_t i = 0; s && i < s->n_tasks; i++) {
        const mt_task *t = &s->tasks[i];
        if (!matches(t, o->filter))
            continue;
        sort_row *r = &rows[n++];
        *r = (sort_row){.i = i, .name = t->meta.name, .num = -1, .desc = o->sort_desc};
        int64_t lag;
        switch (o->sort) {
        case TS_NAME: r->key = t->meta.name; break;
        case TS_STATUS: r->key = mt_task_display_status(t); break;
        case TS_AGE: r->num = t->meta.created ? o->now - t->meta.created : -1; break;
        case TS_LAG: r->num = mt_task_ts_lag(t, o->now, o->pod_tz, &lag) ? lag : -1; break;
        case TS_NONE: break;
        }
    }
    /* Sorted by name, the snapshot's order already is: each redraw of
     * 1000 tasks then costs n compares, not a sort. */
    if (o->sort != TS_NONE)
        mt_sort_unless_sorted(rows, n, sizeof *rows, cmp_rows);
    return n;
}

int tasklist_build(doc *d, const mt_snapshot *s, const tasklist_opts *o, int width)
{
    table t;
    size_t n = s ? s->n_tasks : 0;
    /* The sorted column's header says so. */
    table_col hc[C_COUNT];
    memcpy(hc, cols, sizeof hc);
    static const int sorted_col[] = {[TS_NAME] = C_NAME, [TS_STATUS] = C_STATUS,
                                     [TS_AGE] = C_AGE, [TS_LAG] = C_LAG};
    if (o->sort != TS_NONE)
        hc[sorted_col[o->sort]].header = arena_printf(d->a, "%s%s", cols[sorted_col[o->sort]].header,
                                                      o->sort_desc ? (draw_utf8() ? "\xe2\x86\x93" : "v")
                                                                   : (draw_utf8() ? "\xe2\x86\x91" : "^"));
    table_init(&t, d, hc, C_COUNT, (int)n + 1);
    sort_row *rows = n ? arena_alloc(d->a, n * sizeof *rows) : NULL;
    size_t shown = shown_rows(s, o, rows);
    for (size_t row = 0; row < shown; row++) {
        size_t i = rows[row].i;
        const mt_task *task = &s->tasks[i];
        int r = table_row(&t, (int)i);
        table_cell(&t, r, C_NAME, P_NORMAL, task->meta.name);
        table_cell(&t, r, C_NS, P_NORMAL, task->meta.namespace_);
        table_cell(&t, r, C_TEMPLATE, P_NORMAL, task->template_name);
        const char *st = mt_task_display_status(task);
        if (mt_task_failed(task))
            st = arena_printf(d->a, "%s (failed)", st);
        table_cell(&t, r, C_STATUS, tasklist_status_role(task), st);
        char age[32], lag_text[32];
        int64_t lag;
        bool lag_known = age_lag_text(task, o, age, lag_text, &lag);
        table_cell(&t, r, C_AGE, P_NORMAL, arena_strdup(d->a, age));
        if (lag_known) {
            table_cell(&t, r, C_LAG, tasklist_lag_role(lag, o->lag_warn_s),
                       arena_strdup(d->a, lag_text));
        } else {
            table_cell(&t, r, C_LAG, P_DIM, "-");
        }
        table_cell(&t, r, C_TREND, P_HIGHLIGHT, trend(d, task, i, o));
        const char *pos = "-";
        for (size_t k = 0; k < task->cdc.n_metrics; k++)
            if (fmt_is_lsn(task->cdc.metrics[k].value)) {
                pos = task->cdc.metrics[k].value;
                break;
            }
        table_cell(&t, r, C_POSITION, P_NORMAL, pos);
        table_cell(&t, r, C_SOURCE, P_DIM, task->source_masked);
        table_cell(&t, r, C_SINK, P_DIM, task->sink_masked);
        table_cell(&t, r, C_OBJECTS, P_DIM, task->objects_text);
    }
    table_emit(&t, width, true);
    if (s && s->n_notices) {
        doc_blank(d);
        for (size_t i = 0; i < s->n_notices; i++)
            doc_wrap(d, P_WARN, "! ", s->notices[i], width);
    }
    return (int)shown;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* What tasklist_build reads besides the snapshot's tasks, each as it
 * shows: the options, and every row's age, lag and trend readings. A new
 * field of the build must be added here too. */
uint64_t tasklist_digest(const mt_snapshot *s, const tasklist_opts *o, int width)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    int sort = o->sort, warn = o->lag_warn_s;
    bool desc = o->sort_desc, utf8 = draw_utf8();
    long tz = o->pod_tz;
    h = fnv_str(h, o->filter);
    h = fnv(h, &sort, sizeof sort);
    h = fnv(h, &desc, sizeof desc);
    h = fnv(h, &utf8, sizeof utf8);
    h = fnv(h, &warn, sizeof warn);
    h = fnv(h, &tz, sizeof tz);
    h = fnv(h, &width, sizeof width);
    for (size_t i = 0; s && i < s->n_tasks; i++) {
        const mt_task *t = &s->tasks[i];
        char age[32], lag_text[32] = "-";
        int64_t lag = 0;
        if (age_lag_text(t, o, age, lag_text, &lag)) /* its colour too, by the seconds */
            h = fnv(h, &lag, sizeof lag);
        h = fnv_str(fnv_str(h, age), lag_text);
        float marks[TREND_MARKS];
        if (trend_lags(t, i, o, marks))
            h = fnv(h, marks, sizeof marks);
    }
    return h;
}
