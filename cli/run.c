/* `migtop run NAME`: the local task's runner in the foreground (the
 * runner the supervisor starts is this same command, --supervised), and
 * `migtop supervise NAME`, the supervisor `create --local` starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runner.h"
#include "engine/supervise.h"
#include "cli/commands.h"
#include "cli/help.h"

int cmd_run(int argc, char **argv)
{
    engine_run_opts o = {.until = ES_N, .echo = true};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help_print(stdout, "run");
            return 0;
        } else if (!strcmp(a, "--state-dir") && v) {
            o.state_dir = argv[++i];
        } else if (!strcmp(a, "--jobs") && v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 64) {
                fprintf(stderr, "migtop run: --jobs needs a number from 1 to 64\n");
                return 2;
            }
            o.jobs = (int)n;
            i++;
        } else if (!strcmp(a, "--until") && v) {
            o.until = ES_N;
            for (int s = 0; s < ES_CDC; s++)
                if (!strcmp(v, engine_step_name((engine_step)s)))
                    o.until = (engine_step)s;
            if (o.until == ES_N) {
                fprintf(stderr, "migtop run: --until: unknown step \"%s\"\n", v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "--quiet")) {
            o.echo = false;
        } else if (!strcmp(a, "--supervised")) {
            o.supervised = true;
        } else if (a[0] != '-' && !o.name) {
            o.name = a;
        } else {
            fprintf(stderr, "migtop run: unexpected argument \"%s\" (see migtop run --help)\n", a);
            return 2;
        }
    }
    if (!o.name) {
        fprintf(stderr, "migtop run: which task? (migtop run NAME; see migtop run --help)\n");
        return 2;
    }
    char err[2048] = "";
    int rc = engine_run(&o, err, sizeof err);
    if (rc != 0 && *err)
        fprintf(stderr, "migtop run: %s: %s\n", o.name, err);
    return rc;
}

int cmd_supervise(int argc, char **argv)
{
    const char *state_dir = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help_print(stdout, "supervise");
            return 0;
        } else if (!strcmp(a, "--state-dir") && i + 1 < argc) {
            state_dir = argv[++i];
        } else if (!strcmp(a, "--quiet")) {
            continue;
        } else if (a[0] != '-' && !name) {
            name = a;
        } else {
            fprintf(stderr, "migtop supervise: unexpected argument \"%s\" (see migtop supervise "
                            "--help)\n", a);
            return 2;
        }
    }
    if (!name) {
        fprintf(stderr, "migtop supervise: which task? (migtop supervise NAME)\n");
        return 2;
    }
    char err[2048] = "";
    int rc = engine_supervise(state_dir, name, err, sizeof err);
    if (rc != 0 && *err)
        fprintf(stderr, "migtop supervise: %s: %s\n", name, err);
    return rc;
}
