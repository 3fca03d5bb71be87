#include "panes/tasklist.h"

#include <ctype.h>
#include <string.h>

#include "model/describe.h"
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

enum { C_NAME, C_NS, C_TEMPLATE, C_STATUS, C_AGE, C_LAG, C_POSITION, C_SOURCE, C_SINK,
       C_OBJECTS, C_COUNT };

static const table_col cols[C_COUNT] = {
    [C_NAME] = {"NAME", 10, 0, true, false},
    [C_NS] = {"NAMESPACE", 6, 3, true, false},
    [C_TEMPLATE] = {"TEMPLATE", 8, 5, true, false},
    [C_STATUS] = {"STATUS", 8, 0, true, false},
    [C_AGE] = {"AGE", 3, 2, false, false},
    [C_LAG] = {"LAG", 3, 1, false, true},
    [C_POSITION] = {"POSITION", 8, 6, false, false},
    [C_SOURCE] = {"SOURCE", 12, 7, true, false},
    [C_SINK] = {"SINK", 12, 8, true, false},
    [C_OBJECTS] = {"OBJECTS", 10, 9, true, false},
};

int tasklist_build(doc *d, const mt_snapshot *s, const tasklist_opts *o, int width)
{
    table t;
    size_t n = s ? s->n_tasks : 0;
    table_init(&t, d, cols, C_COUNT, (int)n + 1);
    int shown = 0;
    for (size_t i = 0; i < n; i++) {
        const mt_task *task = &s->tasks[i];
        if (!matches(task, o->filter))
            continue;
        int r = table_row(&t, (int)i);
        shown++;
        table_cell(&t, r, C_NAME, P_NORMAL, task->meta.name);
        table_cell(&t, r, C_NS, P_NORMAL, task->meta.namespace_);
        table_cell(&t, r, C_TEMPLATE, P_NORMAL, task->template_name);
        const char *st = mt_task_display_status(task);
        if (mt_task_failed(task))
            st = arena_printf(d->a, "%s (failed)", st);
        table_cell(&t, r, C_STATUS, tasklist_status_role(task), st);
        char buf[32];
        fmt_age(o->now - task->meta.created, buf, sizeof buf);
        table_cell(&t, r, C_AGE, P_NORMAL, task->meta.created ? arena_strdup(d->a, buf) : "-");
        int64_t lag;
        if (mt_task_ts_lag(task, o->now, o->pod_tz, &lag)) {
            fmt_duration_ms(lag * 1000, buf, sizeof buf);
            table_cell(&t, r, C_LAG, tasklist_lag_role(lag, o->lag_warn_s), arena_strdup(d->a, buf));
        } else {
            table_cell(&t, r, C_LAG, P_DIM, "-");
        }
        const char *pos = "-";
        for (size_t k = 0; k < task->cdc.n_metrics; k++)
            if (fmt_is_lsn(task->cdc.metrics[k].value)) {
                pos = task->cdc.metrics[k].value;
                break;
            }
        table_cell(&t, r, C_POSITION, P_NORMAL, pos);
        table_cell(&t, r, C_SOURCE, P_DIM, mt_endpoint_masked(d->a, &task->source));
        table_cell(&t, r, C_SINK, P_DIM, mt_endpoint_masked(d->a, &task->sink));
        table_cell(&t, r, C_OBJECTS, P_DIM, mt_objects_string(d->a, &task->objects));
    }
    table_emit(&t, width, true);
    if (s && s->n_notices) {
        doc_blank(d);
        for (size_t i = 0; i < s->n_notices; i++)
            doc_wrap(d, P_WARN, "! ", s->notices[i], width);
    }
    return shown;
}
