#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/local_internal.h"
#include "engine/local_objects.h"
#include "engine/orphan_scan.h"
#include "engine/task_watch.h"
#include "engine/taskdir.h"

/* Without inotify: the task files looked at twice a second, and everything
 * read again every 5 s at least. With it: read again when something
 * changed, every 5 s while a task is not finished (a heartbeat that
 * stops is a change nothing reports), else every 10 minutes (a safety
 * net: a lost event queue is reported, and read again at once). */
#define POLL_MS 500
#define REFRESH_MS 5000
#define IDLE_REFRESH_MS 600000
/* The first snapshot has the tasks of a first screen only (a tall one),
 * so it comes in a few ms whatever the number of tasks; all of them come
 * right after. */
#define FIRST_TASKS 64

typedef struct local_feed {
    char state_dir[4096];
    orphan_scan *orphans;
    task_watch *watch;
    mt_feed *f;
    bool live; /* the last snapshot had a task whose health time alone may change */
} local_feed;

static void local_feed_free(void *arg)
{
    local_feed *lf = arg;
    task_watch_stop(lf->watch);
    orphan_scan_stop(lf->orphans);
    free(lf);
}

/* From the watcher's and the orphan scan's threads: read again now. */
static void poke(void *arg)
{
    local_feed *lf = arg;
    mt_feed_poke(lf->f);
}

/* A task whose health can change with time alone (a heartbeat that stops,
 * a runner not started yet): one not finished, or one with a runner. */
static bool any_live(const mt_snapshot *s)
{
    for (size_t i = 0; i < s->n_tasks; i++) {
        const mt_task *t = &s->tasks[i];
        const char *pid = mt_meta_annotation(&t->meta, ENGINE_ANNOT_RUNNER_PID);
        const char *st = t->task_status;
        if ((pid && strcmp(pid, "none")) || !st || (strcmp(st, "Done") && strcmp(st, "Failed")))
            return true;
    }
    return false;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

/* Changes whenever a task appears or goes, or one of its files is
 * rewritten (status.json every second while a runner works). */
static uint64_t signature(const char *state_dir)
{
    char **names;
    size_t n = engine_list_tasks(state_dir, &names);
    uint64_t h = n;
    static const char *const files[] = {ENGINE_STATUS_FILE, ENGINE_SPEC_FILE,
                                        ENGINE_TERMINATE_FILE, ENGINE_LOCK_FILE};
    for (size_t i = 0; i < n; i++) {
        for (const char *p = names[i]; *p; p++)
            h = mix(h, (unsigned char)*p);
        for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
            char path[4400];
            snprintf(path, sizeof path, "%s/tasks/%s/%s", state_dir, names[i], files[k]);
            struct stat st;
            if (stat(path, &st) == 0)
                h = mix(mix(mix(h, (uint64_t)st.st_ino), (uint64_t)st.st_size),
                        (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec);
            else
                h = mix(h, k + 1);
        }
    }
    engine_free_names(names, n);
    return h;
}

/* A snapshot of every task goes out (NULL: the reason in err does). */
static void publish_whole(mt_feed *f, local_feed *lf, mt_snapshot *s, const char *err)
{
    if (!s) {
        mt_feed_error(f, "%s", err);
        return;
    }
    lf->live = any_live(s);
    orphan_scan_into(lf->orphans, s);
    mt_feed_publish(f, s);
}

static void publish(mt_feed *f, local_feed *lf)
{
    char err[512];
    publish_whole(f, lf, engine_local_snapshot(lf->state_dir, NULL, err, sizeof err), err);
}

/* The first screen's tasks, before all of them (all of them when they
 * are few). */
static void publish_first(mt_feed *f, local_feed *lf)
{
    char err[512];
    size_t total = 0;
    mt_snapshot *s = engine_local_snapshot_first(lf->state_dir, FIRST_TASKS, &total, err,
                                                 sizeof err);
    if (!s) {
        mt_feed_error(f, "%s", err);
        return;
    }
    if (total <= FIRST_TASKS) {
        publish_whole(f, lf, s, err);
        return;
    }
    lf->live = true; /* not all seen: none known finished */
    mt_feed_publish(f, s);
}

static void run(mt_feed *f, void *arg)
{
    local_feed *lf = arg;
    /* The first screen before anything else: watching every task
     * directory (an inotify watch each, milliseconds for 1000 tasks)
     * waits until it is out. Then everything is read again, watched: a
     * change while the first screen was read is seen there. */
    publish_first(f, lf);
    lf->watch = task_watch_start(lf->state_dir, poke, lf); /* NULL: poll */
    uint64_t last = task_watch_alive(lf->watch) ? 0 : signature(lf->state_dir);
    int64_t last_pub = 0;
    for (;;) {
        if (task_watch_alive(lf->watch)) {
            /* Every wake is a reason: a change, the user's r, a new focus,
             * or the refresh for the heartbeats. */
            publish(f, lf);
            if (!mt_feed_wait(f, lf->live ? REFRESH_MS : IDLE_REFRESH_MS))
                return;
            continue;
        }
        uint64_t sig = signature(lf->state_dir);
        int64_t now = fmt_mono_ms();
        if (sig != last || now - last_pub >= REFRESH_MS || !last_pub) {
            publish(f, lf);
            last = sig;
            last_pub = now;
        }
        if (!mt_feed_wait(f, POLL_MS))
            return;
    }
}

mt_feed *engine_local_feed(mt_backend *b, char *err, size_t errlen)
{
    local_feed *lf = calloc(1, sizeof *lf);
    if (!lf)
        abort();
    snprintf(lf->state_dir, sizeof lf->state_dir, "%s", engine_backend_state_dir(b));
    char label[4200];
    snprintf(label, sizeof label, "local %s", lf->state_dir);
    mt_feed *f = mt_feed_new(label, run, lf, local_feed_free);
    lf->f = f;
    lf->orphans = orphan_scan_start(lf->state_dir, poke, lf);
    if (!mt_feed_start(f, err, errlen)) {
        mt_feed_free(f);
        return NULL;
    }
    return f;
}
