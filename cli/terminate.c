/* migtop terminate NAME [--wait=false] [--timeout 10m]: kbcli migration
 * terminate, which deletes the task and, like kubectl delete, waits until
 * it is gone. The add-on keeps the task Terminating while it stops CDC
 * and drops the slot; the local engine does the same. Every change of
 * state or reason is printed as it is seen (stdout: stderr only ever
 * holds the one-line error). --force is the way out when the cleanup
 * cannot finish: see engine/forget.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/describe.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "model/fmt.h"

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


/* --force: the task's own cleanup given FORCE_GRACE_S to finish, then the
 * task is forgotten and what may remain printed with its SQL. */
#define FORCE_GRACE_S 10

static int forget(cli *c, const char *name)
{
    if (!c->b->ops->forget)
        return cli_fail(c, "--force: the %s backend cannot forget a task (on Kubernetes the "
                           "add-on drops the slot; see the task's events)", c->b->ops->name);
    strbuf report = {0};
    char err[1024];
    int rc = 0;
    if (!c->b->ops->forget(c->b, c->ns, name, &report, err, sizeof err))
        rc = cli_fail(c, "--force: %s", err);
    else
        fputs(strbuf_str(&report), stdout);
    strbuf_free(&report);
    return rc;
}

/* Follows the task until it is gone, printing each new state; --force
 * forgets it once FORCE_GRACE_S passed. Returns the exit code. */
static int wait_gone(cli *c, const char *name, const char *timeout, long limit_s, bool force)
{
    if (force && limit_s > FORCE_GRACE_S)
        limit_s = FORCE_GRACE_S;
    char err[1024], what[600] = "", seen[600] = "";
    int64_t end = fmt_mono_ms() + limit_s * 1000;
    int r;
    /* A failed read (the apiserver restarting) is retried until the
     * deadline, like kubectl's wait. */
    while ((r = poll_gone(c, name, what, sizeof what, err, sizeof err)) != 1) {
        if (r == 0 && strcmp(what, seen)) {
            printf("%s\n", what);
            fflush(stdout);
            snprintf(seen, sizeof seen, "%s", what);
        }
        if (fmt_mono_ms() >= end && force) {
            printf("its cleanup did not finish in %d s (%s): forgetting it\n", (int)limit_s,
                   r < 0 ? err : what);
            return forget(c, name);
        }
        if (fmt_mono_ms() >= end)
            return cli_fail(c, "task \"%s\" still there after %s: %s (--force forgets it and "
                            "prints what to drop by hand)", name, timeout, r < 0 ? err : what);
        fmt_sleep_ms(POLL_MS);
    }
    return 0;
}

int cmd_terminate(int argc, char **argv)
{
    cli c = {.cmd = "terminate"};
    bool wait = true, force = false;
    const char *timeout = "10m";
    for (int i = 1; i < argc;) {
        switch (cli_next(&c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return 0;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        const char *a = argv[i];
        if (!strcmp(a, "--force")) {
            force = true;
            i++;
            continue;
        }
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
    char err[1024];
    int rc = 0;
    if (!c.b->ops->terminate(c.b, c.ns, name, err, sizeof err)) {
        rc = cli_fail(&c, "%s", err);
    } else if (wait || force) {
        rc = wait_gone(&c, name, timeout, limit_s, force);
    }
    if (!rc)
        printf("migrationtask.datamigration.apecloud.io \"%s\" %s\n", name,
               wait || force ? "deleted" : "terminating");
    cli_close(&c);
    return rc;
}
