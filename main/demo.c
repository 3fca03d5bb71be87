/* `migtop demo`: two throwaway PostgreSQL servers, sample data, a local
 * task between them under a light write load, and the dashboard on it.
 * Quitting stops everything it started and removes it unless --keep. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/backend_local.h"
#include "engine/demo.h"
#include "model/describe.h"
#include "cli/help.h"
#include "model/flags.h"
#include "main/demo.h"
#include "tui/dashboard.h"
#include "model/fmt.h"

#define DEMO_TASK "demo"

static atomic_bool demo_interrupted;

static void demo_on_signal(int sig)
{
    (void)sig;
    atomic_store(&demo_interrupted, true);
}

static void demo_say(const char *line)
{
    fprintf(stderr, "migtop demo: %s\n", line);
}

/* The status line --no-dashboard prints; true once initialization ended. */
static bool print_status(mt_backend *b)
{
    char err[512];
    mt_snapshot *s = b->ops->fetch(b, NULL, DEMO_TASK, err, sizeof err);
    const mt_task *t = s ? mt_snapshot_task(s, "", DEMO_TASK) : NULL;
    bool done = false;
    if (t) {
        const char *progress = "", *step = "";
        for (size_t i = 0; i < t->init.n_metrics; i++) {
            if (!strcmp(t->init.metrics[i].key, "progress"))
                progress = t->init.metrics[i].value;
            if (!strcmp(t->init.metrics[i].key, "step"))
                step = t->init.metrics[i].value;
        }
        const char *st = mt_task_display_status(t);
        printf("task %s: %s %s %s%s%s\n", DEMO_TASK, st, step, progress,
               t->init.failed_reason ? " failed: " : "",
               t->init.failed_reason ? t->init.failed_reason : "");
        fflush(stdout);
        done = !strcmp(st, "InitFinished") || !strcmp(st, "Running") || !strcmp(st, "Done") ||
               !strcmp(st, "Failed");
    } else {
        printf("task %s: %s\n", DEMO_TASK, s ? "not there yet" : err);
    }
    if (s)
        mt_snapshot_free(s);
    return done;
}

static void terminate_and_wait(mt_backend *b, const char *state_dir)
{
    char err[512], dir[4300];
    if (!b->ops->terminate(b, NULL, DEMO_TASK, err, sizeof err))
        return;
    snprintf(dir, sizeof dir, "%s/tasks/%s", state_dir, DEMO_TASK);
    for (int i = 0; i < 150 && access(dir, F_OK) == 0; i++)
        fmt_sleep_ms(100);
}

/* About 320 MB of pgbench rows, made in a few seconds, copied in about 20
 * at the demo's rate. */
#define DEMO_SCALE 25
#define DEMO_COPY_RATE "16MB"

typedef struct demo_opts {
    bool keep, dashboard;
    int scale;
    const char *state_dir;
    /* The demo's copy is held to this rate so that a person sees it
     * happen (progress, throughput, ETA) for about 20 s at the default
     * scale; "0" copies at full speed. A real feature (create --copy-rate),
     * said on screen, not a pretence. */
    const char *copy_rate;
} demo_opts;

/* -1 to go on, else the exit code (0 after --help). */
static int parse(int argc, char **argv, demo_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help_print(stdout, "demo");
            return 0;
        } else if (!strcmp(a, "--keep")) {
            o->keep = true;
        } else if (!strcmp(a, "--no-dashboard")) {
            o->dashboard = false;
        } else if (!strcmp(a, "--state-dir") && v) {
            o->state_dir = argv[++i];
        } else if (!strcmp(a, "--copy-rate") && v) {
            long long rate;
            char err[256];
            o->copy_rate = argv[++i];
            if (!mt_parse_rate(o->copy_rate, &rate, err, sizeof err)) {
                fprintf(stderr, "migtop demo: %s\n", err);
                return 2;
            }
            if (!rate)
                o->copy_rate = NULL;
        } else if (!strcmp(a, "--scale") && v) {
            o->scale = atoi(argv[++i]);
            if (o->scale < 1 || o->scale > 1000) {
                fprintf(stderr, "migtop demo: --scale needs a number from 1 to 1000\n");
                return 2;
            }
        } else {
            fprintf(stderr, "migtop demo: unexpected argument \"%s\" (see migtop demo --help)\n",
                    a);
            return 2;
        }
    }
    return -1;
}

/* The demo's task between the two servers, with the write load started. */
static bool create_task(engine_demo *d, mt_backend *b, const demo_opts *o, char *err,
                        size_t errlen)
{
    arena a;
    arena_init(&a);
    mt_create_req req = {.name = DEMO_TASK, .copy_rate = o->copy_rate};
    char src[128], sink[128];
    engine_demo_endpoint(d, false, src, sizeof src);
    engine_demo_endpoint(d, true, sink, sizeof sink);
    const char *objs[1] = {"public"};
    const char *steps[1] = {"precheck=true,init-struct=true,init-data=true,cdc=true"};
    bool ok = mt_parse_endpoint(&a, "--source", src, &req.source, err, errlen) &&
              mt_parse_endpoint(&a, "--sink", sink, &req.sink, err, errlen) &&
              mt_parse_objects(&a, objs, 1, &req.objects, err, errlen) &&
              mt_parse_steps(steps, 1, &req.steps, err, errlen) &&
              engine_demo_load_start(d, err, errlen) && b->ops->create(b, &req, err, errlen);
    arena_free(&a);
    return ok;
}

/* The dashboard on the task, or its status printed until it is set up. */
static int watch(mt_backend *b, const demo_opts *o)
{
    if (o->dashboard)
        return tui_run_dashboard(b, DEMO_TASK);
    for (int i = 0; i < 600 && !atomic_load(&demo_interrupted); i++) {
        if (print_status(b))
            break;
        sleep(1);
    }
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    demo_opts o = {.dashboard = true, .scale = DEMO_SCALE, .copy_rate = DEMO_COPY_RATE};
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct sigaction sa = {0};
    sa.sa_handler = demo_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    engine_demo d;
    char err[1024];
    if (!engine_demo_start(&d, o.scale, demo_say, err, sizeof err)) {
        fprintf(stderr, "migtop demo: %s\n", err);
        engine_demo_stop(&d, o.keep);
        return 1;
    }
    char state_dir[700];
    snprintf(state_dir, sizeof state_dir, "%s", o.state_dir ? o.state_dir : d.base);
    if (!o.state_dir) {
        snprintf(state_dir, sizeof state_dir, "%s/state", d.base);
        mkdir(state_dir, 0700);
    }
    rc = 1;
    mt_backend *b = engine_backend_open(state_dir, err, sizeof err);
    if (!b || !create_task(&d, b, &o, err, sizeof err)) {
        fprintf(stderr, "migtop demo: %s\n", err);
    } else {
        demo_say("task \"demo\" created; the source is under a light write load");
        if (o.copy_rate) {
            char line[300];
            snprintf(line, sizeof line, "the copy is limited to %s a second, to be watched "
                     "(migtop demo --copy-rate 0: full speed)", o.copy_rate);
            demo_say(line);
        }
        if (o.keep)
            fprintf(stderr, "migtop demo: clusters in %s (source port %d, sink port %d)\n", d.base,
                    d.src_port, d.sink_port);
        rc = watch(b, &o);
        demo_say("stopping: terminating the task, stopping the servers");
        terminate_and_wait(b, state_dir);
    }
    if (b)
        b->ops->free(b);
    engine_demo_stop(&d, o.keep);
    return rc;
}
