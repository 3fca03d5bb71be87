/* migtop logs NAME --step precheck|init-struct|init-data|cdc [--tail N]
 * [-f] [--since D] [--timestamps]: kbcli migration logs (the pod chosen as
 * kbcli chooses it; the local backend reads the step's log file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/commands.h"

static bool print_line(void *ctx, const char *line, size_t len)
{
    bool follow = *(bool *)ctx;
    fwrite(line, 1, len, stdout);
    putchar('\n');
    /* A reader of a pipe sees each line as it comes; so Ctrl-C (left to
     * its default, which works even while the stream is quiet) loses
     * nothing already received. */
    if (follow)
        fflush(stdout);
    return !ferror(stdout);
}

static bool valid_step(const char *s)
{
    static const char *const steps[] = {"precheck", "init-struct", "init-data", "cdc"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, steps[i]))
            return true;
    return false;
}


int cmd_logs(int argc, char **argv)
{
    cli c = {.cmd = "logs"};
    mt_logs_opts o = {.tail_lines = -1};
    const char *step = NULL, *tail = NULL, *since = NULL;
    for (int i = 1; i < argc;) {
        switch (cli_next(&c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return 0;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        const char *a = argv[i];
        if (!strcmp(a, "-f") || !strcmp(a, "--follow") || !strcmp(a, "--follow=true")) {
            o.follow = true;
            i++;
            continue;
        }
        if (!strcmp(a, "--timestamps") || !strcmp(a, "--timestamps=true")) {
            o.timestamps = true;
            i++;
            continue;
        }
        if (!strcmp(a, "-p") || !strcmp(a, "--previous") || !strcmp(a, "--previous=true")) {
            o.previous = true;
            i++;
            continue;
        }
        char err[256];
        int r;
        if ((r = flag_take("--step", NULL, argc, argv, &i, &step, err, sizeof err)) ||
            (r = flag_take("--tail", NULL, argc, argv, &i, &tail, err, sizeof err)) ||
            (r = flag_take("--since", NULL, argc, argv, &i, &since, err, sizeof err))) {
            if (r < 0)
                return cli_usage(&c, "%s", err);
            continue;
        }
        return cli_unknown(&c, a);
    }
    if (c.n_pos == 0)
        return cli_usage(&c, "migration task name should be specified");
    if (c.n_pos > 1)
        return cli_usage(&c, "one task name at a time (got %d)", c.n_pos);
    if (!step || !*step)
        return cli_usage(&c, "migration task step should be specified (--step precheck, "
                             "init-struct, init-data or cdc)");
    if (!valid_step(step))
        return cli_usage(&c, "--step must be precheck, init-struct, init-data or cdc, not \"%s\"",
                         step);
    if (tail) {
        char *end;
        o.tail_lines = strtol(tail, &end, 10);
        if (!*tail || *end || o.tail_lines < -1)
            return cli_usage(&c, "--tail must be a number greater than or equal to -1, not \"%s\"",
                             tail);
    }
    if (since && (!cli_parse_duration(since, &o.since_seconds) || o.since_seconds <= 0))
        return cli_usage(&c, "--since must be a duration like 30s, 5m or 1h, not \"%s\"", since);
    o.step = step;
    if (!cli_open(&c))
        return 1;
    if (o.previous && strcmp(c.b->ops->name, "kube")) {
        cli_close(&c);
        return cli_usage(&c, "--previous is for a Kubernetes pod's previous container; a local "
                             "task's step log is one file across its runs");
    }
    char err[1024];
    bool follow = o.follow;
    bool ok = c.b->ops->logs(c.b, c.ns, c.pos[0], &o, print_line, &follow, err, sizeof err);
    fflush(stdout);
    int rc = ok ? 0 : cli_fail(&c, "%s", err);
    cli_close(&c);
    return rc;
}
