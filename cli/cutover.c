/* migtop cutover NAME --check [--watch S] [--lag-threshold S] [--full]:
 * the cutover wizard's gates (cutover/gates.h) without the UI, for
 * scripts and for a second engineer watching: the source is read every
 * second for S seconds (default 5), then every gate is printed with what
 * it read, and the exit code is 0 only when gates 1 to 6 all pass (gate 7,
 * the switch itself, is the operator's). Gate 4 needs the source stable
 * for a minute ($MIGTOP_CUTOVER_STABLE_S): watch at least that long. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cutover/gates.h"

static void print_gate(int i, const cut_gate *g)
{
    printf("%d %-24s %-5s ", i + 1, cut_gate_titles[i], cut_state_name(g->state));
    /* Readings of several lines are indented under the first. */
    for (const char *p = g->reading; *p; p++) {
        putchar(*p);
        if (*p == '\n')
            printf("%33s", "");
    }
    putchar('\n');
    if (g->todo[0] && g->state == CGS_FAIL)
        printf("%33sto do: %s\n", "", g->todo);
}

static bool positive(const char *v, int lo, int hi, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi)
        return false;
    *out = (int)n;
    return true;
}

typedef struct cutover_opts {
    bool check, full;
    int watch, lag_s;
} cutover_opts;

/* Returns -1 to go on, else the exit code (0 after --help). */
static int parse(cli *c, int argc, char **argv, cutover_opts *o)
{
    for (int i = 1; i < argc;) {
        switch (cli_next(c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return 0;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        const char *a = argv[i], *v;
        char err[256];
        int r;
        if (!strcmp(a, "--check") || !strcmp(a, "--full")) {
            *(!strcmp(a, "--check") ? &o->check : &o->full) = true;
            i++;
        } else if ((r = flag_take("--watch", NULL, argc, argv, &i, &v, err, sizeof err))) {
            if (r < 0 || !positive(v, 1, 3600, &o->watch))
                return cli_usage(c, "--watch needs seconds from 1 to 3600");
        } else if ((r = flag_take("--lag-threshold", NULL, argc, argv, &i, &v, err, sizeof err))) {
            if (r < 0 || !positive(v, 1, 86400, &o->lag_s))
                return cli_usage(c, "--lag-threshold needs seconds from 1 to 86400");
        } else {
            return cli_unknown(c, a);
        }
    }
    if (!o->check)
        return cli_usage(c, "only --check is available here; the interactive cutover is `x` on "
                            "the task in the dashboard");
    if (c->n_pos != 1)
        return cli_usage(c, "one task name is needed");
    return -1;
}

/* Every gate read: 1 from the task, 2-4 from watching the source second
 * by second, 5 and 6 on both ends; 7 is the operator's. */
static void read_gates(const mt_snapshot *snap, const mt_task *t, const pgp_endpoint *src,
                       const pgp_endpoint *sink, const cutover_opts *o, cut_gate g[CG_N])
{
    memset(g, 0, sizeof(cut_gate) * CG_N);
    cut_gate_healthy(snap, t, fmt_now_ms(), &g[CG_HEALTHY]);
    cut_sampler s;
    cut_sampler_init(&s, src, t->meta.name);
    cut_stability st = {0};
    int need = cut_stable_seconds();
    for (int i = 0; i < o->watch; i++) {
        if (i)
            sleep(1);
        cut_sample(&s, NULL);
        cut_gate_stable(&st, &s, o->lag_s, need, fmt_mono_ms(), &g[CG_STABLE]);
    }
    cut_gate_lag(&s, o->lag_s, &g[CG_LAG]);
    cut_gate_writes(&s, &g[CG_WRITES]);
    if (g[CG_STABLE].state != CGS_PASS && o->watch < need) {
        size_t n = strlen(g[CG_STABLE].reading);
        snprintf(g[CG_STABLE].reading + n, sizeof g[CG_STABLE].reading - n,
                 "; watched %d s, it needs %d (--watch %d)", o->watch, need, need);
    }
    cut_sampler_free(&s);
    pgp_seq_report seq;
    if (cut_gate_sequences(src, sink, &t->objects, false, NULL, &seq, &g[CG_SEQUENCES]))
        pgp_seq_report_free(&seq);
    pgp_val_report val;
    if (cut_gate_validate(src, sink, &t->objects, o->full, NULL, &val, &g[CG_VALIDATE]))
        pgp_val_report_free(&val);
    snprintf(g[CG_SWITCH].reading, sizeof g[CG_SWITCH].reading,
             "the operator's: switch the application to the sink (the wizard records the time)");
}

int cmd_cutover(int argc, char **argv)
{
    cli c = {.cmd = "cutover"};
    cutover_opts o = {.watch = 5, .lag_s = 5};
    int rc = parse(&c, argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (!cli_open(&c))
        return 1;
    const char *name = c.pos[0];
    char err[1024], dir[4200];
    rc = 0;
    mt_snapshot *snap = c.b->ops->fetch(c.b, c.ns, name, err, sizeof err);
    const mt_task *t = snap ? mt_snapshot_task(snap, c.ns, name) : NULL;
    pgp_endpoint src, sink;
    if (!snap)
        rc = cli_fail(&c, "%s", err);
    else if (!t)
        rc = cli_fail(&c, "no task %s%s%s", c.ns ? c.ns : "", c.ns ? "/" : "", name);
    else if (!cut_endpoints(c.b->ops->name, c.bargs.state_dir, t, &src, &sink, dir, sizeof dir,
                            err, sizeof err))
        rc = cli_fail(&c, "the task's endpoints: %s", err);
    if (rc) {
        mt_snapshot_free(snap);
        cli_close(&c);
        return rc;
    }
    cut_gate g[CG_N];
    read_gates(snap, t, &src, &sink, &o, g);
    printf("cutover check of %s%s%s\n", t->meta.namespace_, t->meta.namespace_[0] ? "/" : "",
           name);
    int failed = 0;
    for (int i = 0; i < CG_N; i++) {
        print_gate(i, &g[i]);
        failed += i != CG_SWITCH && g[i].state != CGS_PASS;
    }
    printf("%d of 6 gates pass\n", 6 - failed);
    pgp_endpoint_free(&src);
    pgp_endpoint_free(&sink);
    mt_snapshot_free(snap);
    cli_close(&c);
    return failed ? 1 : 0;
}
