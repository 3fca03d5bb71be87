/* migtop templates [NAME] [-o table|wide|json|yaml]: kbcli migration
 * templates. Columns as the CRD prints them: NAME DATABASE-MAPPING STATUS
 * AGE; -o wide adds the task types and the source and target versions. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "model/selector.h"
#include "cli/commands.h"
#include "cli/print_object.h"
#include "cli/print_table.h"

static void print_templates(const mt_snapshot *s, const char *name, bool wide, bool headers)
{
    static const char *const head[] = {"NAME", "DATABASE-MAPPING", "STATUS", "AGE",
                                       "TASK-TYPES", "SOURCE", "TARGET"};
    ptable t;
    ptable_init(&t, wide ? 7 : 4);
    if (headers)
        ptable_row(&t, head);
    mt_time now = time(NULL);
    for (size_t i = 0; i < s->n_templates; i++) {
        const mt_template *tp = &s->templates[i];
        if (name && strcmp(tp->meta.name, name))
            continue;
        char age[32], types[256] = "", src[128], dst[128];
        for (size_t k = 0; k < tp->n_task_types; k++)
            snprintf(types + strlen(types), sizeof types - strlen(types), "%s%s", k ? "," : "",
                     tp->task_types[k]);
        snprintf(src, sizeof src, "%s %s", tp->source_db, tp->source_version);
        snprintf(dst, sizeof dst, "%s %s", tp->target_db, tp->target_version);
        const char *row[] = {tp->meta.name, tp->description, tp->phase,
                             cli_age(tp->meta.created, now, age, sizeof age), types, src, dst};
        ptable_row(&t, row);
    }
    ptable_print(&t, stdout);
    ptable_free(&t);
}

int cmd_templates(int argc, char **argv)
{
    cli c = {.cmd = "templates"};
    cli_output out = OUT_TABLE;
    int rc = cli_parse_listing(&c, argc, argv, &out);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *name = c.n_pos ? c.pos[0] : NULL;
    char err[1024];
    mt_selector sel;
    if (c.show_labels)
        return cli_usage(&c, "--show-labels is for migtop list");
    if (!mt_selector_parse(c.selector ? c.selector : "", &sel, err, sizeof err))
        return cli_usage(&c, "%s", err);
    if (!cli_open(&c))
        return 1;
    mt_snapshot *s = print_fetch_templates(c.b, err, sizeof err);
    if (s) { /* only those the selector picks */
        size_t k = 0;
        for (size_t i = 0; i < s->n_templates; i++)
            if (mt_selector_match(&sel, s->templates[i].meta.labels, s->templates[i].meta.n_labels))
                s->templates[k++] = s->templates[i];
        s->n_templates = k;
    }
    if (!s) {
        rc = cli_fail(&c, "%s", err);
    } else if (out == OUT_JSON || out == OUT_YAML || out == OUT_JSONPATH) {
        print_how how = {out == OUT_YAML, c.jsonpath, c.show_secrets, c.selector ? &sel : NULL};
        if (!print_objects_out(c.b, s, PO_TEMPLATES, NULL, name, &how, err, sizeof err))
            rc = cli_fail(&c, "%s", err);
    } else if (name && !mt_snapshot_template(s, name)) {
        rc = cli_fail(&c, "migrationtemplates.datamigration.apecloud.io \"%s\" not found", name);
    } else if (!s->n_templates) {
        cli_say_none(&c);
    } else if (out == OUT_NAME) {
        for (size_t i = 0; i < s->n_templates; i++)
            if (!name || !strcmp(s->templates[i].meta.name, name))
                printf("migrationtemplate.datamigration.apecloud.io/%s\n",
                       s->templates[i].meta.name);
    } else {
        print_templates(s, name, out == OUT_WIDE, !c.no_headers);
    }
    mt_snapshot_free(s);
    cli_close(&c);
    return rc;
}
