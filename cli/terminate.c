/* migtop terminate NAME [--wait=false] [--timeout 10m]: kbcli migration
 * terminate, which deletes the task and, like kubectl delete, waits until
 * it is gone. The add-on keeps the task Terminating while it stops CDC
 * and drops the slot; the local engine does the same. Every change of
 * state or reason is printed as it is seen (stdout: stderr only ever
 * holds the one-line error). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/describe.h"
#include "cli/args.h"
#include "cli/commands.h"

#define POLL_MS 500

/* 1 gone, 0 still there, -1 failed to read (err set). */
static int poll_gone(cli *c, const char *name, char *what, size_t n, char *err,
                       size_t errlen)
{
    mt_snapshot *s = c->b->ops->fetch(c->b, c->ns, name, err, errlen);
    if (!s)
        return -1;
    const mt_task *t = mt_snapshot_task(s, c->ns, name);
    if (t) {
        const char *why = mt_meta_annotation(&t->meta, "migtop.io/terminating-reason");
        snprintf(what, n, "%s%s%s", mt_task_display_status(t), why ? ": " : "", why ? why : "");
    }
    mt_snapshot_free(s);
    return t ? 0 : 1;
}


int cmd_terminate(int argc, char **argv)
{
    cli c = {.cmd = "terminate"};
    bool wait = true;
    const char *timeout = "10m";
    for (int i = 1; i < argc;) {
        switch (cli_next(&c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return 0;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        const char *a = argv[i];
        if (!strcmp(a, "--wait") || !strcmp(a, "--wait=true") || !strcmp(a, "--wait=false")) {
            wait = strcmp(a, "--wait=false") != 0;
            i++;
            continue;
        }
        char err[256];
        int r = flag_take("--timeout", NULL, argc, argv, &i, &timeout, err, sizeof err);
        if (r < 0)
            return cli_usage(&c, "%s", err);
        if (!r)
            return cli_unknown(&c, a);
    }
    long limit_s;
    if (!cli_parse_duration(timeout, &limit_s))
        return cli_usage(&c, "--timeout must be a duration like 30s, 5m or 1h, not \"%s\"",
                         timeout);
    if (c.readonly)
        return cli_usage(&c, "refused: --readonly (terminate writes)");
    if (c.n_pos == 0)
        return cli_usage(&c, "missing migration task name");
    if (c.n_pos > 1)
        return cli_usage(&c, "one task name at a time (got %d)", c.n_pos);
    const char *name = c.pos[0];
    if (!cli_open(&c))
        return 1;
    if (!c.ns) /* -A makes no sense for one task: use the default namespace */
        c.ns = c.b->ops->default_namespace(c.b);
    char err[1024], what[600] = "", seen[600] = "";
    int rc = 0;
    if (!c.b->ops->terminate(c.b, c.ns, name, err, sizeof err)) {
        rc = cli_fail(&c, "%s", err);
    } else if (wait) {
        int64_t end = fmt_mono_ms() + limit_s * 1000;
        int r;
        /* A failed read (the apiserver restarting) is retried until the
         * deadline, like kubectl's wait. */
        while ((r = poll_gone(&c, name, what, sizeof what, err, sizeof err)) != 1) {
            if (r == 0 && strcmp(what, seen)) {
                printf("%s\n", what);
                fflush(stdout);
                snprintf(seen, sizeof seen, "%s", what);
            }
            if (fmt_mono_ms() >= end) {
                rc = cli_fail(&c, "task \"%s\" still there after %s: %s", name, timeout,
                              r < 0 ? err : what);
                break;
            }
            usleep(POLL_MS * 1000);
        }
    }
    if (!rc)
        printf("migrationtask.datamigration.apecloud.io \"%s\" %s\n", name,
               wait ? "deleted" : "terminating");
    cli_close(&c);
    return rc;
}
