/* Flags shared by the pgprobe commands (see probe_args.h). */
#include "cli/probe_args.h"

#include <stdlib.h>
#include <string.h>

#include "model/flags.h"
#include "cli/args.h"
#include "cli/help.h"

void probe_args_init(probe_args *p, const char *cmd, int argc)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->output = "text";
    p->timeout = 10;
    p->objects = calloc((size_t)argc + 1, sizeof *p->objects);
    if (!p->objects)
        abort();
    arena_init(&p->a);
}

int probe_args_value(probe_args *p, const char *flag, int argc, char **argv, int *i,
                     const char **out)
{
    char err[256];
    int t = flag_take(flag, NULL, argc, argv, i, out, err, sizeof err);
    if (t < 0)
        fprintf(stderr, "migtop %s: %s\n", p->cmd, err);
    return t;
}

bool probe_args_number(const probe_args *p, const char *flag, const char *v, long long lo,
                       long long hi, long long *out)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        fprintf(stderr, "migtop %s: %s needs a whole number from %lld to %lld\n", p->cmd, flag,
                lo, hi);
        return false;
    }
    *out = n;
    return true;
}

int probe_args_take(probe_args *p, int argc, char **argv, int *i)
{
    const char *v = NULL;
    char err[256];
    int t;
    if (!strcmp(argv[*i], "-h") || !strcmp(argv[*i], "--help")) {
        help_print(stdout, p->cmd);
        return -2;
    }
    if ((t = probe_args_value(p, "--source", argc, argv, i, &p->source)) ||
        (t = probe_args_value(p, "--sink", argc, argv, i, &p->sink)))
        return t;
    if ((t = flag_take("--output", "-o", argc, argv, i, &p->output, err, sizeof err))) {
        if (t < 0)
            fprintf(stderr, "migtop %s: %s\n", p->cmd, err);
        return t;
    }
    if ((t = probe_args_value(p, "--migration-object", argc, argv, i, &v)) > 0)
        p->objects[p->n_objects++] = v;
    if (t)
        return t;
    if ((t = probe_args_value(p, "--timeout", argc, argv, i, &v)) > 0) {
        long long n;
        if (!probe_args_number(p, "--timeout", v, 1, 3600, &n))
            return -1;
        p->timeout = (int)n;
    }
    return t;
}

int probe_args_finish(probe_args *p)
{
    char msg[512];
    pgp_error err = {0};
    if (!p->source || !p->sink || !p->n_objects) {
        fprintf(stderr, "migtop %s: --source, --sink and --migration-object are required "
                "(see migtop %s --help)\n", p->cmd, p->cmd);
        return 2;
    }
    if (strcmp(p->output, "json") && strcmp(p->output, "text") && strcmp(p->output, "table")) {
        fprintf(stderr, "migtop %s: -o takes json or text, not \"%s\"\n", p->cmd, p->output);
        return 2;
    }
    p->json = !strcmp(p->output, "json");
    if (!mt_parse_objects(&p->a, p->objects, p->n_objects, &p->objs, msg, sizeof msg)) {
        fprintf(stderr, "migtop %s: %s\n", p->cmd, msg);
        return 2;
    }
    if (!pgp_endpoint_parse(&p->src, "source", p->source, &err) ||
        !pgp_endpoint_parse(&p->snk, "sink", p->sink, &err)) {
        fprintf(stderr, "migtop %s: %s\n", p->cmd, err.msg);
        return 2;
    }
    return 0;
}

void probe_args_error(const probe_args *p, const pgp_error *err)
{
    fprintf(stderr, "migtop %s: %s\n", p->cmd, err->msg);
    if (*pgp_errcode_hint(err->code))
        fprintf(stderr, "  hint: %s\n", pgp_errcode_hint(err->code));
}

void probe_args_free(probe_args *p)
{
    pgp_endpoint_free(&p->src);
    pgp_endpoint_free(&p->snk);
    arena_free(&p->a);
    free(p->objects);
    p->objects = NULL;
}
