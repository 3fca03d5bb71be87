/* `migtop orphans`: what migtop left on the servers that no task owns any
 * more (pgprobe/orphans.h): on the servers given (--source, --sink), else
 * on every server local tasks have used (engine/registry.h), passwords
 * from ~/.pgpass or PGPASSWORD. --drop drops them after a confirmation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "cli/prompt.h"
#include "engine/local_objects.h"
#include "engine/registry.h"
#include "engine/taskdir.h"
#include "model/fmt.h"
#include "pgprobe/orphans.h"

typedef struct orphans_opts {
    const char *source, *sink, *state_dir;
    bool drop, yes;
} orphans_opts;

typedef struct server {
    pgp_side side;
    char label[600];
    pgp_endpoint ep;
} server;

static int parse(orphans_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help_print(stdout, "orphans");
            return -1;
        } else if (!strcmp(a, "--source") && v) {
            o->source = argv[++i];
        } else if (!strcmp(a, "--sink") && v) {
            o->sink = argv[++i];
        } else if (!strcmp(a, "--state-dir") && v) {
            o->state_dir = argv[++i];
        } else if (!strcmp(a, "--drop")) {
            o->drop = true;
        } else if (!strcmp(a, "--yes")) {
            o->yes = true;
        } else {
            fprintf(stderr, "migtop orphans: unexpected argument \"%s\" (see migtop orphans "
                            "--help)\n", a);
            return 2;
        }
    }
    return 0;
}

/* The servers to look at: those given, else those the registry knows. */
static size_t servers_of(const orphans_opts *o, const char *state, server **out)
{
    engine_server *reg = NULL;
    size_t n = o->source || o->sink ? (size_t)(!!o->source + !!o->sink)
                                    : engine_registry_list(state, &reg);
    *out = n ? calloc(n, sizeof **out) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        server *s = &(*out)[k];
        char ci[1200];
        const char *text = NULL;
        if (reg) {
            snprintf(ci, sizeof ci, "host='%s' port='%s' dbname='%s' user='%s'", reg[i].host,
                     reg[i].port, reg[i].db, reg[i].user);
            text = ci;
            s->side = strcmp(reg[i].role, "sink") ? PGP_SIDE_SOURCE : PGP_SIDE_SINK;
        } else {
            bool src = o->source && i == 0;
            text = src ? o->source : o->sink;
            s->side = src ? PGP_SIDE_SOURCE : PGP_SIDE_SINK;
        }
        pgp_error e = {0};
        if (!pgp_endpoint_parse(&s->ep, s->side == PGP_SIDE_SOURCE ? "source" : "sink", text,
                                &e)) {
            fprintf(stderr, "migtop orphans: %s\n", e.msg);
            continue;
        }
        snprintf(s->label, sizeof s->label, "%s", pgp_endpoint_label(&s->ep));
        k++;
    }
    free(reg);
    return k;
}

/* Lists one server's orphans; drops them when asked and confirmed.
 * Returns how many remain there (-1: it could not be read). */
static int one_server(const orphans_opts *o, server *s, const char *host,
                      const char *const *slots, size_t n_slots)
{
    pgp_error e = {0};
    PGconn *c = pgp_connect(&s->ep, "migtop orphans", 10, false, &e);
    if (!c) {
        printf("%s (%s): not checked: %s\n", s->label,
               s->side == PGP_SIDE_SOURCE ? "source" : "sink", e.msg);
        return -1;
    }
    pgp_orphans found;
    int left = -1;
    if (pgp_orphans_find(c, s->side, host, slots, n_slots, &found, &e)) {
        left = (int)found.n;
        for (size_t i = 0; i < found.n; i++) {
            const pgp_orphan *x = &found.v[i];
            char wal[32] = "";
            if (x->retained_bytes >= 0)
                fmt_bytes((uint64_t)x->retained_bytes, wal, sizeof wal);
            printf("%s (%s): %s %s of task %s%s%s%s%s\n", s->label,
                   s->side == PGP_SIDE_SOURCE ? "source" : "sink", x->kind, x->name, x->task,
                   wal[0] ? ", retaining " : "", wal, x->active ? ", in use by " : "",
                   x->active ? x->holder : "");
            printf("    %s\n", x->drop_sql);
            if (o->drop && pgp_orphan_drop(c, x, &e)) {
                printf("    dropped\n");
                left--;
            } else if (o->drop) {
                printf("    not dropped: %s\n", e.msg);
            }
        }
        pgp_orphans_free(&found);
    } else {
        printf("%s: not checked: %s\n", s->label, e.msg);
    }
    PQfinish(c);
    return left;
}

static bool confirmed(const orphans_opts *o)
{
    if (!o->drop || o->yes)
        return true;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "migtop orphans: --drop on no terminal needs --yes\n");
        return false;
    }
    char answer[16] = "";
    if (!cli_prompt_line("drop every orphan listed below on its server? type yes: ", answer,
                         sizeof answer) || strcmp(answer, "yes")) {
        fprintf(stderr, "migtop orphans: nothing dropped\n");
        return false;
    }
    return true;
}

int cmd_orphans(int argc, char **argv)
{
    orphans_opts o = {0};
    int rc = parse(&o, argc, argv);
    if (rc)
        return rc < 0 ? 0 : rc;
    char state[4096], err[1024], host[256] = "?";
    if (!engine_state_dir(o.state_dir, state, sizeof state, err, sizeof err)) {
        fprintf(stderr, "migtop orphans: %s\n", err);
        return 1;
    }
    gethostname(host, sizeof host - 1);
    if (!confirmed(&o))
        return 1;
    server *sv;
    size_t n = servers_of(&o, state, &sv);
    if (!n)
        printf("no server to look at: local tasks have used none yet (or give --source and "
               "--sink)\n");
    char **slots;
    size_t n_slots = engine_local_slots(state, &slots);
    int total = 0;
    bool unread = false;
    for (size_t i = 0; i < n; i++) {
        int left = one_server(&o, &sv[i], host, (const char *const *)slots, n_slots);
        unread |= left < 0;
        total += left > 0 ? left : 0;
        pgp_endpoint_free(&sv[i].ep);
    }
    free(sv);
    engine_free_names(slots, n_slots);
    if (n && !total && !unread)
        printf("no orphans: everything migtop made there belongs to a task\n");
    return total || unread ? 1 : 0;
}
