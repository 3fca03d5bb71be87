#include "engine/supervise.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/log.h"
#include "engine/spawn.h"
#include "engine/spec.h"
#include "engine/status.h"
#include "engine/taskdir.h"
#include "model/fmt.h"

#define CRASH_WINDOW_MS (10 * 60 * 1000)
#define CRASH_HOUR_MS (60 * 60 * 1000)
#define CRASH_HOUR_LIMIT 30
#define MAX_CRASHES 64
/* A turn's verdict: 0 keep supervising, ENDS(code) exit with code. */
#define ENDS(code) ((code) + 256)

typedef struct crash {
    int64_t at_ms;
    bool progressed;
} crash;

typedef struct supervisor {
    char state_dir[4096], name[256], dir[4200];
    engine_dir_id dir_id; /* the directory opened: one made again in its place is not ours */
    engine_log log;
    pid_t child;          /* the runner we started, 0: none */
    pid_t watched;        /* a runner another process started, 0: none */
    pid_t seen_pid;       /* the runner whose first heartbeat was read */
    double work_first;    /* its progress in that heartbeat (-1: none yet) */
    int64_t next_peek_ms;
    crash crashes[MAX_CRASHES];
    size_t n_crashes;
    int64_t next_start_ms;
    int limit;            /* crashes without progress in the window */
    char last_end[256];   /* how the last runner ended, for the reason */
} supervisor;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* What the supervisor needs of status.json. */
typedef struct status_view {
    char task_status[32];
    bool readable;
    double work;
    long pid;
} status_view;

static status_view read_status(const supervisor *sv)
{
    status_view v = {.work = -1};
    char path[4400], err[256];
    snprintf(path, sizeof path, "%s/%s", sv->dir, ENGINE_STATUS_FILE);
    char *text = engine_read_file(path, NULL, err, sizeof err);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!j)
        return v;
    v.readable = true;
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(j, "taskStatus");
    if (cJSON_IsString(ts))
        snprintf(v.task_status, sizeof v.task_status, "%s", ts->valuestring);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "runner");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(r, "progress");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "pid");
    if (cJSON_IsNumber(w))
        v.work = w->valuedouble;
    if (cJSON_IsNumber(p))
        v.pid = (long)p->valuedouble;
    cJSON_Delete(j);
    return v;
}

static bool task_gone(const supervisor *sv) { return engine_dir_replaced(sv->dir, &sv->dir_id); }

static bool terminating(const supervisor *sv)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", sv->dir, ENGINE_TERMINATE_FILE);
    return access(p, F_OK) == 0;
}

/* Crashes without progress in the last 10 minutes, and all in the hour. */
static void count_crashes(const supervisor *sv, int64_t now, int *window, int *hour)
{
    *window = *hour = 0;
    for (size_t i = 0; i < sv->n_crashes; i++) {
        int64_t age = now - sv->crashes[i].at_ms;
        if (age < CRASH_HOUR_MS)
            (*hour)++;
        if (age < CRASH_WINDOW_MS && !sv->crashes[i].progressed)
            (*window)++;
    }
}

/* Marks the task Failed with why, holding the runner's lock so no runner
 * writes the status meanwhile. */
static void mark_failed(supervisor *sv, const char *why)
{
    char err[512];
    pid_t holder = 0;
    int lock = engine_lock_task(sv->dir, &holder, err, sizeof err);
    if (lock < 0) {
        engine_logf(&sv->log, "WARN", "cannot mark the task Failed: %s", err);
        return;
    }
    engine_spec spec = {0};
    if (engine_spec_load(&spec, sv->dir, err, sizeof err)) {
        engine_status st;
        engine_status_init(&st, sv->dir, spec.enabled);
        engine_step s = ES_CDC;
        for (int i = 0; i < ES_N; i++)
            if (st.steps[i].state == SS_PENDING || st.steps[i].state == SS_RUNNING) {
                s = (engine_step)i;
                break;
            }
        engine_status_step(&st, s, SS_FAILED, why);
        engine_status_task(&st, "Failed");
        engine_status_free(&st);
    } else {
        engine_logf(&sv->log, "WARN", "cannot read the task's spec: %s", err);
    }
    engine_spec_free(&spec);
    close(lock);
}

/* How a child ended, for people: "exit 1", "killed by signal 9 (Killed)". */
static void describe_end(int st, char *out, size_t n)
{
    if (WIFEXITED(st))
        snprintf(out, n, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(out, n, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(out, n, "status %d", st);
}

/* A runner died before the task ended: noted, and the next start put off
 * as the crashes say. False when the limit is reached (task Failed). */
static bool crashed(supervisor *sv, const status_view *end)
{
    int64_t now = fmt_mono_ms();
    /* Progress: the dead runner's own heartbeats moved, first to last. */
    bool progressed = end->pid && end->pid == (long)sv->seen_pid && sv->work_first >= 0 &&
                      end->work > sv->work_first;
    if (sv->n_crashes == MAX_CRASHES) {
        memmove(sv->crashes, sv->crashes + 1, (MAX_CRASHES - 1) * sizeof *sv->crashes);
        sv->n_crashes--;
    }
    sv->crashes[sv->n_crashes++] = (crash){.at_ms = now, .progressed = progressed};
    int window, hour;
    count_crashes(sv, now, &window, &hour);
    if (window >= sv->limit || hour >= CRASH_HOUR_LIMIT) {
        char why[1024];
        snprintf(why, sizeof why, "the runner crashed %d times in %s%s (last: %.200s); see "
                 "%s and supervisor.log in the task's directory, then `migtop run %.100s` to "
                 "try again",
                 window >= sv->limit ? window : hour,
                 window >= sv->limit ? "10 minutes" : "an hour",
                 window >= sv->limit ? " without getting anywhere" : "", sv->last_end,
                 ENGINE_RUNNER_OUT, sv->name);
        engine_logf(&sv->log, "ERROR", "giving up: %s", why);
        mark_failed(sv, why);
        return false;
    }
    int64_t delay = progressed || window == 0 ? 500 : 1000LL << (window - 1 < 5 ? window - 1 : 5);
    if (delay > 30000)
        delay = 30000;
    sv->next_start_ms = now + delay;
    engine_logf(&sv->log, "WARN", "the runner died (%s)%s; starting it again in %.1f s",
                sv->last_end, progressed ? " while it was making progress" : "",
                (double)delay / 1000.0);
    return true;
}

/* The child we started ended: 0 keep supervising, else ENDS(exit code). */
static int child_ended(supervisor *sv, int st)
{
    sv->child = 0;
    describe_end(st, sv->last_end, sizeof sv->last_end);
    status_view v = read_status(sv);
    if (task_gone(sv))
        return ENDS(0); /* terminated: the directory went with it */
    if (WIFEXITED(st)) {
        int code = WEXITSTATUS(st);
        if (code == 0 && !terminating(sv)) {
            engine_logf(&sv->log, "INFO", "the task is %s", v.task_status);
            return ENDS(0);
        }
        if (code == 1 && !strcmp(v.task_status, "Failed") && !terminating(sv)) {
            engine_logf(&sv->log, "INFO", "the task failed; not starting it again");
            return ENDS(1);
        }
        if (code == 1 && terminating(sv)) { /* a terminate came as it failed */
            engine_logf(&sv->log, "INFO", "terminate requested: starting a runner to clean up");
            sv->next_start_ms = 0;
            return 0;
        }
        if (code == 3) /* another runner took it first: watched instead */
            return 0;
    }
    return crashed(sv, &v) ? 0 : ENDS(1);
}

static void start_runner(supervisor *sv)
{
    char err[600];
    sv->seen_pid = 0;
    sv->work_first = -1;
    sv->child = engine_spawn_child(sv->state_dir, sv->name, "run", "--supervised",
                                   ENGINE_RUNNER_OUT, err, sizeof err);
    if (sv->child < 0) {
        sv->child = 0;
        snprintf(sv->last_end, sizeof sv->last_end, "%.250s", err);
        engine_logf(&sv->log, "ERROR", "%s", err);
        sv->next_start_ms = fmt_mono_ms() + 5000;
        return;
    }
    engine_logf(&sv->log, "INFO", "runner started (pid %ld)", (long)sv->child);
}

/* A runner someone else started: watched through its lock; its death is
 * read off the status it left. 0 keep going, else ENDS(exit code). */
static int watch_other(supervisor *sv, pid_t holder)
{
    if (holder) {
        if (holder != sv->watched) {
            sv->watched = holder;
            sv->seen_pid = 0;
            sv->work_first = -1;
            engine_logf(&sv->log, "INFO", "watching runner pid %ld (not started here)",
                        (long)holder);
        }
        return 0;
    }
    if (!sv->watched)
        return 0;
    sv->watched = 0;
    if (task_gone(sv))
        return ENDS(0);
    status_view v = read_status(sv);
    if (!strcmp(v.task_status, "Done") && !terminating(sv))
        return ENDS(0);
    if (!strcmp(v.task_status, "Failed") && !terminating(sv))
        return ENDS(1);
    if (terminating(sv) && v.readable && !strcmp(v.task_status, "Failed"))
        return 0; /* the terminate is carried on by a runner of ours (turn) */
    snprintf(sv->last_end, sizeof sv->last_end, "pid %ld gone", v.pid);
    return crashed(sv, &v) ? 0 : ENDS(1);
}

/* The first heartbeat of a runner: its progress then (once a second). */
static void peek(supervisor *sv, pid_t runner)
{
    if (sv->seen_pid == runner || fmt_mono_ms() < sv->next_peek_ms)
        return;
    sv->next_peek_ms = fmt_mono_ms() + 1000;
    status_view v = read_status(sv);
    if (v.pid == (long)runner) {
        sv->seen_pid = runner;
        sv->work_first = v.work;
    }
}

/* One turn of the loop: 0 keep going, else ENDS(exit code). */
static int turn(supervisor *sv)
{
    if (task_gone(sv))
        return ENDS(0);
    if (sv->child) {
        int st;
        pid_t p = waitpid(sv->child, &st, WNOHANG);
        if (p == sv->child)
            return child_ended(sv, st);
        peek(sv, sv->child);
        return 0;
    }
    pid_t holder = engine_lock_holder(sv->dir);
    if (holder)
        peek(sv, holder);
    int rc = watch_other(sv, holder);
    if (rc || holder)
        return rc;
    status_view v = read_status(sv);
    if (v.readable && !terminating(sv) &&
        (!strcmp(v.task_status, "Done") || !strcmp(v.task_status, "Failed")))
        return ENDS(!strcmp(v.task_status, "Failed"));
    if (fmt_mono_ms() >= sv->next_start_ms)
        start_runner(sv);
    return 0;
}

static void stop_child(supervisor *sv)
{
    if (!sv->child)
        return;
    engine_logf(&sv->log, "INFO", "stopping: SIGTERM to runner pid %ld", (long)sv->child);
    kill(sv->child, SIGTERM);
    int st;
    while (waitpid(sv->child, &st, 0) < 0 && errno == EINTR)
        ;
    sv->child = 0;
}

static bool open_supervisor(supervisor *sv, const char *state_dir, const char *name,
                            int *lock, char *err, size_t errlen)
{
    if (!engine_state_dir(state_dir, sv->state_dir, sizeof sv->state_dir, err, errlen) ||
        !engine_task_dir(sv->state_dir, name, sv->dir, sizeof sv->dir, err, errlen))
        return false;
    snprintf(sv->name, sizeof sv->name, "%s", name);
    if (!engine_dir_id_of(sv->dir, &sv->dir_id)) {
        snprintf(err, errlen, "no local task \"%s\" in %s/tasks", name, sv->state_dir);
        return false;
    }
    pid_t holder = 0;
    *lock = engine_lock_named(sv->dir, ENGINE_SUPERVISOR_LOCK, &holder, err, errlen);
    if (*lock < 0)
        return false;
    if (!engine_log_open(&sv->log, sv->dir, "supervisor", false, err, errlen)) {
        close(*lock);
        return false;
    }
    const char *lim = getenv("MIGTOP_CRASH_LIMIT");
    sv->limit = lim && atoi(lim) > 0 ? atoi(lim) : 5;
    return true;
}

int engine_supervise(const char *state_dir, const char *name, char *err, size_t errlen)
{
    supervisor *sv = calloc(1, sizeof *sv);
    if (!sv)
        abort();
    int lock = -1;
    if (!open_supervisor(sv, state_dir, name, &lock, err, errlen)) {
        int rc = lock < 0 && strstr(err, "already supervised") ? 3 : 2;
        free(sv);
        return rc;
    }
    engine_catch_stop_signals(on_signal);
    engine_logf(&sv->log, "INFO", "supervisor started (pid %ld)", (long)getpid());
    int rc = 0;
    while (!g_stop && !(rc = turn(sv))) {
        fmt_sleep_ms(200);
    }
    if (g_stop) {
        stop_child(sv);
        rc = ENDS(0);
    }
    if (!task_gone(sv))
        engine_logf(&sv->log, "INFO", "supervisor exits (%s)", g_stop ? "asked to stop"
                                                                     : "the task ended");
    engine_log_close(&sv->log);
    close(lock);
    free(sv);
    return rc - ENDS(0);
}

void engine_supervisor_ensure(const char *state_dir, const char *name, const char *task_dir)
{
    if (engine_lock_holder_named(task_dir, ENGINE_SUPERVISOR_LOCK))
        return;
    char err[600];
    if (!engine_spawn_detached(state_dir, name, "supervise", NULL, ENGINE_SUPERVISOR_OUT, err,
                               sizeof err))
        fprintf(stderr, "migtop run: cannot start a supervisor: %s\n", err);
}
