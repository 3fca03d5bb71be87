/* migtop create NAME --template T --source U:P@H:P/DB --sink ...
 * --migration-object '"public.t1","public.t2"' [--steps ...] [--local]:
 * kbcli migration create. The kube backend POSTs the object kbcli builds
 * (model/task_build); the local one (--local, or the default without a
 * usable kubeconfig) writes the task directory and starts its runner
 * detached. The flags are parsed by model/flags, as the wizard does. */
#include <stdio.h>
#include <string.h>

#include "model/flags.h"
#include "cli/args.h"
#include "cli/commands.h"

#define MAX_VALUES 64

typedef struct create_flags {
    const char *tmpl, *source, *sink;
    const char *objects[MAX_VALUES], *steps[MAX_VALUES];
    size_t n_objects, n_steps;
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
            (r = flag_take("--sink", NULL, argc, argv, &i, &f->sink, err, sizeof err))) {
            if (r < 0)
                return cli_usage(c, "%s", err);
            continue;
        }
        if ((r = take_many(c, "--migration-object", argc, argv, &i, f->objects,
                           &f->n_objects)) ||
            (r = take_many(c, "--steps", argc, argv, &i, f->steps, &f->n_steps))) {
            if (r < 0)
                return 2;
            continue;
        }
        return cli_unknown(c, a);
    }
    return 0;
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
                             "(user:password@host:port/database)");
    arena a;
    arena_init(&a);
    mt_create_req req = {.name = c.pos[0], .template_name = f.tmpl};
    rc = 0;
    if (!mt_parse_endpoint(&a, "source", f.source, &req.source, err, sizeof err) ||
        !mt_parse_endpoint(&a, "sink", f.sink, &req.sink, err, sizeof err) ||
        !mt_parse_objects(&a, f.objects, f.n_objects, &req.objects, err, sizeof err) ||
        !mt_parse_steps(f.steps, f.n_steps, &req.steps, err, sizeof err))
        rc = cli_usage(&c, "%s", err);
    if (!rc && !cli_open(&c))
        rc = 1;
    if (!rc) {
        req.namespace_ = c.ns && *c.ns ? c.ns : NULL;
        if (!c.b->ops->create(c.b, &req, err, sizeof err))
            rc = cli_fail(&c, "%s", err);
        else
            printf("migrationtask.datamigration.apecloud.io/%s created\n", req.name);
    }
    cli_close(&c);
    arena_free(&a);
    return rc;
}
