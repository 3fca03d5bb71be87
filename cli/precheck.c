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

static void precheck_usage(FILE *out)
{
    fputs("usage: migtop precheck --source EP --sink EP --migration-object OBJS [--task NAME]\n"
          "                       [--template NAME] [--init-only] [--timeout S] [-o text|json]\n"
          "  Checks the source and the sink for a PostgreSQL-to-PostgreSQL migration and\n"
          "  prints each check with what was found and the fix.\n"
          "  EP: user:password@host:port/db, a postgresql:// URI, key=value pairs\n"
          "      (host=... dbname=... sslmode=...) or service=NAME; passwords may come\n"
          "      from ~/.pgpass.\n"
          "  OBJS: '\"public.t1\",\"public.t2\"' or a schema, as kbcli takes them (repeatable).\n"
          "  --task NAME     also look for a slot / publication left by a task of that name\n"
          "  --template NAME the template whose refusals to report (default: the KubeBlocks\n"
          "                  pg2pg template; \"local\" for migtop's engine)\n"
          "  --init-only     no CDC: slots, WAL senders and replica identity do not matter\n"
          "  Exit: 0 no check failed (warnings allowed), 1 a check failed, 2 bad usage.\n",
          out);
}

/* "--flag value" or "--flag=value"; advances *i past what it consumed. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int cmd_precheck(int argc, char **argv)
{
    const char *source = NULL, *sink = NULL, *task = NULL, *tmpl = NULL, *format = "text";
    const char **objs = calloc((size_t)argc + 1, sizeof *objs);
    if (!objs)
        return 2;
    size_t n_objs = 0;
    int timeout = 10;
    bool cdc = true;
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            precheck_usage(stdout);
            free(objs);
            return 0;
        } else if ((v = flag_value(argc, argv, &i, "--source"))) {
            source = v;
        } else if ((v = flag_value(argc, argv, &i, "--sink"))) {
            sink = v;
        } else if ((v = flag_value(argc, argv, &i, "--migration-object"))) {
            objs[n_objs++] = v;
        } else if ((v = flag_value(argc, argv, &i, "--task"))) {
            task = v;
        } else if ((v = flag_value(argc, argv, &i, "--template"))) {
            tmpl = v;
        } else if ((v = flag_value(argc, argv, &i, "--timeout"))) {
            timeout = atoi(v);
            if (timeout < 1 || timeout > 600) {
                fprintf(stderr, "migtop precheck: --timeout needs seconds from 1 to 600\n");
                goto out;
            }
        } else if ((v = flag_value(argc, argv, &i, "-o")) ||
                   (v = flag_value(argc, argv, &i, "--output"))) {
            format = v;
            if (strcmp(v, "text") && strcmp(v, "json")) {
                fprintf(stderr, "migtop precheck: -o takes text or json, not \"%s\"\n", v);
                goto out;
            }
        } else if (!strcmp(argv[i], "--init-only")) {
            cdc = false;
        } else {
            fprintf(stderr, "migtop precheck: unexpected argument \"%s\"\n", argv[i]);
            precheck_usage(stderr);
            goto out;
        }
    }
    if (!source || !sink || !n_objs) {
        fprintf(stderr, "migtop precheck: --source, --sink and --migration-object are required\n");
        precheck_usage(stderr);
        goto out;
    }
    char err[512];
    if (task && !mt_valid_name(task, err, sizeof err)) {
        fprintf(stderr, "migtop precheck: --task: %s\n", err);
        goto out;
    }
    arena a;
    arena_init(&a);
    mt_objects objects;
    pgp_endpoint src = {0}, dst = {0};
    pgp_error perr;
    if (!mt_parse_objects(&a, objs, n_objs, &objects, err, sizeof err)) {
        fprintf(stderr, "migtop precheck: %s\n", err);
    } else if (!pgp_endpoint_parse(&src, "source", source, &perr) ||
               !pgp_endpoint_parse(&dst, "sink", sink, &perr)) {
        fprintf(stderr, "migtop precheck: %s\n", perr.msg);
    } else {
        pgp_precheck_input in = {.source = &src, .sink = &dst, .objects = &objects,
                                 .task_name = task, .cdc = cdc, .template_name = tmpl,
                                 .timeout_s = timeout};
        pgp_report rep;
        pgp_precheck_run(&in, &rep);
        if (!strcmp(format, "json")) {
            char *j = pgp_report_json(&rep);
            puts(j);
            free(j);
        } else {
            pgp_report_print_text(&rep, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
        }
        rc = rep.n_fail ? 1 : 0;
        pgp_report_free(&rep);
    }
    pgp_endpoint_free(&src);
    pgp_endpoint_free(&dst);
    arena_free(&a);
out:
    free(objs);
    return rc;
}
