/* migtop list [NAME] [-o table|wide|json|yaml] [-A]: kbcli migration list.
 * kbcli prints the CRD's columns through kubectl's printer: NAME TEMPLATE
 * STATUS AGE (NAMESPACE first with -A); -o wide adds what migtop knows
 * (task type, source, sink with the password masked, creation time). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/describe.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/print_object.h"
#include "cli/print_table.h"

static void print_tasks(const mt_snapshot *s, const char *name, bool all_ns, bool wide,
                        bool headers)
{
    static const char *const head[] = {"NAMESPACE", "NAME",   "TEMPLATE",     "STATUS",
                                       "AGE",       "TYPE",   "SOURCE",       "SINK",
                                       "CREATED-TIME"};
    size_t first = all_ns ? 0 : 1, last = wide ? 9 : 5;
    ptable t;
    ptable_init(&t, last - first);
    if (headers)
        ptable_row(&t, head + first);
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
                             mt_endpoint_masked(&a, &k->sink), created};
        ptable_row(&t, row + first);
        arena_free(&a);
    }
    ptable_print(&t, stdout);
    ptable_free(&t);
}

int cmd_list(int argc, char **argv)
{
    cli c = {.cmd = "list"};
    cli_output out = OUT_TABLE;
    int rc = cli_parse_listing(&c, argc, argv, &out);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *name = c.n_pos ? c.pos[0] : NULL;
    if (!cli_open(&c))
        return 1;
    char err[1024];
    mt_snapshot *s = c.b->ops->fetch(c.b, c.ns, name, err, sizeof err);
    if (!s) {
        rc = cli_fail(&c, "%s", err);
    } else if (out == OUT_JSON || out == OUT_YAML || out == OUT_JSONPATH) {
        print_how how = {out == OUT_YAML, c.jsonpath, c.show_secrets};
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
        print_tasks(s, name, !c.ns, out == OUT_WIDE, !c.no_headers);
    }
    mt_snapshot_free(s);
    cli_close(&c);
    return rc;
}
