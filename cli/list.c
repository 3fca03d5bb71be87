/* migtop list [NAME] [-o table|wide|json|yaml|name|jsonpath=] [-A]
 * [-l SELECTOR] [--show-labels] [--no-headers]: kbcli migration list.
 * kbcli prints the CRD's columns through kubectl's printer: NAME TEMPLATE
 * STATUS AGE (NAMESPACE first with -A); -o wide adds what migtop knows
 * (task type, source, sink with the password masked, creation time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/describe.h"
#include "model/selector.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/print_object.h"
#include "cli/print_table.h"

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const mt_kv *)a)->key, ((const mt_kv *)b)->key);
}

/* kubectl's LABELS column: key=value,... in key order, or <none>. */
static const char *labels_text(arena *a, const mt_meta *m)
{
    if (!m->n_labels)
        return "<none>";
    mt_kv *kv = arena_alloc(a, sizeof *kv * m->n_labels);
    memcpy(kv, m->labels, sizeof *kv * m->n_labels);
    qsort(kv, m->n_labels, sizeof *kv, kv_cmp);
    const char *out = "";
    for (size_t i = 0; i < m->n_labels; i++)
        out = arena_printf(a, "%s%s%s=%s", out, i ? "," : "", kv[i].key, kv[i].value);
    return out;
}

static void print_tasks(const mt_snapshot *s, const char *name, bool all_ns, bool wide,
                        bool headers, bool show_labels)
{
    static const char *const head[] = {"NAMESPACE", "NAME",   "TEMPLATE",     "STATUS",
                                       "AGE",       "TYPE",   "SOURCE",       "SINK",
                                       "CREATED-TIME", "LABELS"};
    size_t first = all_ns ? 0 : 1, last = wide ? 9 : 5;
    ptable t;
    ptable_init(&t, last - first + show_labels);
    const char *hrow[10];
    for (size_t i = first; i < last; i++)
        hrow[i - first] = head[i];
    hrow[last - first] = head[9];
    if (headers)
        ptable_row(&t, hrow);
    mt_time now = time(NULL);
    for (size_t i = 0; i < s->n_tasks; i++) {
        const mt_task *k = &s->tasks[i];
        if (name && strcmp(k->meta.name, name))
            continue;
        char age[32], created[64];
        arena a;
        arena_init(&a);
        fmt_kbcli_time(k->meta.created, created, sizeof created);
        const char *row[] = {k->meta.namespace_, k->meta.name, k->template_name,
                             mt_task_display_status(k), cli_age(k->meta.created, now, age, sizeof age),
                             k->task_type, mt_endpoint_masked(&a, &k->source),
                             mt_endpoint_masked(&a, &k->sink), created, ""};
        const char *r[10];
        for (size_t j = first; j < last; j++)
            r[j - first] = row[j];
        r[last - first] = labels_text(&a, &k->meta);
        ptable_row(&t, r);
        arena_free(&a);
    }
    ptable_print(&t, stdout);
    ptable_free(&t);
}

/* Only the tasks the selector picks (kubectl filters on the server; the
 * answer is the same). */
static void keep_selected(mt_snapshot *s, const mt_selector *sel)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n_tasks; i++)
        if (mt_selector_match(sel, s->tasks[i].meta.labels, s->tasks[i].meta.n_labels))
            s->tasks[k++] = s->tasks[i];
    s->n_tasks = k;
}

int cmd_list(int argc, char **argv)
{
    cli c = {.cmd = "list"};
    cli_output out = OUT_TABLE;
    int rc = cli_parse_listing(&c, argc, argv, &out);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *name = c.n_pos ? c.pos[0] : NULL;
    char err[1024];
    mt_selector sel;
    if (!mt_selector_parse(c.selector ? c.selector : "", &sel, err, sizeof err))
        return cli_usage(&c, "%s", err);
    if (!cli_open(&c))
        return 1;
    mt_snapshot *s = c.b->ops->fetch(c.b, c.ns, name, err, sizeof err);
    if (s)
        keep_selected(s, &sel);
    if (!s) {
        rc = cli_fail(&c, "%s", err);
    } else if (out == OUT_JSON || out == OUT_YAML || out == OUT_JSONPATH) {
        print_how how = {out == OUT_YAML, c.jsonpath, c.show_secrets, c.selector ? &sel : NULL};
        if (!print_objects_out(c.b, s, PO_TASKS, c.ns, name, &how, err, sizeof err))
            rc = cli_fail(&c, "%s", err);
    } else if (name && !mt_snapshot_task(s, c.ns, name)) {
        rc = cli_fail(&c, "migrationtasks.datamigration.apecloud.io \"%s\" not found", name);
    } else if (!s->n_tasks) { /* kubectl says so on stderr and succeeds */
        cli_say_none(&c);
    } else if (out == OUT_NAME) {
        for (size_t i = 0; i < s->n_tasks; i++)
            if (!name || !strcmp(s->tasks[i].meta.name, name))
                printf("migrationtask.datamigration.apecloud.io/%s\n", s->tasks[i].meta.name);
    } else {
        print_tasks(s, name, !c.ns, out == OUT_WIDE, !c.no_headers, c.show_labels);
    }
    mt_snapshot_free(s);
    cli_close(&c);
    return rc;
}
