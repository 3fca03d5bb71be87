#include "engine/orphan_scan.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/registry.h"
#include "model/fmt.h"
#include "model/strbuf.h"
#include "pgprobe/orphans.h"

#define SCAN_EVERY_MS 60000
#define MAX_FOUND 16

struct orphan_scan {
    char state_dir[4096];
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool quit;
    char *found[MAX_FOUND]; /* the last scan's lines, under mu */
    size_t n_found;
    void (*changed)(void *ctx);
    void *ctx;
};

/* One source's orphan slots as lines into lines/n. */
static void scan_one(const engine_server *sv, const char *host, char **lines, size_t *n)
{
    char ci[1200];
    snprintf(ci, sizeof ci, "host='%s' port='%s' dbname='%s' user='%s'", sv->host, sv->port,
             sv->db, sv->user);
    pgp_endpoint ep = {0};
    pgp_error e = {0};
    if (!pgp_endpoint_parse(&ep, "source", ci, &e))
        return;
    PGconn *c = pgp_connect(&ep, "migtop dashboard", 3, false, &e);
    pgp_endpoint_free(&ep);
    if (!c)
        return; /* a server the dashboard cannot reach says nothing here */
    pgp_orphans o;
    if (pgp_orphans_find(c, PGP_SIDE_SOURCE, host, NULL, 0, &o, &e)) {
        for (size_t i = 0; i < o.n && *n < MAX_FOUND; i++) {
            if (strcmp(o.v[i].kind, "replication slot"))
                continue;
            char wal[32] = "?";
            if (o.v[i].retained_bytes >= 0)
                fmt_bytes((uint64_t)o.v[i].retained_bytes, wal, sizeof wal);
            strbuf b = {0};
            strbuf_printf(&b, "slot %s of task %s (gone) retains %s of WAL on %s:%s/%s: migtop "
                          "orphans --drop", o.v[i].name, o.v[i].task, wal, sv->host, sv->port,
                          sv->db);
            lines[(*n)++] = b.s; /* taken */
        }
        pgp_orphans_free(&o);
    }
    PQfinish(c);
}

static void scan(orphan_scan *o)
{
    engine_server *sv;
    size_t n = engine_registry_list(o->state_dir, &sv);
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    char *lines[MAX_FOUND];
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(sv[i].role, "source"))
            scan_one(&sv[i], host, lines, &found);
    free(sv);
    pthread_mutex_lock(&o->mu);
    bool same = found == o->n_found;
    for (size_t i = 0; same && i < found; i++)
        same = !strcmp(lines[i], o->found[i]);
    for (size_t i = 0; i < o->n_found; i++)
        free(o->found[i]);
    memcpy(o->found, lines, found * sizeof *lines);
    o->n_found = found;
    pthread_mutex_unlock(&o->mu);
    if (!same && o->changed)
        o->changed(o->ctx);
}

static void *loop(void *arg)
{
    orphan_scan *o = arg;
    pthread_mutex_lock(&o->mu);
    int64_t wait_ms = 2000; /* the first look soon after the dashboard opens */
    while (!o->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&o->cv, &o->mu, &ts);
        if (o->quit)
            break;
        pthread_mutex_unlock(&o->mu);
        scan(o);
        pthread_mutex_lock(&o->mu);
        wait_ms = SCAN_EVERY_MS;
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

orphan_scan *orphan_scan_start(const char *state_dir, void (*changed)(void *ctx), void *ctx)
{
    orphan_scan *o = calloc(1, sizeof *o);
    if (!o)
        abort();
    o->changed = changed;
    o->ctx = ctx;
    snprintf(o->state_dir, sizeof o->state_dir, "%s", state_dir);
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    if (pthread_create(&o->th, NULL, loop, o) != 0) {
        pthread_mutex_destroy(&o->mu);
        pthread_cond_destroy(&o->cv);
        free(o);
        return NULL;
    }
    return o;
}

void orphan_scan_into(orphan_scan *o, mt_snapshot *s)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    for (size_t i = 0; i < o->n_found; i++)
        mt_snapshot_notice(s, o->found[i]);
    pthread_mutex_unlock(&o->mu);
}

void orphan_scan_stop(orphan_scan *o)
{
    if (!o)
        return;
    pthread_mutex_lock(&o->mu);
    o->quit = true;
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
    pthread_join(o->th, NULL);
    for (size_t i = 0; i < o->n_found; i++)
        free(o->found[i]);
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o);
}
