#include "tui/logs_fetch.h"

#include "model/fmt.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct log_fetch {
    pthread_mutex_t mu;
    int refs;
    bool stop, done;
    char **lines;
    size_t n, cap, dropped;
    char error[512];
    int64_t data_ms; /* wall clock of the newest line, or of the end */
    int wake[2];
    mt_backend *backend;
    char *ns, *task;
    mt_logs_opts opts;
    char step[32];
};

static void fetch_free(log_fetch *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->lines[i]);
    free(f->lines);
    free(f->ns);
    free(f->task);
    close(f->wake[0]);
    close(f->wake[1]);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void unref(log_fetch *f)
{
    pthread_mutex_lock(&f->mu);
    bool last = --f->refs == 0;
    pthread_mutex_unlock(&f->mu);
    if (last)
        fetch_free(f);
}

static void poke(log_fetch *f)
{
    char b = 1;
    ssize_t r = write(f->wake[1], &b, 1);
    (void)r;
}

static bool on_line(void *ctx, const char *line, size_t len)
{
    log_fetch *f = ctx;
    char *copy = malloc(len + 1);
    if (!copy)
        abort();
    memcpy(copy, line, len);
    copy[len] = '\0';
    pthread_mutex_lock(&f->mu);
    f->data_ms = fmt_now_ms();
    if (f->n == LOGS_MAX_LINES) {
        /* Let the oldest half go at once: amortised, and the view says so. */
        size_t half = f->n / 2;
        for (size_t i = 0; i < half; i++)
            free(f->lines[i]);
        memmove(f->lines, f->lines + half, (f->n - half) * sizeof *f->lines);
        f->n -= half;
        f->dropped += half;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        char **nl = realloc(f->lines, f->cap * sizeof *nl);
        if (!nl)
            abort();
        f->lines = nl;
    }
    f->lines[f->n++] = copy;
    bool stop = f->stop;
    pthread_mutex_unlock(&f->mu);
    poke(f);
    return !stop;
}

/* Leaving the view (or a backend switch) sets stop; a quiet followed
 * stream notices within about a second and the thread lets go. */
static bool fetch_keep_going(void *ctx)
{
    log_fetch *f = ctx;
    pthread_mutex_lock(&f->mu);
    bool go = !f->stop;
    pthread_mutex_unlock(&f->mu);
    return go;
}

static void *run(void *arg)
{
    log_fetch *f = arg;
    char err[512] = "";
    bool ok = f->backend->ops->logs(f->backend, f->ns, f->task, &f->opts, on_line, f, err,
                                    sizeof err);
    pthread_mutex_lock(&f->mu);
    f->done = true;
    if (ok)
        f->data_ms = fmt_now_ms();
    if (!ok && !f->stop)
        snprintf(f->error, sizeof f->error, "%s", err[0] ? err : "the log stream failed");
    pthread_mutex_unlock(&f->mu);
    poke(f);
    unref(f);
    return NULL;
}

log_fetch *logs_fetch_start(mt_backend *b, const char *ns, const char *task,
                            const mt_logs_opts *o)
{
    log_fetch *f = calloc(1, sizeof *f);
    if (!f || pipe(f->wake) != 0)
        abort();
    for (int i = 0; i < 2; i++) {
        fcntl(f->wake[i], F_SETFL, fcntl(f->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(f->wake[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&f->mu, NULL);
    f->refs = 2; /* the UI and the thread */
    f->backend = b;
    f->ns = strdup(ns ? ns : "");
    f->task = strdup(task);
    f->opts = *o;
    snprintf(f->step, sizeof f->step, "%s", o->step);
    f->opts.step = f->step;
    f->opts.keep_going = fetch_keep_going;
    pthread_t t;
    if (!b || !b->ops->logs) {
        snprintf(f->error, sizeof f->error,
                 "logs need a backend (Kubernetes or local); a saved snapshot has none");
        f->done = true;
        f->refs = 1;
        poke(f);
        return f;
    }
    if (pthread_create(&t, NULL, run, f) != 0) {
        snprintf(f->error, sizeof f->error, "cannot start the log fetch thread");
        f->done = true;
        f->refs = 1;
        return f;
    }
    pthread_detach(t);
    return f;
}

void logs_fetch_release(log_fetch *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_mutex_unlock(&f->mu);
    unref(f);
}

int logs_fetch_fd(const log_fetch *f) { return f->wake[0]; }

void logs_fetch_drain(log_fetch *f)
{
    char buf[256];
    while (read(f->wake[0], buf, sizeof buf) > 0)
        ;
}

void logs_fetch_lock(log_fetch *f, log_view *v)
{
    pthread_mutex_lock(&f->mu);
    v->lines = f->lines;
    v->n = f->n;
    v->dropped = f->dropped;
    v->done = f->done;
    v->data_ms = f->data_ms;
    v->error = f->error[0] ? f->error : NULL;
}

void logs_fetch_unlock(log_fetch *f) { pthread_mutex_unlock(&f->mu); }
