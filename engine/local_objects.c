#include "engine/local_objects.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/local_health.h"
#include "engine/spec.h"
#include "engine/status.h"
#include "engine/taskdir.h"
#include "model/jsonx.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t engine_list_tasks(const char *state_dir, char ***names)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/tasks", state_dir);
    *names = NULL;
    DIR *d = opendir(p);
    if (!d)
        return 0;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        /* From the directory's descriptor: the state directory's path is
         * not walked again for each of 1000 tasks (a third of the first
         * screen's time went to those lookups). */
        char spec[300];
        snprintf(spec, sizeof spec, "%s/%s", e->d_name, ENGINE_SPEC_FILE);
        if (faccessat(dirfd(d), spec, F_OK, 0) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            *names = realloc(*names, cap * sizeof **names);
            if (!*names)
                abort();
        }
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(*names, n, sizeof **names, cmp_str);
    return n;
}

void engine_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static cJSON *read_json(const char *dir, const char *file)
{
    char p[4400], err[256];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    size_t len;
    char *text = engine_read_file(p, &len, err, sizeof err);
    if (!text)
        return NULL;
    cJSON *j = jx_parse(text, len, err, sizeof err);
    free(text);
    return j;
}

static cJSON *meta(cJSON *obj, const char *api, const char *kind, const char *name,
                   const char *task, const char *created)
{
    cJSON_AddStringToObject(obj, "apiVersion", api);
    cJSON_AddStringToObject(obj, "kind", kind);
    cJSON *md = cJSON_AddObjectToObject(obj, "metadata");
    cJSON_AddStringToObject(md, "name", name);
    if (created)
        cJSON_AddStringToObject(md, "creationTimestamp", created);
    if (task)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(md, "labels"), MT_LABEL_TASK, task);
    return md;
}

static const char *sget(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *step_of(const cJSON *status, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(status, "steps")) {
        const char *s = sget(it, "step");
        if (s && !strcmp(s, name))
            return it;
    }
    return NULL;
}

/* A Job per initialization step, in the order the task lists them. The
 * init-data Job completes when post-data (indexes, constraints) has. */
static void add_jobs(mt_snapshot *s, jx *c, const char *task, const char *created,
                     const cJSON *spec, const cJSON *status)
{
    const cJSON *steps =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "initialization"),
                                         "steps");
    int idx = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, steps) {
        const char *cli = cJSON_IsString(it) ? mt_step_cli_name(it->valuestring) : NULL;
        if (!cli)
            continue;
        const cJSON *st = step_of(status, cli);
        const cJSON *post = !strcmp(cli, "init-data") ? step_of(status, "post-data") : NULL;
        const char *state = st ? sget(st, "status") : "Pending";
        const char *start = st ? sget(st, "startTime") : NULL;
        const char *finish = st ? sget(st, "finishTime") : NULL;
        if (post && state && !strcmp(state, "Complete")) {
            const char *ps = sget(post, "status");
            if (ps && strcmp(ps, "Skipped")) {
                state = !strcmp(ps, "Complete") || !strcmp(ps, "Failed") ? ps : "Running";
                finish = sget(post, "finishTime");
            }
        }
        char name[300];
        snprintf(name, sizeof name, "%s-job-%d", task, idx);
        cJSON *job = cJSON_CreateObject();
        meta(job, "batch/v1", "Job", name, task, created);
        cJSON *js = cJSON_AddObjectToObject(job, "status");
        if (start)
            cJSON_AddStringToObject(js, "startTime", start);
        if (state && !strcmp(state, "Complete")) {
            if (finish)
                cJSON_AddStringToObject(js, "completionTime", finish);
            cJSON_AddNumberToObject(js, "succeeded", 1);
        } else if (state && !strcmp(state, "Running")) {
            cJSON_AddNumberToObject(js, "active", 1);
        } else if (state && !strcmp(state, "Failed")) {
            cJSON_AddNumberToObject(js, "failed", 1);
        }
        if (state && (!strcmp(state, "Complete") || !strcmp(state, "Failed"))) {
            cJSON *cond = cJSON_CreateObject();
            cJSON_AddStringToObject(cond, "type", state);
            cJSON_AddStringToObject(cond, "status", "True");
            cJSON_AddItemToArray(cJSON_AddArrayToObject(js, "conditions"), cond);
        }
        mt_snapshot_add(s, c, job, name);
        cJSON_Delete(job);
        idx++;
    }
}

static void add_cdc(mt_snapshot *s, jx *c, const char *task, const char *created,
                    const cJSON *status)
{
    const cJSON *st = step_of(status, "cdc");
    const char *state = st ? sget(st, "status") : NULL;
    if (!state || !strcmp(state, "Skipped") || !sget(st, "startTime"))
        return;
    bool running = !strcmp(state, "Running");
    char name[300];
    snprintf(name, sizeof name, "%s-cdc", task);
    cJSON *sts = cJSON_CreateObject();
    meta(sts, "apps/v1", "StatefulSet", name, task, sget(st, "startTime"));
    cJSON *ss = cJSON_AddObjectToObject(sts, "status");
    cJSON_AddNumberToObject(ss, "replicas", 1);
    cJSON_AddNumberToObject(ss, "availableReplicas", running ? 1 : 0);
    mt_snapshot_add(s, c, sts, name);
    cJSON_Delete(sts);
    snprintf(name, sizeof name, "%s-cdc-0", task);
    cJSON *pod = cJSON_CreateObject();
    cJSON *md = meta(pod, "v1", "Pod", name, task, sget(st, "startTime"));
    cJSON *an = cJSON_AddObjectToObject(md, "annotations");
    cJSON_AddStringToObject(an, MT_ANNOT_STEP, "cdc");
    cJSON *ps = cJSON_AddObjectToObject(pod, "status");
    cJSON_AddStringToObject(ps, "phase", running ? "Running" :
                                        !strcmp(state, "Failed") ? "Failed" :
                                        !strcmp(state, "Complete") ? "Succeeded" : "Pending");
    cJSON_AddStringToObject(ps, "startTime", sget(st, "startTime"));
    mt_snapshot_add(s, c, pod, name);
    cJSON_Delete(pod);
    (void)created;
}

static void add_template(mt_snapshot *s, jx *c)
{
    cJSON *t = cJSON_CreateObject();
    meta(t, MT_API_VERSION, "MigrationTemplate", ENGINE_LOCAL_TEMPLATE, NULL, NULL);
    cJSON *spec = cJSON_AddObjectToObject(t, "spec");
    cJSON *tt = cJSON_AddArrayToObject(spec, "taskType");
    cJSON_AddItemToArray(tt, cJSON_CreateString("initialization"));
    cJSON_AddItemToArray(tt, cJSON_CreateString("initialization-and-cdc"));
    cJSON_AddStringToObject(spec, "description", "PostgreSQL ==> PostgreSQL (local engine)");
    cJSON *src = cJSON_AddObjectToObject(spec, "source");
    cJSON_AddStringToObject(src, "dbType", "PostgreSQL");
    cJSON_AddStringToObject(src, "dbVersion", "10+");
    cJSON *dst = cJSON_AddObjectToObject(spec, "target");
    cJSON_AddStringToObject(dst, "dbType", "PostgreSQL");
    cJSON_AddStringToObject(dst, "dbVersion", "10+");
    cJSON *steps = cJSON_AddArrayToObject(cJSON_AddObjectToObject(spec, "initialization"), "steps");
    const char *names[] = {"preCheck", "initStruct", "initData"};
    for (int i = 0; i < 3; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "step", names[i]);
        cJSON_AddItemToArray(steps, o);
    }
    cJSON_AddStringToObject(cJSON_AddObjectToObject(t, "status"), "phase", "Available");
    mt_snapshot_add(s, c, t, "template");
    cJSON_Delete(t);
}

/* Whether the task's health can change with time alone (a heartbeat that
 * stops, a runner not started yet, a terminate waiting): one not
 * finished, one a process holds, one whose status cannot be read. */
static bool task_live(const cJSON *status, bool readable, pid_t runner, pid_t supervisor,
                      bool terminating)
{
    const char *st = sget(status, "taskStatus");
    return !readable || runner || supervisor || terminating || !st ||
           (strcmp(st, "Done") && strcmp(st, "Failed"));
}

/* Health and the local annotations, on the task's metadata. */
static void annotate(cJSON *task, cJSON *status, const char *dir, const char *name,
                     const char *unreadable, bool readable, bool lost, const char *from,
                     bool *live)
{
    cJSON *md = cJSON_GetObjectItemCaseSensitive(task, "metadata");
    const char *created = sget(md, "creationTimestamp");
    cJSON *an = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    if (!an)
        an = cJSON_AddObjectToObject(md, "annotations");
    char p[4400], b[64];
    snprintf(p, sizeof p, "%s/%s", dir, ENGINE_TERMINATE_FILE);
    struct stat st;
    bool terminating = stat(p, &st) == 0;
    if (terminating) {
        fmt_rfc3339((mt_time)st.st_mtime, b, sizeof b);
        cJSON_AddStringToObject(md, "deletionTimestamp", b);
        const cJSON *term = cJSON_GetObjectItemCaseSensitive(status, "terminating");
        const char *why = term ? sget(term, "reason") : NULL;
        cJSON_AddStringToObject(an, "migtop.io/terminating-reason",
                                why ? why : "waiting for the runner to drop the slot");
    }
    pid_t holder = engine_lock_holder(dir);
    snprintf(b, sizeof b, "%ld", (long)holder);
    cJSON_AddStringToObject(an, ENGINE_ANNOT_RUNNER_PID, holder ? b : "none");
    cJSON_AddStringToObject(an, "migtop.io/task-dir", dir);
    if (from && strcmp(from, ENGINE_STATUS_FILE))
        cJSON_AddStringToObject(an, "migtop.io/status-from", from);
    mt_time made = 0;
    if (created)
        fmt_parse_timestamp(created, 0, &made, NULL);
    pid_t supervisor = engine_lock_holder_named(dir, ENGINE_SUPERVISOR_LOCK);
    local_health_in hin = {.dir = dir, .name = name, .status = readable || !lost ? status : NULL,
                           .why = unreadable, .runner = holder, .supervisor = supervisor,
                           .terminating = terminating, .created = (time_t)made};
    engine_local_health(&hin, an);
    *live = task_live(status, readable, holder, supervisor, terminating);
}

/* One task's objects into s; false when its directory cannot be read (it
 * may be in the middle of being created or removed). */
static bool add_task(mt_snapshot *s, const char *state_dir, const char *name, bool *live)
{
    /* One task that cannot be read must not hide the others: each gets
     * its own error context. */
    jx cx, *c = &cx;
    jx_init(c, &s->mem);
    char dir[4200], e[256];
    if (!engine_task_dir(state_dir, name, dir, sizeof dir, e, sizeof e))
        return false;
    cJSON *task = read_json(dir, ENGINE_SPEC_FILE);
    if (!task)
        return false;
    const char *from = NULL;
    bool lost = false;
    char unreadable[400];
    cJSON *status = engine_status_read(dir, &from, &lost, unreadable, sizeof unreadable);
    bool readable = status != NULL;
    if (!status) {
        status = cJSON_CreateObject();
        cJSON_AddStringToObject(status, "taskStatus", lost ? "Unknown" : "Prepare");
    }
    annotate(task, status, dir, name, unreadable, readable, lost, from, live);
    const char *created =
        sget(cJSON_GetObjectItemCaseSensitive(task, "metadata"), "creationTimestamp");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(task, "spec");
    cJSON_AddItemToObject(task, "status", status);
    size_t before = s->n_tasks;
    if (!mt_snapshot_add(s, c, task, name))
        s->n_tasks = before; /* a half-parsed task is not shown */
    if (!c->failed) {
        add_jobs(s, c, name, created, spec, status);
        add_cdc(s, c, name, created, status);
    }
    cJSON_Delete(task);
    return s->n_tasks > before;
}

mt_snapshot *engine_local_task_part(const char *state_dir, const char *name, size_t expect,
                                    bool *live)
{
    mt_snapshot *p = mt_snapshot_new();
    arena_init_sized(&p->mem, expect);
    if (!add_task(p, state_dir, name, live)) {
        mt_snapshot_free(p);
        return NULL;
    }
    mt_snapshot_trim(p);
    return p;
}

mt_snapshot *engine_local_template_part(void)
{
    mt_snapshot *p = mt_snapshot_new();
    arena_init_sized(&p->mem, 2048);
    jx c;
    jx_init(&c, &p->mem);
    add_template(p, &c); /* fixed text: cannot fail */
    mt_snapshot_trim(p);
    return p;
}

mt_snapshot *engine_local_snapshot(const char *state_dir, const char *task, char *err,
                                   size_t errlen)
{
    mt_snapshot *s = mt_snapshot_new();
    s->taken_ms = fmt_now_ms();
    jx c;
    jx_init(&c, &s->mem);
    add_template(s, &c);
    char **names;
    size_t n = engine_list_tasks(state_dir, &names);
    bool live;
    for (size_t i = 0; i < n && !c.failed; i++)
        if (!task || !*task || !strcmp(task, names[i]))
            add_task(s, state_dir, names[i], &live);
    engine_free_names(names, n);
    if (c.failed) {
        snprintf(err, errlen, "local tasks in %s: %s", state_dir, c.err);
        mt_snapshot_free(s);
        return NULL;
    }
    mt_snapshot_sort(s);
    return s;
}
