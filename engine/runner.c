#include "engine/runner.h"
#include "engine/spawn.h"

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
#include "engine/cdc_origin.h"
#include "engine/early_index.h"
#include "engine/pg.h"
#include "engine/steps.h"
#include "engine/supervise.h"
#include "model/fmt.h"

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
    unsigned ticks;
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
        if (engine_dir_replaced(t->r->dir, &t->r->dir_id)) {
            if (!atomic_exchange(&t->r->orphaned, true))
                fprintf(stderr, "migtop run: the task directory %s was removed; stopping\n",
                        t->r->dir);
            atomic_store(&t->r->stop, true);
            pthread_mutex_lock(&t->mu);
            continue;
        }
        char err[512];
        if (!engine_status_write(&t->r->status, err, sizeof err))
            fprintf(stderr, "migtop run: %s\n", err);
        if (terminate_requested(t->r))
            atomic_store(&t->r->stop, true);
        /* Its supervisor gone (killed with it, say): a new one, so this
         * runner's death is noticed too. Every 5 s at most. */
        if (t->r->opts.supervised && ++t->ticks % 5 == 0)
            engine_supervisor_ensure(t->r->state_dir, t->r->opts.name, t->r->dir);
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
    fmt_sleep_ms(s ? s * 1000 : 100);
}

/* Gives up on terminating (the task stays Terminating, and the next
 * runner carries on) when signalled again, or when the task directory
 * was removed under it. */
static bool terminate_abandoned(engine_runner *r, int signals_at_start)
{
    return atomic_load(&r->signals) > signals_at_start || engine_dir_replaced(r->dir, &r->dir_id);
}

/* Whether this task may have left something on the source (its slot and
 * publication, made when init-data starts) or the sink (CDC's origin). A
 * side it never got to has nothing to drop, so one that cannot be reached
 * (a typo in its port, a server gone for good) does not keep the task
 * Terminating forever. A lost status knows nothing: assume it did. */
static bool touched(const engine_runner *r, bool sink)
{
    const engine_status *st = &r->status;
    if (st->lost)
        return true;
    engine_step s = sink ? ES_CDC : ES_INIT_DATA;
    if (!r->spec.cdc)
        return false;
    return st->started_before[s] || st->steps[s].state != SS_PENDING || st->steps[s].start ||
           (sink ? st->cdc_start != 0 : st->consistent_point[0] != '\0');
}

/* One side's cleanup; true once done, or once known to be needless. */
static bool clean_side(engine_runner *r, bool sink, char *err, size_t errlen)
{
    bool ok = sink ? engine_cdc_drop(r, err, errlen) : engine_drop_source_objects(r, err, errlen);
    if (ok || touched(r, sink))
        return ok;
    engine_logf(&r->log[ES_CDC], "WARN", "terminate: the %s was never reached by this task, so "
                "nothing of it is there; not checked (%s)", sink ? "sink" : "source", err);
    return true;
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
    bool src_done = false, sink_done = false;
    for (int attempt = 1;; attempt++) {
        err[0] = '\0';
        if (!src_done)
            src_done = clean_side(r, false, err, sizeof err);
        if (src_done && !sink_done)
            sink_done = clean_side(r, true, err, sizeof err);
        if (src_done && sink_done)
            break;
        snprintf(reason, sizeof reason, "%s (attempt %d, next in %ds; `migtop terminate %s "
                 "--force` forgets the task and prints what to drop by hand)", err, attempt, wait,
                 r->opts.name);
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

/* Whether a row comes back, on a connection opened for it. -1: the server
 * could not be asked. */
static int exists_on(engine_runner *r, const engine_endpoint *e, const char *sql,
                     const char *param)
{
    char err[600];
    PGconn *c = engine_connect(&r->spec, e, false, "migtop run", err, sizeof err);
    if (!c)
        return -1;
    const char *p[1] = {param};
    PGresult *res = pg_query(c, sql, 1, p, err, sizeof err);
    int n = res ? PQntuples(res) > 0 : -1;
    PQclear(res);
    PQfinish(c);
    return n;
}

/* status.json and its last good copy are both damaged: where the task
 * was is read off the servers. Its replication origin on the sink exists
 * only once CDC has started, so the initialization is done and CDC
 * resumes from the origin; its slot alone means init-data was under way
 * (the precheck had passed: it would now fail on the task's own slot),
 * so init-data starts again. */
static void recover_lost_status(engine_runner *r)
{
    engine_log *log = &r->log[ES_CDC];
    char origin[200];
    cdc_origin_name(r->slot, origin, sizeof origin);
    int has_origin = r->spec.cdc ? exists_on(r, &r->spec.sink,
        "SELECT 1 FROM pg_replication_origin WHERE roname = $1", origin) : 0;
    int has_slot = r->spec.cdc ? exists_on(r, &r->spec.src,
        "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", r->slot) : 0;
    engine_step done_upto = has_origin == 1 ? ES_POST_DATA : has_slot == 1 ? ES_PRECHECK : ES_N;
    for (int s = 0; done_upto != ES_N && s <= (int)done_upto; s++)
        if (r->status.steps[s].state != SS_SKIPPED)
            engine_status_step(&r->status, (engine_step)s, SS_COMPLETE, NULL);
    engine_logf(log, "WARN", "status.json and %s are unreadable: %s", ENGINE_STATUS_PREV,
                has_origin == 1 ? "the replication origin is on the sink, so CDC resumes from it"
                : has_slot == 1 ? "the task's slot is on the source, so init-data starts again"
                : has_origin < 0 || has_slot < 0 ? "the servers cannot be asked; starting over"
                                                 : "nothing of the task on the servers; "
                                                   "starting over");
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
    if (!engine_dir_id_of(r->dir, &r->dir_id)) {
        snprintf(err, errlen, "%s: %s", r->dir, strerror(errno));
        return 2;
    }
    if (!engine_spec_load(&r->spec, r->dir, err, errlen))
        return 2;
    engine_status_init(&r->status, r->dir, r->spec.enabled);
    r->status.dir_id = r->dir_id;
    r->status.has_dir_id = true;
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
    if (r->status.lost)
        recover_lost_status(r);
    return 0;
}

static void catch_signals(engine_runner *r)
{
    g_runner = r;
    engine_catch_stop_signals(on_signal);
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
        /* Index builds begun by init-data whose post-data did not run (a
         * stop in between): joined, their thread never outlives the run. */
        char e2[1024];
        early_index_finish(r->early, e2, sizeof e2);
        r->early = NULL;
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
        if (atomic_load(&r->orphaned)) {
            /* Nothing to write to, and nothing to drop: whoever removed
             * the directory took the task's cleanup on. */
            snprintf(err, errlen, "the task directory %s was removed under the runner; stopped "
                     "(nothing dropped)", r->dir);
            rc = 1;
            removed = false;
        } else if (!terminate)
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
