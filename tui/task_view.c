#include "tui/task_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"
#include "model/object_json.h"
#include "model/print_yaml.h"
#include "tui/clipboard.h"

static const mt_task *selected(const app *a, const view_state *v)
{
    if (!a->snap || !v->sel_name[0])
        return NULL;
    return mt_snapshot_task(a->snap, v->sel_ns[0] ? v->sel_ns : NULL, v->sel_name);
}

void task_view_yaml(app *a)
{
    view_state *v = app_view(a);
    if (!selected(a, v)) {
        app_message(a, true, "no task selected: move to one, then y");
        return;
    }
    char ns[sizeof v->sel_ns], name[sizeof v->sel_name];
    snprintf(ns, sizeof ns, "%s", v->sel_ns);
    snprintf(name, sizeof name, "%s", v->sel_name);
    app_push(a, V_YAML);
    view_state *y = app_view(a);
    snprintf(y->sel_ns, sizeof y->sel_ns, "%s", ns);
    snprintf(y->sel_name, sizeof y->sel_name, "%s", name);
}

void task_view_yaml_build(const app *a, const view_state *v, doc *d)
{
    const mt_task *t = selected(a, v);
    if (!t) {
        doc_text(d, P_DIM, "the task is not in the latest data any more");
        return;
    }
    doc_text(d, P_DIM, "# as migtop read it; passwords are never part of it");
    cJSON *o = mt_task_json(t);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    print_yaml(f, o);
    fclose(f);
    cJSON_Delete(o);
    for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        doc_text(d, P_NORMAL, arena_strdup(d->a, line));
    }
    free(text);
}

/* The CDC position the task reports, NULL when none. */
static const char *position(const mt_task *t)
{
    for (size_t k = 0; k < t->cdc.n_metrics; k++)
        if (fmt_is_lsn(t->cdc.metrics[k].value))
            return t->cdc.metrics[k].value;
    return NULL;
}

void task_view_copy(app *a)
{
    view_state *v = app_view(a);
    const mt_task *t = selected(a, v);
    if (!t) {
        app_message(a, true, "no task selected: nothing to copy");
        return;
    }
    const char *pos = v->kind == V_DETAIL ? position(t) : NULL;
    const char *what = pos ? pos : t->meta.name;
    if (!clipboard_copy(what))
        app_message(a, true, "could not write to the terminal");
    else
        app_message(a, false, "copied %s %s to the clipboard (OSC 52)", pos ? "the position" : "the name",
                    what);
}
