/* A driver for the engine's shell tests: the local backend's create,
 * terminate, fetch, logs and feed, through the same mt_backend interface the
 * CLI and the dashboard use (the runner it starts is $MIGTOP_BIN run). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/backend_local.h"
#include "model/describe.h"

static bool print_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    printf("%.*s\n", (int)len, line);
    return true;
}

/* Takes snapshots as the dashboard does, printing each, until one has
 * want tasks (or 10 s). */
static int watch_feed(mt_backend *b, long want)
{
    char err[1024];
    mt_feed *f = b->ops->feed(b, err, sizeof err);
    if (!f) {
        fprintf(stderr, "engine_tool: %s\n", err);
        return 1;
    }
    int rc = 1;
    for (int i = 0; i < 1000 && rc; i++) {
        struct pollfd p = {.fd = mt_feed_fd(f), .events = POLLIN};
        poll(&p, 1, 10);
        mt_feed_health h;
        mt_snapshot *s = mt_feed_take(f, &h);
        if (!s)
            continue;
        printf("tasks=%zu", s->n_tasks);
        for (size_t k = 0; k < s->n_notices; k++)
            printf(" notice=\"%s\"", s->notices[k]);
        printf("\n");
        if ((long)s->n_tasks >= want)
            rc = 0;
        mt_snapshot_free(s);
    }
    mt_feed_free(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: engine_tool create|write|terminate|show|logs|feed STATE_DIR NAME [...]\n");
        return 2;
    }
    const char *cmd = argv[1], *state = argv[2], *name = argv[3];
    char err[1024];
    mt_backend *b = engine_backend_open(state, err, sizeof err);
    if (!b) {
        fprintf(stderr, "engine_tool: %s\n", err);
        return 1;
    }
    int rc = 0;
    arena a;
    arena_init(&a);
    if (!strcmp(cmd, "create") || !strcmp(cmd, "write")) {
        /* create|write STATE NAME SOURCE SINK OBJECTS [STEPS [SINK_TABLES]];
         * write only writes the task (the test runs `migtop run` itself). */
        if (argc < 7) {
            fprintf(stderr, "create|write STATE NAME SOURCE SINK OBJECTS [STEPS]\n");
            return 2;
        }
        mt_create_req r = {.name = name, .sink_tables = argc > 8 ? argv[8] : NULL};
        const char *objs[1] = {argv[6]};
        const char *steps[1] = {argc > 7 ? argv[7] : "precheck=true,init-struct=true,init-data=true,cdc=true"};
        if (!mt_valid_name(name, err, sizeof err) ||
            !mt_parse_endpoint(&a, "--source", argv[4], &r.source, err, sizeof err) ||
            !mt_parse_endpoint(&a, "--sink", argv[5], &r.sink, err, sizeof err) ||
            !mt_parse_objects(&a, objs, 1, &r.objects, err, sizeof err) ||
            !mt_parse_steps(steps, 1, &r.steps, err, sizeof err) ||
            !(strcmp(cmd, "write") ? b->ops->create(b, &r, err, sizeof err)
                                   : engine_write_task(state, &r, err, sizeof err))) {
            fprintf(stderr, "engine_tool: %s\n", err);
            rc = 1;
        }
    } else if (!strcmp(cmd, "terminate")) {
        if (!b->ops->terminate(b, NULL, name, err, sizeof err)) {
            fprintf(stderr, "engine_tool: %s\n", err);
            rc = 1;
        }
    } else if (!strcmp(cmd, "show")) {
        /* One line: display status, init failedReason, jobs (step=status). */
        mt_snapshot *s = b->ops->fetch(b, NULL, name, err, sizeof err);
        const mt_task *t = s ? mt_snapshot_task(s, "", name) : NULL;
        if (!t) {
            fprintf(stderr, "engine_tool: %s\n", s ? "no such task" : err);
            rc = 1;
        } else {
            mt_describe d;
            mt_describe_build(&a, s, t, (mt_time)(fmt_now_ms() / 1000), 0, &d);
            printf("status=%s", d.display_status);
            for (size_t i = 0; i < d.n_init; i++)
                printf(" %s=%s", d.init[i].step, d.init[i].status);
            printf(" cdc_rows=%zu", d.n_cdc);
            if (t->init.failed_reason)
                printf(" init_failed=\"%s\"", t->init.failed_reason);
            if (t->cdc.failed_reason)
                printf(" cdc_reason=\"%s\"", t->cdc.failed_reason);
            const char *why = mt_meta_annotation(&t->meta, "migtop.io/terminating-reason");
            if (why)
                printf(" terminating=\"%s\"", why);
            printf("\n");
        }
        if (s)
            mt_snapshot_free(s);
    } else if (!strcmp(cmd, "logs")) {
        mt_logs_opts o = {.step = argc > 4 ? argv[4] : "init-data", .tail_lines = -1};
        if (argc > 5)
            o.tail_lines = atol(argv[5]);
        if (!b->ops->logs(b, NULL, name, &o, print_line, NULL, err, sizeof err)) {
            fprintf(stderr, "engine_tool: %s\n", err);
            rc = 1;
        }
    } else if (!strcmp(cmd, "feed")) {
        /* feed STATE - : the dashboard's feed; a line for each snapshot
         * taken (its tasks and notices) until one has NAME=N tasks. */
        rc = watch_feed(b, atol(argc > 4 ? argv[4] : "1"));
    } else {
        fprintf(stderr, "engine_tool: unknown command %s\n", cmd);
        rc = 2;
    }
    arena_free(&a);
    b->ops->free(b);
    return rc;
}
