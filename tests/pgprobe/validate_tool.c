/* Drives pgp_validate the way the cutover wizard will: with a progress
 * callback, and with a cancel flag set from another thread.
 *   validate_tool progress SRC SNK OBJECTS RANGE_ROWS STOP_AFTER
 *       the callback returns false on call STOP_AFTER; prints
 *       "calls=N cancelled=B checked=N total=N"
 *   validate_tool cancel SRC SNK OBJECTS DELAY_MS
 *       one range per table (whole-table queries), the flag set after
 *       DELAY_MS; prints "cancelled=B late_ms=N" (time from the flag to
 *       the return) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/flags.h"
#include "pgprobe/validate.h"

typedef struct counter {
    int calls, stop_after;
    size_t total;
} counter;

static bool on_progress(void *ud, const pgp_val_progress *p)
{
    counter *c = ud;
    c->calls++;
    c->total = p->total;
    if (!p->table || p->done != (size_t)c->calls)
        fprintf(stderr, "progress: done %zu on call %d\n", p->done, c->calls);
    return c->calls < c->stop_after;
}

static volatile bool stop;
static double set_at;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

static void *canceller(void *arg)
{
    int ms = *(int *)arg;
    struct timespec d = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
    set_at = now_ms();
    stop = true;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: validate_tool progress|cancel SRC SNK OBJECTS ...\n");
        return 2;
    }
    arena a;
    arena_init(&a);
    mt_objects o;
    char msg[512];
    const char *objs[1] = {argv[4]};
    pgp_endpoint src, snk;
    pgp_error err;
    if (!mt_parse_objects(&a, objs, 1, &o, msg, sizeof msg) ||
        !pgp_endpoint_parse(&src, "source", argv[2], &err) ||
        !pgp_endpoint_parse(&snk, "sink", argv[3], &err)) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    pgp_val_report r;
    pgp_val_opts opt = {.full = true};
    int rc = 0;
    if (!strcmp(argv[1], "progress") && argc == 7) {
        counter c = {0, atoi(argv[6]), 0};
        opt.range_rows = atoll(argv[5]);
        opt.progress = on_progress;
        opt.ud = &c;
        if (!pgp_validate(&src, &snk, &o, &opt, &r, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        size_t checked = 0;
        for (size_t i = 0; i < r.n_tables; i++)
            checked += r.tables[i].n_checked;
        printf("calls=%d cancelled=%d checked=%zu total=%zu\n", c.calls, r.cancelled, checked,
               c.total);
    } else if (!strcmp(argv[1], "cancel")) {
        int delay = atoi(argv[5]);
        opt.range_rows = 1000000000;
        opt.jobs = 1;
        opt.cancel = &stop;
        pthread_t th;
        pthread_create(&th, NULL, canceller, &delay);
        bool ok = pgp_validate(&src, &snk, &o, &opt, &r, &err);
        double end = now_ms();
        pthread_join(th, NULL);
        if (!ok) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        printf("cancelled=%d late_ms=%.0f\n", r.cancelled, end - set_at);
    } else {
        fprintf(stderr, "bad mode\n");
        return 2;
    }
    pgp_val_report_free(&r);
    pgp_endpoint_free(&src);
    pgp_endpoint_free(&snk);
    arena_free(&a);
    return rc;
}
