#include "engine/backend_local.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/forget.h"
#include "engine/local_internal.h"
#include "engine/local_objects.h"
#include "engine/registry.h"
#include "engine/spawn.h"
#include "engine/spec.h"
#include "engine/systemd.h"
#include "engine/taskdir.h"

typedef struct local_backend {
    mt_backend base;
    char state_dir[4096];
} local_backend;

static const char *state_of(mt_backend *b)
{
    return ((local_backend *)b)->state_dir;
}

bool engine_spawn_supervisor(const char *state_dir, const char *name, char *err, size_t errlen)
{
    return engine_spawn_detached(state_dir, name, "supervise", NULL, ENGINE_SUPERVISOR_OUT, err,
                                 errlen);
}

static mt_snapshot *local_fetch(mt_backend *b, const char *ns, const char *task, char *err,
                                size_t errlen)
{
    (void)ns;
    return engine_local_snapshot(state_of(b), task, err, errlen);
}

static bool task_dir_of(mt_backend *b, const char *task, char *dir, size_t n, char *err,
                        size_t errlen)
{
    if (!engine_task_dir(state_of(b), task, dir, n, err, errlen))
        return false;
    char spec[4400];
    snprintf(spec, sizeof spec, "%s/%s", dir, ENGINE_SPEC_FILE);
    if (access(spec, F_OK) != 0) {
        snprintf(err, errlen, "no local task \"%s\" in %s/tasks", task, state_of(b));
        return false;
    }
    return true;
}

bool engine_write_task(const char *state_dir, const mt_create_req *req, char *err,
                       size_t errlen)
{
    char dir[4200];
    if (!engine_task_dir(state_dir, req->name, dir, sizeof dir, err, errlen))
        return false;
    if (req->template_name && strcmp(req->template_name, ENGINE_LOCAL_TEMPLATE) &&
        strcmp(req->template_name, "apecloud-pg2pg")) {
        snprintf(err, errlen, "--template: local tasks use the template %s, not \"%s\"",
                 ENGINE_LOCAL_TEMPLATE, req->template_name);
        return false;
    }
    if (!req->objects.n_white) {
        snprintf(err, errlen, "--migration-object: at least one schema or table is needed");
        return false;
    }
    if (!req->source.host || !req->sink.host) {
        snprintf(err, errlen, "--source and --sink are both needed");
        return false;
    }
    if (mkdir(dir, 0700) != 0) {
        if (errno == EEXIST)
            snprintf(err, errlen, "task \"%s\" already exists (%s)", req->name, dir);
        else
            snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return false;
    }
    mt_create_req r = *req;
    r.template_name = ENGINE_LOCAL_TEMPLATE;
    static const char initial[] = "{\"taskStatus\": \"Prepare\"}\n";
    if (!engine_spec_write(dir, &r, err, errlen) ||
        !engine_write_file(dir, ENGINE_STATUS_FILE, initial, sizeof initial - 1, err, errlen)) {
        char e2[256];
        engine_remove_tree(dir, e2, sizeof e2);
        return false;
    }
    /* Remembered beyond the task, to look for what it may leave there. */
    char e3[512];
    if (!engine_registry_add(state_dir, &req->source, &req->sink, e3, sizeof e3))
        fprintf(stderr, "migtop: warning: %s\n", e3);
    return true;
}

static bool local_create(mt_backend *b, const mt_create_req *req, char *err, size_t errlen)
{
    if (!engine_write_task(state_of(b), req, err, errlen))
        return false;
    if (!req->systemd)
        return engine_spawn_supervisor(state_of(b), req->name, err, errlen);
    char e2[1024];
    if (engine_systemd_install(state_of(b), req->name, req->systemd, e2, sizeof e2))
        return true;
    /* The task still runs, but says it will not survive a reboot. */
    if (!engine_spawn_supervisor(state_of(b), req->name, err, errlen))
        return false;
    snprintf(err, errlen, "%s; the task runs under a detached supervisor instead (it will not "
             "start again after a reboot)", e2);
    return false;
}

static bool local_terminate(mt_backend *b, const char *ns, const char *task, char *err,
                            size_t errlen)
{
    (void)ns;
    char dir[4200];
    if (!task_dir_of(b, task, dir, sizeof dir, err, errlen))
        return false;
    char text[128], path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, ENGINE_TERMINATE_FILE);
    bool again = access(path, F_OK) == 0;
    int n = snprintf(text, sizeof text, "requested at %ld by pid %ld\n", (long)time(NULL),
                     (long)getpid());
    if (!again && !engine_write_file(dir, ENGINE_TERMINATE_FILE, text, (size_t)n, err, errlen))
        return false;
    pid_t holder = engine_lock_holder(dir);
    if (holder > 0) {
        /* The runner also notices the file within a second; the signal
         * only makes it stop sooner. Not twice: a runner already
         * terminating takes a signal as "give up". */
        if (!again)
            kill(holder, SIGTERM);
        /* And someone to carry the terminate on should that runner be on
         * its way out already (a task failing just then): a supervisor,
         * if none watches the task. */
        if (engine_lock_holder_named(dir, ENGINE_SUPERVISOR_LOCK))
            return true;
        return engine_spawn_supervisor(state_of(b), task, err, errlen);
    }
    return engine_spawn_supervisor(state_of(b), task, err, errlen);
}

static bool local_forget(mt_backend *b, const char *ns, const char *task, strbuf *report,
                         char *err, size_t errlen)
{
    (void)ns;
    char dir[4200];
    return task_dir_of(b, task, dir, sizeof dir, err, errlen) &&
           engine_forget_task(state_of(b), task, report, err, errlen);
}

static const char *local_default_ns(mt_backend *b)
{
    (void)b;
    return "";
}

static void local_free(mt_backend *b)
{
    free(b);
}

static const mt_backend_ops local_ops = {
    .name = "local",
    .fetch = local_fetch,
    .logs = engine_local_logs,
    .create = local_create,
    .terminate = local_terminate,
    .forget = local_forget,
    .feed = engine_local_feed,
    .default_namespace = local_default_ns,
    .scope = engine_backend_state_dir,
    .free = local_free,
};

mt_backend *engine_backend_open(const char *state_dir, char *err, size_t errlen)
{
    local_backend *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    b->base.ops = &local_ops;
    if (!engine_state_dir(state_dir, b->state_dir, sizeof b->state_dir, err, errlen)) {
        free(b);
        return NULL;
    }
    return &b->base;
}

const char *engine_backend_state_dir(mt_backend *b)
{
    return state_of(b);
}
