#include "cli/args.h"

#include "cli/help.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 0))) static void vreport(const cli *c, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One line, whatever a server or a library put in the message. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    size_t n = strlen(msg);
    while (n && msg[n - 1] == ' ')
        msg[--n] = '\0';
    fprintf(stderr, "migtop %s: %s\n", c->cmd, msg);
}

int cli_fail(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, fmt, ap);
    va_end(ap);
    return 1;
}

int cli_usage(const cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, fmt, ap);
    va_end(ap);
    return 2;
}

int cli_unknown(const cli *c, const char *arg)
{
    return cli_usage(c, "unknown flag: %s (see migtop %s --help)", arg, c->cmd);
}

int cli_common(cli *c, int argc, char **argv, int *i)
{
    char err[256];
    int r = backend_args_match(&c->bargs, argc, argv, i, err, sizeof err);
    if (r < 0) {
        cli_usage(c, "%s", err);
        return -1;
    }
    if (r)
        return 1;
    const char *a = argv[*i];
    if (!strcmp(a, "--readonly")) {
        c->readonly = true;
        *i += 1;
        return 1;
    }
    if (a[0] == '-' && a[1])
        return 0;
    if (c->n_pos == CLI_MAX_POS) {
        cli_usage(c, "too many arguments");
        return -1;
    }
    c->pos[c->n_pos++] = a;
    *i += 1;
    return 1;
}

cli_step cli_next(cli *c, int argc, char **argv, int *i)
{
    int r = cli_common(c, argc, argv, i);
    if (r < 0)
        return CLI_ERR;
    if (r)
        return CLI_TAKEN;
    if (!strcmp(argv[*i], "-h") || !strcmp(argv[*i], "--help")) {
        help_print(stdout, c->cmd);
        return CLI_HELP;
    }
    return CLI_OWN;
}

int cli_parse_listing(cli *c, int argc, char **argv, cli_output *out)
{
    for (int i = 1; i < argc;) {
        switch (cli_next(c, argc, argv, &i)) {
        case CLI_TAKEN: continue;
        case CLI_HELP: return -1;
        case CLI_ERR: return 2;
        case CLI_OWN: break;
        }
        if (!strcmp(argv[i], "--no-headers")) {
            c->no_headers = true;
            i++;
            continue;
        }
        if (!strcmp(argv[i], "--show-secrets")) {
            c->show_secrets = true;
            i++;
            continue;
        }
        if (!strcmp(argv[i], "--show-labels")) {
            c->show_labels = true;
            i++;
            continue;
        }
        const char *v;
        char err[256];
        int r = flag_take("--selector", "-l", argc, argv, &i, &c->selector, err, sizeof err);
        if (r < 0)
            return cli_usage(c, "%s", err);
        if (r)
            continue;
        r = flag_take("--output", "-o", argc, argv, &i, &v, err, sizeof err);
        if (r < 0)
            return cli_usage(c, "%s", err);
        if (!r)
            return cli_unknown(c, argv[i]);
        if (!strncmp(v, "jsonpath=", 9)) {
            *out = OUT_JSONPATH;
            c->jsonpath = v + 9;
            continue;
        }
        if (!cli_parse_output(v, out))
            return cli_usage(c, "--output must be table, wide, json, yaml, name or "
                                "jsonpath=TEMPLATE, not \"%s\"", v);
    }
    if (c->n_pos > 1)
        return cli_usage(c, "one name at most (got %d)", c->n_pos);
    return 0;
}

bool cli_open(cli *c)
{
    char err[1024];
    c->b = backend_open(&c->bargs, err, sizeof err);
    if (!c->b) {
        cli_fail(c, "%s", err);
        return false;
    }
    c->ns = backend_namespace(&c->bargs, c->b);
    return true;
}

void cli_say_none(const cli *c)
{
    char where[4200];
    backend_where(c->b, where, sizeof where);
    if (c->ns && *c->ns)
        fprintf(stderr, "No resources found in %s namespace (%s).\n", c->ns, where);
    else
        fprintf(stderr, "No resources found (%s).\n", where);
    if (c->bargs.fallback[0])
        fprintf(stderr, "Not Kubernetes: %s\n", c->bargs.fallback);
}

void cli_close(cli *c)
{
    if (c->b)
        c->b->ops->free(c->b);
    c->b = NULL;
}

bool cli_parse_duration(const char *s, long *seconds)
{
    if (!s || !*s)
        return false;
    long total = 0;
    for (const char *p = s; *p;) {
        if (!isdigit((unsigned char)*p))
            return false;
        char *end;
        long n = strtol(p, &end, 10), unit;
        if (!*end && p == s)
            unit = 1; /* a bare number: seconds */
        else if (*end == 's' || *end == 'm' || *end == 'h')
            unit = *end == 's' ? 1 : *end == 'm' ? 60 : 3600;
        else
            return false;
        if (n > 100000000L / unit)
            return false;
        total += n * unit;
        p = *end ? end + 1 : end;
    }
    *seconds = total;
    return true;
}

bool cli_parse_output(const char *v, cli_output *out)
{
    static const char *const names[] = {"table", "wide", "json", "yaml", "name"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(v, names[i])) {
            *out = (cli_output)i;
            return true;
        }
    return false;
}

const char *cli_age(mt_time created, mt_time now, char *buf, size_t n)
{
    if (!created)
        snprintf(buf, n, "<unknown>");
    else
        fmt_age(now > created ? now - created : 0, buf, n);
    return buf;
}
