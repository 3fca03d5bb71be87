#include "engine/task_watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "engine/taskdir.h"

#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF)
#define TASK_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM)

/* A task directory's watch, in a table sorted by wd (inotify numbers
 * watches upwards: each new one goes at the end). */
typedef struct watched {
    int wd;
    char *task; /* NULL: let go */
} watched;

struct task_watch {
    char state_dir[4096], tasks_dir[4200];
    int fd, stop[2];
    int state_wd, tasks_wd; /* -1: not watched (yet) */
    task_changed_fn *changed;
    void *ctx;
    watched *w;
    size_t n_w, cap_w, n_gone;
    pthread_t th;
    atomic_bool alive; /* false once the watches could not be kept */
};

static bool matters(const char *name)
{
    for (size_t i = 0; i < ENGINE_SHOWN_FILES; i++)
        if (!strcmp(name, engine_shown_files[i]))
            return true;
    return false;
}

static watched *find(task_watch *w, int wd)
{
    size_t lo = 0, hi = w->n_w;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->w[mid].wd == wd)
            return &w->w[mid];
        if (w->w[mid].wd < wd)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Drops the let-go entries once they are half the table. */
static void compact(task_watch *w)
{
    if (w->n_gone * 2 < w->n_w)
        return;
    size_t k = 0;
    for (size_t i = 0; i < w->n_w; i++)
        if (w->w[i].task)
            w->w[k++] = w->w[i];
    w->n_w = k;
    w->n_gone = 0;
}

/* Kept sorted by wd, whatever order inotify hands them out in. */
static void remember(task_watch *w, int wd, const char *name)
{
    char *task = strdup(name);
    if (!task)
        abort();
    watched *old = find(w, wd); /* the same directory watched again */
    if (old) {
        w->n_gone -= !old->task;
        free(old->task);
        old->task = task;
        return;
    }
    if (w->n_w == w->cap_w) {
        w->cap_w = w->cap_w ? w->cap_w * 2 : 64;
        w->w = realloc(w->w, w->cap_w * sizeof *w->w);
        if (!w->w)
            abort();
    }
    size_t at = w->n_w; /* the end, but for numbers that wrapped */
    while (at > 0 && w->w[at - 1].wd > wd)
        at--;
    memmove(&w->w[at + 1], &w->w[at], (w->n_w - at) * sizeof *w->w);
    w->w[at] = (watched){wd, task};
    w->n_w++;
}

static void forget(task_watch *w, watched *e)
{
    free(e->task);
    e->task = NULL;
    w->n_gone++;
    compact(w);
}

static bool watch_task(task_watch *w, const char *name)
{
    if (name[0] == '.')
        return true;
    char path[4500];
    snprintf(path, sizeof path, "%s/%s", w->tasks_dir, name);
    int wd = inotify_add_watch(w->fd, path, TASK_EVENTS | IN_ONLYDIR);
    if (wd >= 0)
        remember(w, wd, name);
    return wd >= 0 || errno == ENOENT || errno == ENOTDIR;
}

/* One event in a task's directory. */
static void task_event(task_watch *w, const struct inotify_event *ev, const char *name)
{
    watched *e = find(w, ev->wd);
    if (!e || !e->task) {
        if (!(ev->mask & IN_IGNORED))
            w->changed(w->ctx, NULL); /* a watch not known: look at everything */
        return;
    }
    if (matters(name) || (ev->mask & IN_IGNORED))
        w->changed(w->ctx, e->task);
    if (ev->mask & IN_IGNORED)
        forget(w, e); /* its directory went */
}

/* STATE/tasks and each task in it; false when out of watches. */
static bool watch_tasks_dir(task_watch *w)
{
    w->tasks_wd = inotify_add_watch(w->fd, w->tasks_dir, DIR_EVENTS | IN_ONLYDIR);
    if (w->tasks_wd < 0)
        return errno == ENOENT; /* not made yet: STATE's watch sees it come */
    DIR *d = opendir(w->tasks_dir);
    struct dirent *e;
    bool ok = true;
    while (d && ok && (e = readdir(d)))
        ok = watch_task(w, e->d_name);
    if (d)
        closedir(d);
    return ok;
}

/* Reads what is there; false when the watches cannot be kept. */
static bool take_events(task_watch *w)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n;
    while ((n = read(w->fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            const char *name = ev->len ? ev->name : "";
            if (ev->mask & IN_Q_OVERFLOW) {
                w->changed(w->ctx, NULL); /* events were lost */
            } else if (ev->wd == w->state_wd) {
                if (!strcmp(name, "tasks") && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                    if (!watch_tasks_dir(w))
                        return false;
                    w->changed(w->ctx, NULL);
                }
            } else if (ev->wd == w->tasks_wd) {
                if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && !watch_task(w, name))
                    return false;
                if (ev->mask & IN_DELETE_SELF) {
                    w->tasks_wd = -1;
                    w->changed(w->ctx, NULL);
                } else if (ev->len && name[0] != '.') {
                    w->changed(w->ctx, name); /* a task made or removed */
                }
            } else {
                task_event(w, ev, name);
            }
        }
    }
    return n == 0 || errno == EAGAIN || errno == EINTR;
}

static void *loop(void *arg)
{
    task_watch *w = arg;
    for (;;) {
        struct pollfd p[2] = {{w->fd, POLLIN, 0}, {w->stop[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        bool ok = take_events(w);
        if (!ok) {
            atomic_store(&w->alive, false);
            w->changed(w->ctx, NULL); /* once more, then the feed polls */
        }
        if (!ok)
            break;
    }
    return NULL;
}

static void free_table(task_watch *w)
{
    for (size_t i = 0; i < w->n_w; i++)
        free(w->w[i].task);
    free(w->w);
}

task_watch *task_watch_start(const char *state_dir, task_changed_fn *changed, void *ctx)
{
    task_watch *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    snprintf(w->state_dir, sizeof w->state_dir, "%s", state_dir);
    snprintf(w->tasks_dir, sizeof w->tasks_dir, "%s/tasks", state_dir);
    w->changed = changed;
    w->ctx = ctx;
    atomic_init(&w->alive, true);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    w->stop[0] = w->stop[1] = -1;
    w->state_wd = w->fd >= 0 ? inotify_add_watch(w->fd, state_dir, IN_CREATE | IN_MOVED_TO |
                                                                     IN_ONLYDIR)
                             : -1;
    bool piped = pipe(w->stop) == 0;
    if (!piped)
        w->stop[0] = w->stop[1] = -1;
    for (int i = 0; piped && i < 2; i++)
        fcntl(w->stop[i], F_SETFD, FD_CLOEXEC);
    if (w->state_wd < 0 || !watch_tasks_dir(w) || !piped ||
        pthread_create(&w->th, NULL, loop, w) != 0) {
        if (w->fd >= 0)
            close(w->fd);
        for (int i = 0; i < 2; i++)
            if (w->stop[i] >= 0)
                close(w->stop[i]);
        free_table(w);
        free(w);
        return NULL;
    }
    return w;
}

bool task_watch_alive(task_watch *w) { return w && atomic_load(&w->alive); }

void task_watch_stop(task_watch *w)
{
    if (!w)
        return;
    char c = 1;
    if (write(w->stop[1], &c, 1) < 0)
        perror("task_watch_stop");
    pthread_join(w->th, NULL);
    close(w->fd);
    close(w->stop[0]);
    close(w->stop[1]);
    free_table(w);
    free(w);
}
