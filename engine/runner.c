#include "engine/runner.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/taskdir.h"

#include "engine/cdc.h"
#include "engine/steps.h"

static engine_runner *g_runner; /* for the signal handler only */

static void on_signal(int sig)
{
    (void)sig;
    if (g_runner) {
        atomic_store(&g_runner->stop, true);
        atomic_fetch_add(&g_runner->signals, 1);
    }
}

static bool terminate_requested(const engine_runner *r)
{
    char p[4300];
    snprintf(p, sizeof p, "%s/%s", r->dir, ENGINE_TERMINATE_FILE);
    return access(p, F_OK) == 0;
}

/* Writes the status every second (progress, throughput, ETA) and notices
 * a terminate request made while no signal could reach us. */
typedef struct ticker {
    engine_runner *r;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool quit;
} ticker;

static void *tick(void *arg)
{
    ticker *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&t->cv, &t->mu, &ts);
        if (t->quit)
            break;
        pthread_mutex_unlock(&t->mu);
        char err[512];
        if (!engine_status_write(&t->r->status, err, sizeof err))
            fprintf(stderr, "migtop run: %s\n", err);
        if (terminate_requested(t->r))
            atomic_store(&t->r->stop, true);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static const char *step_log_name(engine_step s)
{
    return s == ES_POST_DATA ? "init-struct" : engine_step_name(s);
}

static bool run_step(engine_runner *r, engine_step s, char *err, size_t errlen)
{
    static bool (*const fns[])(engine_runner *, char *, size_t) = {
        engine_step_precheck, engine_step_init_struct, engine_step_init_data,
        engine_step_post_data};
    engine_log *log = &r->log[s == ES_POST_DATA ? ES_INIT_STRUCT : s];
    engine_status_step(&r->status, s, SS_RUNNING, NULL);
    engine_logf(log, "INFO", "step %s started", engine_step_name(s));
    int64_t t0 = fmt_mono_ms();
    bool ok = fns[s](r, err, errlen);
    if (ok) {
        engine_status_step(&r->status, s, SS_COMPLETE, NULL);
        engine_logf(log, "INFO", "step %s complete in %lld ms", engine_step_name(s),
                    (long long)(fmt_mono_ms() - t0));
    } else if (engine_runner_stopping(r)) {
        /* Interrupted, not failed: a later run starts the step again. */
        engine_status_step(&r->status, s, SS_PENDING, "interrupted; runs again on restart");
        engine_logf(log, "WARN", "step %s interrupted: %s", engine_step_name(s), err);
    } else {
        engine_status_step(&r->status, s, SS_FAILED, err);
        engine_logf(log, "ERROR", "step %s failed: %s", engine_step_name(s), err);
    }
    return ok;
}

/* s seconds, or 100 ms when s is 0. */
static void sleep_s(engine_runner *r, int s)
{
    (void)r;
    for (int i = 0; i < (s ? s * 10 : 1); i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Gives up on terminating (the task stays Terminating, and the next
 * runner carries on) when signalled again, or when the task directory
 * was removed under it. */
static bool terminate_abandoned(engine_runner *r, int signals_at_start)
{
    return atomic_load(&r->signals) > signals_at_start || access(r->dir, F_OK) != 0;
}

/* Drops the source's slot and publication (and CDC's origin on the sink),
 * retrying with backoff until they are gone (the caller then removes the
 * task). Returns 0 once they are gone, 1 if abandoned. */
static int terminate_task(engine_runner *r)
{
    engine_log *log = &r->log[ES_CDC];
    char err[1200], reason[1400];
    int signals_at_start = atomic_load(&r->signals);
    engine_status_terminating(&r->status, "dropping the replication slot and the publication");
    engine_logf(log, "INFO", "terminating: dropping slot %s and publication %s", r->slot,
                r->publication);
    int wait = 1;
    for (int attempt = 1;; attempt++) {
        bool ok = engine_drop_source_objects(r, err, sizeof err);
        if (ok)
            ok = engine_cdc_drop(r, err, sizeof err);
        if (ok)
            break;
        snprintf(reason, sizeof reason, "%s (attempt %d, next in %ds)", err, attempt, wait);
        engine_status_terminating(&r->status, reason);
        engine_logf(log, "WARN", "terminate: %s", reason);
        for (int i = 0; i < wait * 10 && !terminate_abandoned(r, signals_at_start); i++)
            sleep_s(r, 0);
        if (terminate_abandoned(r, signals_at_start)) {
            engine_logf(log, "WARN", "terminate interrupted; a later run carries on");
            return 1;
        }
        wait = wait * 2 > 5 ? 5 : wait * 2;
    }
    engine_logf(log, "INFO", "terminated: slot and publication dropped; removing the task");
    return 0;
}

static void finish_cdc(engine_runner *r)
{
    char err[1200];
    engine_status_task(&r->status, "Running");
    engine_status_step(&r->status, ES_CDC, SS_RUNNING, NULL);
    engine_logf(&r->log[ES_CDC], "INFO", "CDC starting from slot %s (consistent point %s)",
                r->slot, r->status.consistent_point);
    if (engine_cdc_run(r, err, sizeof err))
        engine_status_step(&r->status, ES_CDC, SS_COMPLETE, NULL);
    else if (engine_runner_stopping(r))
        engine_status_step(&r->status, ES_CDC, SS_PENDING, "stopped; resumes on restart");
    else
        engine_status_step(&r->status, ES_CDC, SS_FAILED, err);
}

static int run_steps(engine_runner *r, char *err, size_t errlen)
{
    static const engine_step order[] = {ES_PRECHECK, ES_INIT_STRUCT, ES_INIT_DATA, ES_POST_DATA};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        engine_step s = order[i];
        engine_step_state st = r->status.steps[s].state;
        if (st == SS_SKIPPED || st == SS_COMPLETE)
            continue;
        engine_status_task(&r->status, s == ES_PRECHECK ? "Prepare" : "Init");
        if (!run_step(r, s, err, errlen))
            return 1;
        if (s == ES_PRECHECK)
            engine_status_task(&r->status, "InitPrepared");
        if (r->opts.until == s)
            return 0;
        if (engine_runner_stopping(r))
            return 1;
    }
    if (!r->spec.cdc) {
        engine_status_task(&r->status, "Done");
        return 0;
    }
    engine_status_task(&r->status, "InitFinished");
    if (r->opts.until < ES_CDC)
        return 0;
    finish_cdc(r);
    return r->status.steps[ES_CDC].state == SS_FAILED;
}

static bool open_logs(engine_runner *r, char *err, size_t errlen)
{
    for (int s = 0; s < ES_N; s++) {
        if (s == ES_POST_DATA)
            continue;
        if (!engine_log_open(&r->log[s], r->dir, step_log_name((engine_step)s), r->opts.echo, err,
                             errlen))
            return false;
    }
    r->log[ES_POST_DATA] = r->log[ES_INIT_STRUCT];
    return true;
}

/* The task's directory locked, its spec, status and logs open, the slot's
 * and publication's names set. Returns 0, or the exit code (3: another
 * runner holds the lock) with err; *lock is the lock's fd when taken. */
static int open_task(engine_runner *r, int *lock, char *err, size_t errlen)
{
    const engine_run_opts *o = &r->opts;
    if (!engine_state_dir(o->state_dir, r->state_dir, sizeof r->state_dir, err, errlen) ||
        !engine_task_dir(r->state_dir, o->name, r->dir, sizeof r->dir, err, errlen))
        return 2;
    char spec_path[4400];
    snprintf(spec_path, sizeof spec_path, "%s/%s", r->dir, ENGINE_SPEC_FILE);
    if (access(spec_path, F_OK) != 0) {
        snprintf(err, errlen, "no local task \"%s\" in %s/tasks", o->name, r->state_dir);
        return 2;
    }
    pid_t holder = 0;
    *lock = engine_lock_task(r->dir, &holder, err, errlen);
    if (*lock < 0)
        return 3;
    if (!engine_spec_load(&r->spec, r->dir, err, errlen))
        return 2;
    engine_status_init(&r->status, r->dir, r->spec.enabled);
    r->status_open = true;
    if (!open_logs(r, err, errlen))
        return 2;
    r->jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (r->jobs < 1)
        r->jobs = 1;
    arena a;
    arena_init(&a);
    snprintf(r->slot, sizeof r->slot, "%s", mt_slot_name(&a, o->name));
    snprintf(r->publication, sizeof r->publication, "%s", mt_publication_name(&a, o->name));
    arena_free(&a);
    snprintf(r->status.slot, sizeof r->status.slot, "%s", r->spec.cdc ? r->slot : "");
    snprintf(r->status.publication, sizeof r->status.publication, "%s",
             r->spec.cdc ? r->publication : "");
    return 0;
}

static void catch_signals(engine_runner *r)
{
    g_runner = r;
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

static void ticker_start(ticker *t, engine_runner *r)
{
    *t = (ticker){.r = r};
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    pthread_create(&t->th, NULL, tick, t);
}

static void ticker_stop(ticker *t)
{
    pthread_mutex_lock(&t->mu);
    t->quit = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
}

/* The steps, or the terminate asked for before or during them; *removed
 * when the task is gone and its directory may go. */
static int run_or_terminate(engine_runner *r, bool *terminate, bool *removed, char *err,
                            size_t errlen)
{
    int rc = 0;
    *removed = false;
    *terminate = terminate_requested(r);
    if (!*terminate) {
        rc = run_steps(r, err, errlen);
        *terminate = terminate_requested(r);
    }
    if (*terminate) {
        atomic_store(&r->stop, true);
        rc = terminate_task(r);
        *removed = rc == 0;
        if (rc)
            snprintf(err, errlen, "terminate interrupted; the task stays Terminating");
    }
    return rc;
}

int engine_run(const engine_run_opts *o, char *err, size_t errlen)
{
    engine_runner *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->opts = *o;
    int lock = -1;
    /* Everything the runner and its pg_dump write (the schema dump, the
     * lists) is the task's: owner only. */
    umask(077);
    int rc = open_task(r, &lock, err, errlen);
    if (rc == 0) {
        catch_signals(r);
        ticker t;
        ticker_start(&t, r);
        bool terminate, removed;
        rc = run_or_terminate(r, &terminate, &removed, err, errlen);
        ticker_stop(&t);
        if (!terminate)
            engine_status_write(&r->status, err, errlen);
        g_runner = NULL;
        for (int s = 0; s < ES_N; s++)
            if (s != ES_POST_DATA)
                engine_log_close(&r->log[s]);
        if (removed) {
            char e2[512];
            if (!engine_remove_tree(r->dir, e2, sizeof e2)) {
                snprintf(err, errlen, "%s", e2);
                rc = 1;
            }
        } else if (rc == 1 && !*err) {
            snprintf(err, errlen, "the task stopped before it finished");
        }
    }
    if (r->status_open)
        engine_status_free(&r->status);
    if (lock >= 0)
        close(lock);
    engine_spec_free(&r->spec);
    engine_tables_free(r->tables, r->n_tables);
    free(r);
    return rc;
}
