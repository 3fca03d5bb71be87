/* `migtop precheck --source ... --sink ... --migration-object ...`: the
 * pgprobe precheck report, as text or JSON; exit 1 when a check fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/arena.h"
#include "model/flags.h"
#include "pgprobe/precheck.h"
#include "cli/commands.h"
#include "cli/probe_args.h"

/* precheck's own flags; 1 taken, 0 not one of them, -1 bad usage (printed). */
static int own_flag(probe_args *p, int argc, char **argv, int *i, pgp_precheck_input *in)
{
    const char *v;
    int t;
    if (!strcmp(argv[*i], "--init-only")) {
        in->cdc = false;
        (*i)++;
        return 1;
    }
    if ((t = probe_args_value(p, "--task", argc, argv, i, &v)) > 0) {
        char err[512];
        if (!mt_valid_name(v, err, sizeof err)) {
            fprintf(stderr, "migtop precheck: --task: %s\n", err);
            return -1;
        }
        in->task_name = v;
    }
    if (t)
        return t;
    if ((t = probe_args_value(p, "--template", argc, argv, i, &v)) > 0)
        in->template_name = v;
    if (t)
        return t;
    if ((t = probe_args_value(p, "--sink-tables", argc, argv, i, &v)) > 0) {
        char err[256];
        if (!mt_parse_sink_tables(v, &in->sink_tables, err, sizeof err)) {
            fprintf(stderr, "migtop precheck: %s\n", err);
            return -1;
        }
    }
    return t;
}

int cmd_precheck(int argc, char **argv)
{
    probe_args p;
    probe_args_init(&p, "precheck", argc);
    pgp_precheck_input in = {.cdc = true};
    int rc = 2;
    for (int i = 1; i < argc;) {
        int t = probe_args_take(&p, argc, argv, &i);
        if (!t)
            t = own_flag(&p, argc, argv, &i, &in);
        if (t == -2) {
            probe_args_free(&p);
            return 0;
        }
        if (t < 0)
            goto out;
        if (!t) {
            fprintf(stderr, "migtop precheck: unexpected argument \"%s\" (see migtop precheck "
                            "--help)\n", argv[i]);
            goto out;
        }
    }
    if ((rc = probe_args_finish(&p)) != 0)
        goto out;
    in.source = &p.src;
    in.sink = &p.snk;
    in.objects = &p.objs;
    in.timeout_s = p.timeout;
    pgp_report rep;
    pgp_precheck_run(&in, &rep);
    if (p.json) {
        char *j = pgp_report_json(&rep);
        puts(j);
        free(j);
    } else {
        pgp_report_print_text(&rep, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
    }
    rc = rep.n_fail ? 1 : 0;
    pgp_report_free(&rep);
out:
    probe_args_free(&p);
    return rc;
}
