/* migtop create NAME --template T --source [U[:P]@]H:P/DB|URI|conninfo --sink ...
 * --migration-object '"public.t1","public.t2"' [--steps ...] [--local]:
 * kbcli migration create. The kube backend POSTs the object kbcli builds
 * (model/task_build); the local one (--local, or the default without a
 * usable kubeconfig) writes the task directory and starts its runner
 * detached. The flags are parsed by model/flags, as the wizard does. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "model/selector.h"
#include "cli/commands.h"
#include "cli/prompt.h"
#include "model/flags.h"
#include "pgprobe/task_endpoint.h"

#define MAX_VALUES 64

typedef struct create_flags {
    const char *tmpl, *source, *sink, *sink_tables, *systemd, *copy_rate;
    const char *objects[MAX_VALUES], *steps[MAX_VALUES], *labels[MAX_VALUES];
    size_t n_objects, n_steps, n_labels;
} create_flags;

/* --migration-object and --steps may repeat, like cobra string slices. */
static int take_many(const cli *c, const char *flag, int argc, char **argv, int *i,
                     const char **vals, size_t *n)
{
    const char *v;
    char err[256];
    int r = flag_take(flag, NULL, argc, argv, i, &v, err, sizeof err);
    if (r < 0)
        return cli_usage(c, "%s", err), -1;
    if (r && *n == MAX_VALUES)
        return cli_usage(c, "%s given more than %d times", flag, MAX_VALUES), -1;
    if (r)
        vals[(*n)++] = v;
    return r;
}


static int parse(cli *c, create_flags *f, int argc, char **argv)
{
    for (int i = 1; i < argc;) {
        switch (cli_next(c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return -1;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        const char *a = argv[i];
        if (!strcmp(a, "--local")) {
            c->bargs.backend = "local";
            i++;
            continue;
        }
        char err[256];
        int r;
        if ((r = flag_take("--template", NULL, argc, argv, &i, &f->tmpl, err, sizeof err)) ||
            (r = flag_take("--source", NULL, argc, argv, &i, &f->source, err, sizeof err)) ||
            (r = flag_take("--sink", NULL, argc, argv, &i, &f->sink, err, sizeof err)) ||
            (r = flag_take("--sink-tables", NULL, argc, argv, &i, &f->sink_tables, err,
                           sizeof err)) ||
            (r = flag_take("--systemd", NULL, argc, argv, &i, &f->systemd, err, sizeof err)) ||
            (r = flag_take("--copy-rate", NULL, argc, argv, &i, &f->copy_rate, err,
                           sizeof err))) {
            if (r < 0)
                return cli_usage(c, "%s", err);
            continue;
        }
        if ((r = take_many(c, "--migration-object", argc, argv, &i, f->objects,
                           &f->n_objects)) ||
            (r = take_many(c, "--steps", argc, argv, &i, f->steps, &f->n_steps)) ||
            (r = take_many(c, "--label", argc, argv, &i, f->labels, &f->n_labels))) {
            if (r < 0)
                return 2;
            continue;
        }
        return cli_unknown(c, a);
    }
    return 0;
}

/* One endpoint as the task records it; a password missing or wrong is
 * asked for at the terminal (never needed on the command line). *conn:
 * the connection when the server answered from here. Returns 0 or the
 * exit code (printed). */
static int endpoint(const cli *c, arena *a, const char *flag, const char *text, bool connect,
                    mt_endpoint_arg *out, PGconn **conn)
{
    pgp_error e;
    char typed[256] = "";
    for (int attempt = 0; attempt < 3; attempt++) {
        bool ok = pgp_task_endpoint(a, flag, text, typed, connect, 10, out, conn, &e);
        memset(typed, 0, sizeof typed);
        if (ok)
            return 0;
        bool ask = e.code == PGP_ERR_NO_PASSWORD || (connect && e.code == PGP_ERR_PASSWORD);
        char prompt[600];
        snprintf(prompt, sizeof prompt, "%s%s password for --%s: ",
                 e.code == PGP_ERR_PASSWORD ? "wrong password. " : "", text, flag);
        if (e.code == PGP_ERR_SYNTAX)
            return cli_usage(c, "%s", e.msg);
        if (!ask || !cli_read_password(prompt, typed, sizeof typed))
            return cli_fail(c, "%s%s", e.msg, ask ? " (give it in ~/.pgpass or PGPASSWORD, or "
                                                    "run this on a terminal to be asked)" : "");
    }
    return cli_fail(c, "--%s: %s", flag, e.msg);
}

/* Endpoints, objects, steps into req; the source checked for tables it
 * could not publish. Returns 0 or the exit code (printed). */
static int build_request(cli *c, const create_flags *f, arena *a, mt_create_req *req)
{
    char err[2048];
    if (!mt_parse_objects(a, f->objects, f->n_objects, &req->objects, err, sizeof err) ||
        !mt_parse_steps(f->steps, f->n_steps, &req->steps, err, sizeof err) ||
        (f->sink_tables && !mt_parse_sink_tables(f->sink_tables, &req->sink_tables, err,
                                                 sizeof err)))
        return cli_usage(c, "%s", err);
    mt_kv *labels = arena_alloc(a, sizeof *labels * (f->n_labels + 1));
    for (size_t i = 0; i < f->n_labels; i++) {
        char *text = arena_strdup(a, f->labels[i]);
        if (!mt_label_parse(text, &labels[i], err, sizeof err))
            return cli_usage(c, "%s", err);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(labels[j].key, labels[i].key))
                return cli_usage(c, "--label %s given twice", labels[i].key);
    }
    req->labels = labels;
    req->n_labels = f->n_labels;
    /* A local task's servers are reached from here (its runner runs
     * here); a Kubernetes task's are the cluster's. */
    bool local = !strcmp(c->b->ops->name, "local");
    if (f->systemd && (!local || (strcmp(f->systemd, "user") && strcmp(f->systemd, "system"))))
        return cli_usage(c, "--systemd user|system is for local tasks (got \"%s\"%s)",
                         f->systemd, local ? "" : " on Kubernetes");
    req->systemd = f->systemd;
    long long rate;
    if (f->copy_rate && !mt_parse_rate(f->copy_rate, &rate, err, sizeof err))
        return cli_usage(c, "%s", err);
    if (f->copy_rate && !local)
        return cli_usage(c, "--copy-rate is for local tasks (the add-on's copy has no limit)");
    req->copy_rate = f->copy_rate && rate > 0 ? f->copy_rate : NULL;
    PGconn *src = NULL, *sink = NULL;
    int rc = endpoint(c, a, "source", f->source, local, &req->source, &src);
    if (!rc)
        rc = endpoint(c, a, "sink", f->sink, local, &req->sink, &sink);
    if (rc) {
        PQfinish(src);
        return rc;
    }
    if (req->steps.cdc && src && !pgp_check_publishable(src, &req->objects, err, sizeof err))
        rc = cli_fail(c, "%s", err);
    else if (mt_steps_has(&req->steps, "initData") && src && sink &&
             !pgp_check_sink_rows(src, sink, &req->objects, req->sink_tables, err, sizeof err))
        rc = cli_fail(c, "%s", err);
    else if (req->steps.cdc && !src && local)
        fprintf(stderr, "migtop create: warning: the source cannot be reached from here to check "
                        "that every table has a replica identity; the task checks again before "
                        "it publishes any\n");
    PQfinish(src);
    PQfinish(sink);
    return rc;
}

/* A name taken is said before anything is asked of the servers (a
 * password prompt, the checks of the tables). A backend that cannot be
 * read now says so itself at create. */
static bool name_taken(cli *c, const char *name)
{
    char err[1024];
    mt_snapshot *s = c->b->ops->fetch(c->b, c->ns, name, err, sizeof err);
    bool taken = s && mt_snapshot_task(s, c->ns, name);
    mt_snapshot_free(s);
    return taken;
}

int cmd_create(int argc, char **argv)
{
    cli c = {.cmd = "create"};
    create_flags f = {0};
    int rc = parse(&c, &f, argc, argv);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (c.readonly)
        return cli_usage(&c, "refused: --readonly (create writes)");
    if (c.n_pos == 0)
        return cli_usage(&c, "missing migration task name");
    if (c.n_pos > 1)
        return cli_usage(&c, "one task name at a time (got %d)", c.n_pos);
    char err[1024];
    if (!mt_valid_name(c.pos[0], err, sizeof err))
        return cli_usage(&c, "%s", err);
    if (!f.source || !f.sink)
        return cli_usage(&c, "--source and --sink are both needed "
                             "(user[:password]@host:port/database or a libpq URI)");
    arena a;
    arena_init(&a);
    mt_create_req req = {.name = c.pos[0], .template_name = f.tmpl};
    if (!cli_open(&c))
        rc = 1;
    if (!rc && name_taken(&c, req.name))
        rc = cli_fail(&c, "migrationtasks.datamigration.apecloud.io \"%s\" already exists",
                      req.name);
    if (!rc)
        rc = build_request(&c, &f, &a, &req);
    if (!rc) {
        req.namespace_ = c.ns && *c.ns ? c.ns : NULL;
        if (!c.b->ops->create(c.b, &req, err, sizeof err))
            rc = cli_fail(&c, "%s", err);
        else
            printf("migrationtask.datamigration.apecloud.io/%s created\n", req.name);
    }
    /* The passwords are in the arena: gone with it, wiped first. */
    for (int i = 0; i < 2; i++) {
        const char *pw = i ? req.sink.password : req.source.password;
        if (pw)
            memset((char *)pw, 0, strlen(pw));
    }
    cli_close(&c);
    arena_free(&a);
    return rc;
}
