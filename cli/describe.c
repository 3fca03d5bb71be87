/* migtop describe NAME: kbcli migration describe's sections and layout
 * (the task summary, Migration Config, Template, Initialization, Cdc,
 * Cdc Metrics), built from model/describe like the detail pane. Unlike
 * kbcli the passwords are masked, and a CDC task gets the lag migtop
 * derives from the metrics' timestamp. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/describe.h"
#include "model/fmt.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/print_table.h"

static const char *ktime(mt_time t, char *b, size_t n)
{
    fmt_kbcli_time(t, b, n);
    return b;
}

static void summary(const mt_describe *d)
{
    const mt_task *t = d->task;
    printf("Name: %s\t Status: %s\n", t->meta.name, d->display_status);
    char c[64], s[64], f[64];
    const char *head[] = {"NAMESPACE", "CREATED-TIME", "START-TIME", "FINISHED-TIME"};
    const char *row[] = {t->meta.namespace_, ktime(t->meta.created, c, sizeof c),
                         ktime(t->start, s, sizeof s), ktime(t->finish, f, sizeof f)};
    ptable tb;
    ptable_init(&tb, 4);
    ptable_row(&tb, head);
    ptable_row(&tb, row);
    ptable_print(&tb, stdout);
    ptable_free(&tb);
    const char *why[] = {t->init.failed_reason, t->cdc.failed_reason};
    const char *what[] = {"Initialization failed", "Cdc failed"};
    for (int i = 0; i < 2; i++)
        if (why[i] && *why[i])
            printf("%s: %s\n", what[i], why[i]);
    if (d->health)
        printf("Health: %s\n", d->health);
}

static void config(const mt_describe *d)
{
    puts("\nMigration Config:");
    ptable tb;
    ptable_init(&tb, 2);
    const char *rows[][2] = {{"source", d->source},
                             {"sink", d->sink},
                             {"migration objects", d->objects}};
    for (int i = 0; i < 3; i++)
        ptable_row(&tb, rows[i]);
    ptable_print(&tb, stdout);
    ptable_free(&tb);
}

static void template_summary(const mt_describe *d)
{
    if (!d->tmpl)
        return; /* kbcli fails earlier; a local or partial read shows the rest */
    printf("\nTemplate: %s\t\n", d->tmpl->meta.name);
    const char *head[] = {"DATABASE-MAPPING", "STATUS"};
    const char *row[] = {d->tmpl->description, d->tmpl->phase};
    ptable tb;
    ptable_init(&tb, 2);
    ptable_row(&tb, head);
    ptable_row(&tb, row);
    ptable_print(&tb, stdout);
    ptable_free(&tb);
}

static void initialization(const mt_describe *d)
{
    if (!d->n_init && !d->init_mismatch)
        return; /* no jobs yet: kbcli prints nothing */
    puts("\nInitialization:");
    if (d->init_mismatch)
        return; /* kbcli prints the title only */
    const char *head[] = {"STEP", "NAMESPACE", "STATUS", "CREATED_TIME", "START-TIME",
                          "FINISHED-TIME"};
    ptable tb;
    ptable_init(&tb, 6);
    ptable_row(&tb, head);
    for (size_t i = 0; i < d->n_init; i++) {
        const mt_init_row *r = &d->init[i];
        char c[64], s[64], f[64];
        const char *row[] = {r->step, r->namespace_, r->status, ktime(r->created, c, sizeof c),
                             ktime(r->start, s, sizeof s), ktime(r->finish, f, sizeof f)};
        ptable_row(&tb, row);
    }
    ptable_print(&tb, stdout);
    ptable_free(&tb);
}

static void cdc(const mt_describe *d)
{
    if (d->n_cdc) {
        puts("\nCdc:");
        const char *head[] = {"NAMESPACE", "STATUS", "CREATED_TIME", "START-TIME"};
        ptable tb;
        ptable_init(&tb, 4);
        ptable_row(&tb, head);
        for (size_t i = 0; i < d->n_cdc; i++) {
            char c[64], s[64];
            const char *row[] = {d->cdc[i].namespace_, d->cdc[i].status,
                                 ktime(d->cdc[i].created, c, sizeof c),
                                 ktime(d->cdc[i].start, s, sizeof s)};
            ptable_row(&tb, row);
        }
        ptable_print(&tb, stdout);
        ptable_free(&tb);
    }
    if (!d->n_metrics)
        return;
    puts("\nCdc Metrics:");
    ptable tb;
    ptable_init(&tb, 2);
    for (size_t i = 0; i < d->n_metrics; i++) {
        const char *row[] = {d->metrics[i].key, d->metrics[i].value};
        ptable_row(&tb, row);
    }
    ptable_print(&tb, stdout);
    ptable_free(&tb);
}

/* migtop's addition: the lag kbcli leaves to the reader's arithmetic. */
static void lag(const mt_describe *d, const char *tz)
{
    if (!d->has_cdc || !d->has_source_ts)
        return;
    char b[32];
    fmt_duration_ms(fmt_now_ms() - d->source_ts_ms, b, sizeof b); /* keeps a fraction */
    printf("\nLag: %s (now - %s%s%s)\n", b, d->timestamp_key,
           d->source_ts_had_zone ? "" : ", pod zone ", d->source_ts_had_zone ? "" : tz);
}

/* migtop's addition too: what was not migrated, what CDC does not carry. */
static void warnings(const mt_describe *d)
{
    if (!d->n_warnings)
        return;
    puts("\nWarnings:");
    for (size_t i = 0; i < d->n_warnings; i++)
        printf("  %s\n", d->warnings[i]);
}

int cmd_describe(int argc, char **argv)
{
    cli c = {.cmd = "describe"};
    const char *tz = "UTC";
    for (int i = 1; i < argc;) {
        switch (cli_next(&c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return 0;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        char err[256];
        int r = flag_take("--pod-tz", NULL, argc, argv, &i, &tz, err, sizeof err);
        if (r < 0)
            return cli_usage(&c, "%s", err);
        if (!r)
            return cli_unknown(&c, argv[i]);
    }
    long tz_off;
    if (!fmt_parse_zone(tz, &tz_off))
        return cli_usage(&c, "--pod-tz \"%s\" is not a zone like UTC, UTC+8 or -05:30", tz);
    if (c.n_pos == 0)
        return cli_usage(&c, "migration task name should be specified");
    if (!cli_open(&c))
        return 1;
    int rc = 0;
    mt_time now = time(NULL);
    for (int n = 0; n < c.n_pos && !rc; n++) {
        char err[1024];
        mt_snapshot *s = c.b->ops->fetch(c.b, c.ns, c.pos[n], err, sizeof err);
        const mt_task *t = s ? mt_snapshot_task(s, c.ns, c.pos[n]) : NULL;
        if (!s) {
            rc = cli_fail(&c, "%s", err);
        } else if (!t) {
            rc = cli_fail(&c, "migrationtasks.datamigration.apecloud.io \"%s\" not found",
                          c.pos[n]);
        } else {
            arena a;
            arena_init(&a);
            mt_describe d;
            mt_describe_build(&a, s, t, now, tz_off, &d);
            summary(&d);
            config(&d);
            template_summary(&d);
            initialization(&d);
            if (d.has_cdc)
                cdc(&d);
            lag(&d, tz);
            warnings(&d);
            putchar('\n');
            arena_free(&a);
        }
        mt_snapshot_free(s);
    }
    cli_close(&c);
    return rc;
}
