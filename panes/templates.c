#include "panes/templates.h"

#include <string.h>

#include "panes/table.h"
#include "panes/tasklist.h"

int templates_build(doc *d, const mt_snapshot *s, const char *filter, mt_time now, int width)
{
    static const table_col cols[] = {
        {"NAME", 10, 0, true, false},     {"DATABASE-MAPPING", 10, 0, true, false},
        {"STATUS", 6, 0, false, false},   {"AGE", 3, 2, false, false},
        {"TASK TYPES", 10, 3, true, false}, {"STEPS", 10, 4, true, false}};
    size_t n = s ? s->n_templates : 0;
    table t;
    table_init(&t, d, cols, 6, (int)n + 1);
    int shown = 0;
    for (size_t i = 0; i < n; i++) {
        const mt_template *tp = &s->templates[i];
        if (!tasklist_match(tp->meta.name, filter) && !tasklist_match(tp->description, filter))
            continue;
        int r = table_row(&t, (int)i);
        shown++;
        table_cell(&t, r, 0, P_NORMAL, tp->meta.name);
        table_cell(&t, r, 1, P_NORMAL, tp->description);
        table_cell(&t, r, 2, !strcmp(tp->phase, "Available") ? P_OK : P_WARN, tp->phase);
        char age[32];
        fmt_age(now - tp->meta.created, age, sizeof age);
        table_cell(&t, r, 3, P_NORMAL, tp->meta.created ? arena_strdup(d->a, age) : "-");
        size_t len = 1;
        for (size_t k = 0; k < tp->n_task_types; k++)
            len += strlen(tp->task_types[k]) + 1;
        for (size_t k = 0; k < tp->n_steps; k++)
            len += strlen(tp->steps[k].step ? tp->steps[k].step : "") + 1;
        char *types = arena_alloc(d->a, len), *steps = arena_alloc(d->a, len);
        for (size_t k = 0; k < tp->n_task_types; k++) {
            if (k)
                strcat(types, ",");
            strcat(types, tp->task_types[k]);
        }
        for (size_t k = 0; k < tp->n_steps; k++) {
            const char *cli = mt_step_cli_name(tp->steps[k].step);
            if (k)
                strcat(steps, ",");
            strcat(steps, cli ? cli : (tp->steps[k].step ? tp->steps[k].step : "?"));
        }
        table_cell(&t, r, 4, P_DIM, types);
        table_cell(&t, r, 5, P_DIM, steps);
    }
    table_emit(&t, width, true);
    return shown;
}
