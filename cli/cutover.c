/* migtop cutover NAME --check [--watch S] [--lag-threshold S] [--full]:
 * the cutover wizard's gates (cutover/gates.h) without the UI, for
 * scripts and for a second engineer watching: the source is read every
 * second for S seconds (default 5), then every gate is printed with what
 * it read, and the exit code is 0 only when gates 1 to 6 all pass (gate 7,
 * the switch itself, is the operator's). Gate 4 needs the source stable
 * for a minute ($MIGTOP_CUTOVER_STABLE_S): watch at least that long.
 *
 * --pause-writes and --resume-writes are gate 3's pause for runbooks
 * (cutover/writes.h): cli/cutover_writes.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/cutover_writes.h"
#include "cutover/gates.h"
#include "cutover/report.h"
#include "cutover/writes.h"

/* What to do, as commands (the gates' own texts name wizard keys). */
static const char *todo_of(int i, const cut_gate *g, const char *task)
{
    static char b[600];
    if (i == CG_WRITES)
        snprintf(b, sizeof b, "pause the business writes: migtop cutover %s --pause-writes "
                 "(ends the sessions that can write, after listing them)", task);
    else if (i == CG_SEQUENCES)
        snprintf(b, sizeof b, "set them: migtop sequences --source EP --sink EP "
                 "--migration-object OBJS --apply");
    else if (i == CG_VALIDATE)
        snprintf(b, sizeof b, "find why: migtop validate --source EP --sink EP "
                 "--migration-object OBJS --full (names the rows)");
    else
        return g->todo;
    return b;
}

static void print_gate(int i, const cut_gate *g, const char *task)
{
    printf("%d %-24s %-5s ", i + 1, cut_gate_titles[i], cut_state_name(g->state));
    /* Readings of several lines are indented under the first. */
    for (const char *p = g->reading; *p; p++) {
        putchar(*p);
        if (*p == '\n')
            printf("%33s", "");
    }
    putchar('\n');
    if (g->todo[0] && g->state != CGS_PASS)
        printf("%33sto do: %s\n", "", todo_of(i, g, task));
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
    bool check, full, pause, resume, after_switch;
    int watch, lag_s, timeout_s;
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
        bool *flag = !strcmp(a, "--check") ? &o->check : !strcmp(a, "--full") ? &o->full
                     : !strcmp(a, "--pause-writes") ? &o->pause
                     : !strcmp(a, "--resume-writes") ? &o->resume
                     : !strcmp(a, "--after-switch") ? &o->after_switch : NULL;
        if (flag) {
            *flag = true;
            i++;
        } else if ((r = flag_take("--timeout", NULL, argc, argv, &i, &v, err, sizeof err))) {
            long secs;
            if (r < 0 || !cli_parse_duration(v, &secs) || secs < 1 || secs > 3600)
                return cli_usage(c, "--timeout needs a duration from 1s to 1h");
            o->timeout_s = (int)secs;
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
    if (o->check + o->pause + o->resume != 1)
        return cli_usage(c, "one of --check, --pause-writes or --resume-writes; the interactive "
                            "cutover is `x` on the task in the dashboard");
    if ((o->pause || o->resume) && c->readonly)
        return cli_usage(c, "refused: --readonly (pausing or resuming writes changes the "
                            "source)");
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

/* --resume-writes once the task is gone (terminated after the switch):
 * the source as the pause record names it, the password from ~/.pgpass,
 * PGPASSFILE or PGPASSWORD. */
static int resume_without_task(cli *c, const char *name, mt_snapshot *snap, bool after_switch)
{
    char where[4200], ci[1200];
    cut_report_dir(c->b->ops->name, c->b->ops->scope ? c->b->ops->scope(c->b) : NULL, where,
                   sizeof where);
    cut_pause rec;
    int rc;
    if (!cut_pause_load(where, name, &rec) || !rec.host[0]) {
        rc = cli_fail(c, "no task %s, and no pause of it recorded in %s", name, where);
    } else {
        snprintf(ci, sizeof ci, "host='%s' port='%s' dbname='%s' user='%s'", rec.host, rec.port,
                 rec.db, rec.user);
        pgp_endpoint src = {0};
        pgp_error e = {0};
        if (!pgp_endpoint_parse(&src, "source", ci, &e))
            rc = cli_fail(c, "%s", e.msg);
        else
            rc = cutover_resume_writes(c, name, &src, where, after_switch);
        pgp_endpoint_free(&src);
    }
    mt_snapshot_free(snap);
    cli_close(c);
    return rc;
}

int cmd_cutover(int argc, char **argv)
{
    cli c = {.cmd = "cutover"};
    cutover_opts o = {.watch = 5, .lag_s = 5, .timeout_s = 30};
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
    else if (!t && o.resume)
        return resume_without_task(&c, name, snap, o.after_switch);
    else if (!t)
        rc = cli_fail(&c, "no task %s%s%s", c.ns ? c.ns : "", c.ns ? "/" : "", name);
    else if (!cut_endpoints(c.b->ops->name, c.b->ops->scope ? c.b->ops->scope(c.b) : NULL, t,
                            &src, &sink, dir, sizeof dir, err, sizeof err))
        rc = cli_fail(&c, "the task's endpoints: %s", err);
    if (rc) {
        mt_snapshot_free(snap);
        cli_close(&c);
        return rc;
    }
    if (o.pause || o.resume) {
        char where[4200];
        cut_report_dir(c.b->ops->name, c.b->ops->scope ? c.b->ops->scope(c.b) : NULL, where,
                       sizeof where);
        rc = o.pause ? cutover_pause_writes(&c, name, &src, where, o.timeout_s)
                     : cutover_resume_writes(&c, name, &src, where, o.after_switch);
        pgp_endpoint_free(&src);
        pgp_endpoint_free(&sink);
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
        print_gate(i, &g[i], name);
        failed += i != CG_SWITCH && g[i].state != CGS_PASS;
    }
    printf("%d of 6 gates pass\n", 6 - failed);
    pgp_endpoint_free(&src);
    pgp_endpoint_free(&sink);
    mt_snapshot_free(snap);
    cli_close(&c);
    return failed ? 1 : 0;
}
