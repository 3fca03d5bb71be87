#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/local_cache.h"
#include "engine/local_internal.h"
#include "engine/orphan_scan.h"
#include "engine/task_watch.h"
#include "engine/taskdir.h"

/* Without inotify: the task files looked at twice a second (each task
 * read again only when its files changed), and live tasks every 5 s.
 * With it: the tasks told changed read again at once, live ones every
 * 5 s (a heartbeat that stops is a change nothing reports), and a full
 * pass every 10 minutes (a safety net: a lost event queue is reported,
 * and a full pass made at once). */
#define POLL_MS 500
#define REFRESH_MS 5000
#define IDLE_REFRESH_MS 600000
/* A live task read this long ago is read again at the next refresh: a
 * little under REFRESH_MS, so that the wake after it always finds it due. */
#define DUE_MS (REFRESH_MS - 250)
/* The first snapshot has the tasks of a first screen only (a tall one),
 * so it comes in a few ms whatever the number of tasks; all of them come
 * right after. */
#define FIRST_TASKS 64
/* Tasks told changed between two snapshots, kept by name; more than this
 * and a full pass is cheaper than a lookup each. */
#define MAX_TOLD 128

typedef struct local_feed {
    char state_dir[4096];
    orphan_scan *orphans;
    task_watch *watch;
    local_cache *cache;
    mt_feed *f;
    pthread_mutex_t mu; /* guards told, n_told, all (the watcher's thread writes) */
    char *told[MAX_TOLD];
    size_t n_told;
    bool all;
    uint64_t asked; /* the user's refresh key presses seen */
} local_feed;

static void local_feed_free(void *arg)
{
    local_feed *lf = arg;
    task_watch_stop(lf->watch);
    orphan_scan_stop(lf->orphans);
    local_cache_free(lf->cache);
    for (size_t i = 0; i < lf->n_told; i++)
        free(lf->told[i]);
    pthread_mutex_destroy(&lf->mu);
    free(lf);
}

/* From the orphan scan's thread: publish again now. */
static void poke(void *arg)
{
    local_feed *lf = arg;
    mt_feed_poke(lf->f);
}

/* From the watcher's thread: a task changed (NULL: maybe any). */
static void told(void *arg, const char *task)
{
    local_feed *lf = arg;
    pthread_mutex_lock(&lf->mu);
    bool known = false;
    for (size_t i = 0; task && i < lf->n_told && !known; i++)
        known = !strcmp(lf->told[i], task);
    if (!task || (!known && lf->n_told == MAX_TOLD)) {
        lf->all = true;
    } else if (!known && !lf->all) {
        char *copy = strdup(task);
        if (copy)
            lf->told[lf->n_told++] = copy;
        else
            lf->all = true; /* not kept: look at everything */
    }
    pthread_mutex_unlock(&lf->mu);
    mt_feed_poke(lf->f);
}

/* What the watcher has told since the last call, handed over. */
static void take_told(local_feed *lf, local_changes *ch, char **names)
{
    pthread_mutex_lock(&lf->mu);
    memcpy(names, lf->told, lf->n_told * sizeof *names);
    ch->tasks = names;
    ch->n = lf->n_told;
    ch->all = lf->all;
    lf->n_told = 0;
    lf->all = false;
    pthread_mutex_unlock(&lf->mu);
    ch->due_ms = DUE_MS;
}

static void publish(mt_feed *f, local_feed *lf, mt_snapshot *s)
{
    orphan_scan_into(lf->orphans, s);
    mt_feed_publish(f, s);
}

/* One wake: what changed read again, and a snapshot out when it is news
 * or a refresh is due (*last_pub, monotonic). */
static void refresh(mt_feed *f, local_feed *lf, bool poll, int64_t *last_pub)
{
    char *names[MAX_TOLD];
    local_changes ch;
    take_told(lf, &ch, names);
    uint64_t asked = mt_feed_asked(f);
    ch.all |= poll || asked != lf->asked; /* the user's r: every task looked at */
    lf->asked = asked;
    bool changed;
    mt_snapshot *s = local_cache_snapshot(lf->cache, &ch, &changed);
    for (size_t i = 0; i < ch.n; i++)
        free(names[i]);
    int64_t now = fmt_mono_ms();
    /* Watched, every wake is a reason: a change, the user's r, a new
     * focus, orphan news or the refresh for the heartbeats. */
    if (!poll || changed || now - *last_pub >= REFRESH_MS || !*last_pub) {
        publish(f, lf, s);
        *last_pub = now;
    } else {
        mt_snapshot_free(s);
    }
}

/* The readings the runners of tasks new to the feed kept (their last 15
 * minutes, ENGINE_HISTORY_FILE), for the UI's rings: read here, not on
 * the UI's thread, after the snapshot is out; none for a task whose runner
 * wrote nothing in the last 15 minutes (1000 finished tasks cost a read
 * each, once). */
static void offer_histories(mt_feed *f, local_feed *lf)
{
    const char *names[64];
    size_t n;
    while ((n = local_cache_unseen(lf->cache, names, 64)) > 0) {
        for (size_t i = 0; i < n && !mt_feed_stopping(f); i++) {
            char path[4400], e[4600];
            snprintf(path, sizeof path, "%s/tasks/%s/%s", lf->state_dir, names[i],
                     ENGINE_HISTORY_FILE);
            char *text = engine_read_file(path, NULL, e, sizeof e); /* none: never streamed */
            mt_hist *one = calloc(1, sizeof *one);
            if (!one)
                abort();
            snprintf(one->name, sizeof one->name, "%s", names[i]);
            if (text && mt_hist_merge_json(one, text) && mt_hist_recent(one, fmt_now_ms()))
                mt_feed_offer_history(f, one);
            else
                mt_hist_release(one);
            free(text);
        }
    }
}

static void run(mt_feed *f, void *arg)
{
    local_feed *lf = arg;
    /* The first screen before anything else: watching every task
     * directory (an inotify watch each, milliseconds for 1000 tasks)
     * waits until it is out. Then a full pass, watched: a change while
     * the first screen was read is seen there. */
    size_t total;
    mt_snapshot *first = local_cache_first(lf->cache, FIRST_TASKS, &total);
    if (total > FIRST_TASKS)
        mt_feed_publish(f, first); /* the orphans with the whole snapshot */
    else
        publish(f, lf, first);
    lf->all = true; /* before the watcher's thread: no lock needed yet */
    lf->watch = task_watch_start(lf->state_dir, told, lf); /* NULL: poll */
    int64_t last_pub = 0;
    for (;;) {
        bool poll = !task_watch_alive(lf->watch);
        refresh(f, lf, poll, &last_pub);
        offer_histories(f, lf);
        int wait = poll ? POLL_MS : local_cache_live(lf->cache) ? REFRESH_MS : IDLE_REFRESH_MS;
        if (!mt_feed_wait(f, wait))
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
    pthread_mutex_init(&lf->mu, NULL);
    lf->cache = local_cache_new(lf->state_dir);
    lf->orphans = orphan_scan_start(lf->state_dir, poke, lf);
    if (!mt_feed_start(f, err, errlen)) {
        mt_feed_free(f);
        return NULL;
    }
    return f;
}
