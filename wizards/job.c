#include "wizards/job.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct wiz_job {
    pthread_mutex_t mu;
    int refs;
    volatile bool cancel;
    bool done;
    int wake[2];
    wiz_job_fn fn;
    void *arg;
    void (*arg_free)(void *);
    char progress[512];
};

static void job_free(wiz_job *j)
{
    if (j->arg_free)
        j->arg_free(j->arg);
    close(j->wake[0]);
    close(j->wake[1]);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static void unref(wiz_job *j)
{
    pthread_mutex_lock(&j->mu);
    bool last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (last)
        job_free(j);
}

static void poke(wiz_job *j)
{
    char b = 1;
    ssize_t r = write(j->wake[1], &b, 1);
    (void)r;
}

static void *run(void *p)
{
    wiz_job *j = p;
    j->fn(j, j->arg);
    pthread_mutex_lock(&j->mu);
    j->done = true;
    pthread_mutex_unlock(&j->mu);
    poke(j);
    unref(j);
    return NULL;
}

wiz_job *wiz_job_start(wiz_job_fn fn, void *arg, void (*arg_free)(void *))
{
    wiz_job *j = calloc(1, sizeof *j);
    if (!j || pipe(j->wake) != 0)
        abort();
    for (int i = 0; i < 2; i++) {
        fcntl(j->wake[i], F_SETFL, fcntl(j->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(j->wake[i], F_SETFD, FD_CLOEXEC);
    }
    pthread_mutex_init(&j->mu, NULL);
    j->refs = 2; /* the UI and the thread */
    j->fn = fn;
    j->arg = arg;
    j->arg_free = arg_free;
    pthread_t t;
    if (pthread_create(&t, NULL, run, j) != 0) {
        job_free(j);
        return NULL;
    }
    pthread_detach(t);
    return j;
}

void wiz_job_release(wiz_job *j)
{
    if (!j)
        return;
    j->cancel = true;
    unref(j);
}

int wiz_job_fd(const wiz_job *j) { return j ? j->wake[0] : -1; }

bool wiz_job_done(wiz_job *j)
{
    pthread_mutex_lock(&j->mu);
    bool d = j->done;
    pthread_mutex_unlock(&j->mu);
    return d;
}

bool wiz_job_poll(wiz_job *j)
{
    char buf[64];
    while (read(j->wake[0], buf, sizeof buf) > 0)
        ;
    return wiz_job_done(j);
}

void *wiz_job_arg(wiz_job *j) { return j->arg; }

void wiz_job_progress_get(wiz_job *j, char *buf, size_t n)
{
    pthread_mutex_lock(&j->mu);
    snprintf(buf, n, "%s", j->progress);
    pthread_mutex_unlock(&j->mu);
}

bool wiz_job_cancelled(wiz_job *j) { return j->cancel; }

const volatile bool *wiz_job_cancel_flag(wiz_job *j) { return &j->cancel; }

void wiz_job_progress(wiz_job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&j->mu);
    vsnprintf(j->progress, sizeof j->progress, fmt, ap);
    pthread_mutex_unlock(&j->mu);
    va_end(ap);
    poke(j);
}
