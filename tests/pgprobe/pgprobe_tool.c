/* A small driver over pgprobe for the shell tests and the benchmark:
 *   pgprobe_tool connect EP                     ok / error <kind>: <message>
 *   pgprobe_tool watch EP SLOT SECONDS MS [EXCLUDE_APP...]
 *                                               one line of readings per tick
 *   pgprobe_tool ticks EP SLOT N                cost of N live-readings ticks (ms)
 *   pgprobe_tool cleanup EP TASK                exit 0 clean, 1 something left
 *   pgprobe_tool publication EP NAME
 * Exit 2 on a connection or query error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgprobe/activity.h"
#include "pgprobe/cleanup.h"
#include "pgprobe/conn.h"
#include "pgprobe/live.h"
#include "pgprobe/slot.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static PGconn *open_ep(const char *text, pgp_endpoint *ep)
{
    pgp_error err;
    if (!pgp_endpoint_parse(ep, "endpoint", text, &err)) {
        printf("error %s: %s\n", pgp_errcode_id(err.code), err.msg);
        return NULL;
    }
    PGconn *c = pgp_connect(ep, "pgprobe_tool", 5, false, &err);
    if (!c)
        printf("error %s: %s\n", pgp_errcode_id(err.code), err.msg);
    return c;
}

static int cmd_connect(const char *text, bool replication)
{
    pgp_endpoint ep;
    pgp_error err;
    if (!pgp_endpoint_parse(&ep, "endpoint", text, &err)) {
        printf("error %s: %s\n", pgp_errcode_id(err.code), err.msg);
        return 1;
    }
    PGconn *c = pgp_connect(&ep, "pgprobe_tool", 3, replication, &err);
    int rc = 0;
    if (!c) {
        printf("error %s: %s\n", pgp_errcode_id(err.code), err.msg);
        rc = 1;
    } else {
        printf("ok %s %d %s\n", ep.form, PQserverVersion(c), PQuser(c));
    }
    PQfinish(c);
    pgp_endpoint_free(&ep);
    return rc;
}

static int cmd_watch(const char *text, const char *slot, double seconds, int ms,
                     const char *const *exclude, size_t n_exclude)
{
    pgp_endpoint ep;
    PGconn *c = open_ep(text, &ep);
    if (!c)
        return 2;
    pgp_slot_probe sp;
    pgp_slot_probe_init(&sp, slot);
    sp.timeout_ms = 2000;
    pgp_activity_probe ap;
    pgp_activity_probe_init(&ap);
    ap.exclude_apps = exclude;
    ap.n_exclude_apps = n_exclude;
    double end = now_ms() + seconds * 1000;
    int rc = 0;
    while (now_ms() < end) {
        pgp_slot_reading s;
        pgp_activity_reading a;
        pgp_error err;
        double t0 = now_ms();
        if (!pgp_live_read(&sp, &ap, c, &s, &a, &err)) {
            printf("error %s: %s\n", pgp_errcode_id(err.code), err.msg);
            rc = 2;
            break;
        }
        double cost = now_ms() - t0;
        char cf[32];
        fmt_lsn(s.confirmed_flush_lsn, cf, sizeof cf);
        printf("tick t=%.3f exists=%d active=%d pid=%d wal_status=%s confirmed=%s lag_bytes=%lld "
               "lag_s=%.2f%s retained=%lld replay_lag=%.3f commits_s=%.1f wal_bytes_s=%.0f "
               "write_xacts_s=%.1f writing=%d sessions=%d excluded=%d no_writes_s=%.3f%s "
               "cost_ms=%.3f",
               s.t, s.exists, s.active, s.active_pid, s.wal_status[0] ? s.wal_status : "-", cf,
               (long long)s.lag_bytes, s.lag_s, s.lag_s_lower_bound ? "+" : "",
               (long long)s.retained_bytes, s.replay_lag_s, a.commits_per_s, a.wal_bytes_per_s,
               a.write_xacts_per_s, a.writing, a.writing_sessions, a.excluded_sessions,
               a.no_writes_s, a.no_writes_lower_bound ? "+" : "", cost);
        for (size_t i = 0; i < a.n_writers; i++)
            printf(" writer=%s/%s:%d", a.writers[i].role, a.writers[i].application,
                   a.writers[i].sessions);
        printf("\n");
        fflush(stdout);
        usleep((useconds_t)ms * 1000);
    }
    pgp_slot_probe_free(&sp);
    PQfinish(c);
    pgp_endpoint_free(&ep);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_costs(const char *what, double *cost, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += cost[i];
    qsort(cost, (size_t)n, sizeof *cost, cmp_double);
    printf("%-8s n=%d mean_ms=%.3f p50_ms=%.3f p95_ms=%.3f max_ms=%.3f\n", what, n, sum / n,
           cost[n / 2], cost[(int)(n * 0.95)], cost[n - 1]);
}

/* What a dashboard without pgprobe would run for the same figures: the
 * views whole, one round trip each. */
static const char *const NAIVE[] = {
    "SELECT * FROM pg_replication_slots", "SELECT pg_current_wal_lsn()",
    "SELECT * FROM pg_stat_replication", "SELECT * FROM pg_stat_activity",
    "SELECT * FROM pg_stat_database",
};

/* The cost of one live-readings tick as the dashboard runs it (the slot
 * reading and the activity reading on one connection), beside a bare
 * SELECT 1 round trip (the floor) and the naive five queries. */
static int cmd_ticks(const char *text, const char *slot, int n)
{
    pgp_endpoint ep;
    PGconn *c = open_ep(text, &ep);
    if (!c)
        return 2;
    pgp_slot_probe sp;
    pgp_slot_probe_init(&sp, slot);
    pgp_activity_probe ap;
    pgp_activity_probe_init(&ap);
    double *tick = calloc((size_t)n, sizeof *tick), *one = calloc((size_t)n, sizeof *one);
    double *naive = calloc((size_t)n, sizeof *naive), *seq = calloc((size_t)n, sizeof *seq);
    if (!tick || !one || !naive || !seq)
        return 2;
    for (int i = 0; i < n; i++) {
        pgp_slot_reading s;
        pgp_activity_reading a;
        pgp_error err;
        double t0 = now_ms();
        if (!pgp_live_read(&sp, &ap, c, &s, &a, &err)) {
            printf("error %s\n", err.msg);
            return 2;
        }
        tick[i] = now_ms() - t0;
        t0 = now_ms();
        if (!pgp_slot_read(&sp, c, &s, &err) || !pgp_activity_read(&ap, c, &a, &err)) {
            printf("error %s\n", err.msg);
            return 2;
        }
        seq[i] = now_ms() - t0;
        t0 = now_ms();
        if (!pgp_exec(c, "SELECT 1", &err))
            return 2;
        one[i] = now_ms() - t0;
        t0 = now_ms();
        for (size_t q = 0; q < sizeof NAIVE / sizeof NAIVE[0]; q++)
            if (!pgp_exec(c, NAIVE[q], &err))
                return 2;
        naive[i] = now_ms() - t0;
        usleep(5000);
    }
    print_costs("select1", one, n);
    print_costs("naive", naive, n);
    print_costs("tick_2rt", seq, n);
    print_costs("tick", tick, n);
    free(seq);
    free(tick);
    free(one);
    free(naive);
    pgp_slot_probe_free(&sp);
    PQfinish(c);
    pgp_endpoint_free(&ep);
    return 0;
}

static int cmd_cleanup(const char *text, const char *task)
{
    pgp_endpoint ep;
    PGconn *c = open_ep(text, &ep);
    if (!c)
        return 2;
    pgp_cleanup cl;
    pgp_error err;
    int rc = 2;
    if (pgp_cleanup_check(c, task, &cl, &err)) {
        pgp_cleanup_print(&cl, stdout);
        rc = cl.clean ? 0 : 1;
        pgp_cleanup_free(&cl);
    } else {
        printf("error %s\n", err.msg);
    }
    PQfinish(c);
    pgp_endpoint_free(&ep);
    return rc;
}

static int cmd_publication(const char *text, const char *name)
{
    pgp_endpoint ep;
    PGconn *c = open_ep(text, &ep);
    if (!c)
        return 2;
    pgp_publication p;
    pgp_error err;
    int rc = 2;
    if (pgp_publication_read(c, name, &p, &err)) {
        printf("exists=%d all_tables=%d owner=%s update=%d tables=%zu\n", p.exists, p.all_tables,
               p.owner, p.pub_update, p.n_tables);
        for (size_t i = 0; i < p.n_tables; i++)
            printf("table %s\n", p.tables[i]);
        pgp_publication_free(&p);
        rc = 0;
    } else {
        printf("error %s\n", err.msg);
    }
    PQfinish(c);
    pgp_endpoint_free(&ep);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "connect"))
        return cmd_connect(argv[2], argc > 3 && !strcmp(argv[3], "replication"));
    if (argc >= 6 && !strcmp(argv[1], "watch"))
        return cmd_watch(argv[2], argv[3], atof(argv[4]), atoi(argv[5]),
                         (const char *const *)argv + 6, (size_t)(argc - 6));
    if (argc == 5 && !strcmp(argv[1], "ticks"))
        return cmd_ticks(argv[2], argv[3], atoi(argv[4]) > 0 ? atoi(argv[4]) : 100);
    if (argc == 4 && !strcmp(argv[1], "cleanup"))
        return cmd_cleanup(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "publication"))
        return cmd_publication(argv[2], argv[3]);
    fprintf(stderr, "usage: pgprobe_tool connect|watch|ticks|cleanup|publication ...\n");
    return 2;
}
