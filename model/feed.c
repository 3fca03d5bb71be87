#include "model/feed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mt_feed {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, stop;
    int wake[2];
    mt_snapshot *pending;
    mt_hist **histories; /* offered, not taken yet */
    size_t n_histories;
    mt_feed_health health;
    char focus_ns[256], focus_name[256];
    uint64_t focus_gen, pokes, asked;
    mt_feed_run_fn run;
    void *backend;
    void (*backend_free)(void *);
};

/* Tell the UI there is news. The pipe is non-blocking: when it is full the
 * UI has news pending already, so a lost byte loses nothing. */
static void notify(mt_feed *f)
{
    char b = 1;
    ssize_t r = write(f->wake[1], &b, 1);
    (void)r;
}

mt_feed *mt_feed_new(const char *label, mt_feed_run_fn run, void *backend,
                     void (*backend_free)(void *))
{
    mt_feed *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cv, &ca);
    pthread_condattr_destroy(&ca);
    f->wake[0] = f->wake[1] = -1;
    if (pipe(f->wake) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(f->wake[i], F_SETFL, fcntl(f->wake[i], F_GETFL) | O_NONBLOCK);
            fcntl(f->wake[i], F_SETFD, FD_CLOEXEC);
        }
    }
    snprintf(f->health.label, sizeof f->health.label, "%s", label ? label : "");
    f->run = run;
    f->backend = backend;
    f->backend_free = backend_free;
    return f;
}

static void *thread_main(void *arg)
{
    mt_feed *f = arg;
    f->run(f, f->backend);
    return NULL;
}

bool mt_feed_start(mt_feed *f, char *err, size_t errlen)
{
    if (f->started) /* some backends start their feed themselves */
        return true;
    if (f->wake[0] < 0) {
        snprintf(err, errlen, "cannot create the feed's wake-up pipe: %s", strerror(errno));
        return false;
    }
    int rc = pthread_create(&f->thread, NULL, thread_main, f);
    if (rc) {
        snprintf(err, errlen, "cannot start the feed thread: %s", strerror(rc));
        return false;
    }
    f->started = true;
    return true;
}

void mt_feed_free(mt_feed *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (f->started)
        pthread_join(f->thread, NULL);
    if (f->backend_free)
        f->backend_free(f->backend);
    mt_snapshot_free(f->pending);
    for (size_t i = 0; i < f->n_histories; i++)
        mt_hist_release(f->histories[i]);
    free(f->histories);
    for (int i = 0; i < 2; i++)
        if (f->wake[i] >= 0)
            close(f->wake[i]);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

void mt_feed_publish(mt_feed *f, mt_snapshot *s)
{
    pthread_mutex_lock(&f->mu);
    mt_snapshot *old = f->pending;
    f->pending = s;
    f->health.last_ok_ms = s->taken_ms;
    f->health.failing_since_ms = 0;
    f->health.error[0] = '\0';
    f->health.published++;
    pthread_mutex_unlock(&f->mu);
    mt_snapshot_free(old); /* outside the lock: freeing can take a while */
    notify(f);
}

void mt_feed_offer_history(mt_feed *f, mt_hist *one)
{
    pthread_mutex_lock(&f->mu);
    f->histories = realloc(f->histories, (f->n_histories + 1) * sizeof *f->histories);
    if (!f->histories)
        abort();
    f->histories[f->n_histories++] = one;
    pthread_mutex_unlock(&f->mu);
    notify(f);
}

mt_hist **mt_feed_take_histories(mt_feed *f, size_t *n)
{
    pthread_mutex_lock(&f->mu);
    mt_hist **v = f->histories;
    *n = f->n_histories;
    f->histories = NULL;
    f->n_histories = 0;
    pthread_mutex_unlock(&f->mu);
    return v;
}

void mt_feed_error(mt_feed *f, const char *fmt, ...)
{
    char msg[sizeof f->health.error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&f->mu);
    bool changed = strcmp(msg, f->health.error) != 0 || !f->health.failing_since_ms;
    if (!f->health.failing_since_ms)
        f->health.failing_since_ms = fmt_now_ms();
    memcpy(f->health.error, msg, sizeof msg);
    pthread_mutex_unlock(&f->mu);
    if (changed)
        notify(f);
}

bool mt_feed_stopping(mt_feed *f)
{
    pthread_mutex_lock(&f->mu);
    bool s = f->stop;
    pthread_mutex_unlock(&f->mu);
    return s;
}

bool mt_feed_wait(mt_feed *f, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&f->mu);
    uint64_t focus = f->focus_gen, pokes = f->pokes;
    while (!f->stop && focus == f->focus_gen && pokes == f->pokes) {
        if (pthread_cond_timedwait(&f->cv, &f->mu, &until) == ETIMEDOUT)
            break;
    }
    bool go_on = !f->stop;
    pthread_mutex_unlock(&f->mu);
    return go_on;
}

uint64_t mt_feed_focus(mt_feed *f, char *ns, size_t nslen, char *name, size_t namelen)
{
    pthread_mutex_lock(&f->mu);
    snprintf(ns, nslen, "%s", f->focus_ns);
    snprintf(name, namelen, "%s", f->focus_name);
    uint64_t g = f->focus_gen;
    pthread_mutex_unlock(&f->mu);
    return g;
}

int mt_feed_fd(const mt_feed *f) { return f->wake[0]; }

mt_snapshot *mt_feed_take(mt_feed *f, mt_feed_health *h)
{
    char buf[64];
    while (read(f->wake[0], buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&f->mu);
    mt_snapshot *s = f->pending;
    f->pending = NULL;
    if (h)
        *h = f->health;
    pthread_mutex_unlock(&f->mu);
    return s;
}

void mt_feed_set_focus(mt_feed *f, const char *ns, const char *name)
{
    pthread_mutex_lock(&f->mu);
    if (strcmp(f->focus_ns, ns ? ns : "") || strcmp(f->focus_name, name ? name : "")) {
        snprintf(f->focus_ns, sizeof f->focus_ns, "%s", ns ? ns : "");
        snprintf(f->focus_name, sizeof f->focus_name, "%s", name ? name : "");
        f->focus_gen++;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
}

void mt_feed_poke(mt_feed *f)
{
    pthread_mutex_lock(&f->mu);
    f->pokes++;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void mt_feed_ask_refresh(mt_feed *f)
{
    pthread_mutex_lock(&f->mu);
    f->asked++;
    f->pokes++;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

uint64_t mt_feed_asked(mt_feed *f)
{
    pthread_mutex_lock(&f->mu);
    uint64_t n = f->asked;
    pthread_mutex_unlock(&f->mu);
    return n;
}
