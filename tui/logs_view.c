#include "tui/logs_view.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backends/backend_select.h"
#include "model/describe.h"
#include "panes/logs.h"
#include "tui/logs_fetch.h"

static const char *const steps[] = {"precheck", "init-struct", "init-data", "cdc"};

/* The step worth looking at first: the one that failed, else CDC once it
 * started, else the initialization step running, else the last one that
 * began. */
static const char *default_step(const app *a, const char *ns, const char *name)
{
    const mt_task *t = a->snap ? mt_snapshot_task(a->snap, ns[0] ? ns : NULL, name) : NULL;
    if (!t)
        return "cdc";
    arena ar;
    arena_init(&ar);
    mt_describe ds;
    mt_describe_build(&ar, a->snap, t, (mt_time)time(NULL), a->pod_tz_offset, &ds);
    const char *failed = NULL, *running = NULL, *began = NULL;
    for (size_t i = 0; i < ds.n_init; i++) {
        const mt_init_row *r = &ds.init[i];
        if (!failed && r->status && strstr(r->status, "Fail"))
            failed = r->step;
        if (r->start && !r->finish)
            running = r->step;
        if (r->start)
            began = r->step;
    }
    static char pick[32];
    bool cdc_failed = t->cdc.failed_reason && *t->cdc.failed_reason;
    snprintf(pick, sizeof pick, "%s",
             failed       ? failed
             : cdc_failed || t->cdc.start ? "cdc"
             : running    ? running
             : began      ? began
                          : "precheck");
    arena_free(&ar);
    return pick;
}

static void restart(app *a)
{
    view_state *v = app_view(a);
    logs_fetch_release(a->logs.fetch);
    mt_logs_opts o = {.step = a->logs.step, .tail_lines = 1000, .since_seconds = 0,
                      .timestamps = a->logs.timestamps, .follow = a->logs.follow};
    a->logs.fetch = logs_fetch_start(a->backend, v->sel_ns, v->sel_name, &o);
    a->logs.match = -1;
    v->stick_bottom = true;
    a->dirty = true;
}

void logs_view_open(app *a, const char *ns, const char *name)
{
    app_push(a, V_LOGS);
    view_state *v = app_view(a);
    snprintf(v->sel_ns, sizeof v->sel_ns, "%s", ns ? ns : "");
    snprintf(v->sel_name, sizeof v->sel_name, "%s", name);
    snprintf(a->logs.step, sizeof a->logs.step, "%s", default_step(a, v->sel_ns, name));
    a->logs.follow = true;
    a->logs.search[0] = '\0';
    restart(a);
}

void logs_view_close(app *a)
{
    logs_fetch_release(a->logs.fetch);
    a->logs.fetch = NULL;
}

static void set_step(app *a, int i)
{
    snprintf(a->logs.step, sizeof a->logs.step, "%s", steps[i]);
    restart(a);
}

static void jump_match(app *a, int dir)
{
    view_state *v = app_view(a);
    if (!a->logs.n_matches) {
        app_message(a, true, a->logs.search[0] ? "no match for \"%s\"" : "no search (press /)%s",
                    a->logs.search);
        return;
    }
    int m = a->logs.match + dir;
    if (m < 0)
        m = a->logs.n_matches - 1;
    if (m >= a->logs.n_matches)
        m = 0;
    a->logs.match = m;
    v->top = a->logs.matches[m] - a->body_h / 2;
    if (v->top < 0)
        v->top = 0;
    v->stick_bottom = false;
    app_message(a, false, "match %d of %d", m + 1, a->logs.n_matches);
}

/* Ctrl-S: the lines held now (the last LOGS_MAX_LINES), as they came, in
 * a new owner-only file named by task, step and time. */
static void save_log(app *a)
{
    view_state *v = app_view(a);
    if (!a->logs.fetch) {
        app_message(a, true, "no log to save");
        return;
    }
    char dir[3000], path[4096], stamp[32], err[300];
    if (!a->backend || !backend_files_dir(a->backend, "logs", dir, sizeof dir, err, sizeof err)) {
        app_message(a, true, "log not saved: %s", a->backend ? err : "no backend");
        return;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(path, sizeof path, "%.2990s/%.255s%s%.255s-%.31s-%.31s.log", dir, v->sel_ns, v->sel_ns[0] ? "_" : "",
             v->sel_name, a->logs.step, stamp);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        app_message(a, true, "log not saved: %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    log_view lv = {0};
    logs_fetch_lock(a->logs.fetch, &lv);
    for (size_t i = 0; i < lv.n; i++)
        fprintf(f, "%s\n", lv.lines[i]);
    size_t n = lv.n;
    logs_fetch_unlock(a->logs.fetch);
    if (fclose(f) != 0)
        app_message(a, true, "log not saved whole: %s: %s", path, strerror(errno));
    else
        app_message(a, false, "saved %zu line%s to %s", n, n == 1 ? "" : "s", path);
}

bool logs_view_action(app *a, key_action k)
{
    switch (k) {
    case K_STEP: {
        int i = 0;
        while (i < 4 && strcmp(steps[i], a->logs.step))
            i++;
        set_step(a, (i + 1) % 4);
        return true;
    }
    case K_STEP1: set_step(a, 0); return true;
    case K_STEP2: set_step(a, 1); return true;
    case K_STEP3: set_step(a, 2); return true;
    case K_STEP4: set_step(a, 3); return true;
    case K_FOLLOW: a->logs.follow = !a->logs.follow; restart(a); return true;
    case K_TIMESTAMPS: a->logs.timestamps = !a->logs.timestamps; restart(a); return true;
    case K_WRAP: a->logs.wrap = !a->logs.wrap; a->dirty = true; return true;
    case K_NEXT: jump_match(a, 1); return true;
    case K_PREV: jump_match(a, -1); return true;
    case K_SAVE_LOG: save_log(a); return true;
    default: return false;
    }
}

void logs_view_build(app *a, doc *head, doc *body, int width, mt_time now)
{
    log_view lv = {0};
    if (a->logs.fetch)
        logs_fetch_lock(a->logs.fetch, &lv);
    logs_opts o = {.step = a->logs.step, .follow = a->logs.follow, .wrap = a->logs.wrap,
                   .timestamps = a->logs.timestamps, .search = a->logs.search, .now = now,
                   .pod_tz = a->pod_tz_offset, .pod_tz_name = a->pod_tz_name,
                   .done = lv.done, .error = lv.error, .dropped = lv.dropped,
                   .now_ms = fmt_now_ms(), .data_ms = lv.data_ms};
    /* Lines are copied into the frame's arena by the doc, so the lock is
     * held only while building. */
    logs_header(head, lv.lines, lv.n, &o);
    int *matches, n;
    logs_build(body, lv.lines, lv.n, &o, width, &matches, &n);
    if (a->logs.fetch)
        logs_fetch_unlock(a->logs.fetch);
    if (!lv.n && !lv.error)
        doc_text(body, P_DIM, lv.done ? "(the log is empty)" : "waiting for log lines...");
    free(a->logs.matches);
    a->logs.matches = NULL;
    a->logs.n_matches = n;
    if (n) {
        a->logs.matches = malloc(sizeof *matches * (size_t)n);
        memcpy(a->logs.matches, matches, sizeof *matches * (size_t)n);
    }
    if (a->logs.match >= n)
        a->logs.match = n ? n - 1 : -1;
    if (a->logs.tell_matches && (lv.done || lv.n)) { /* the first frame after the search */
        a->logs.tell_matches = false;
        if (n)
            app_message(a, false, "%d line%s match \"%s\" (n next, N previous)", n, n == 1 ? "" : "s",
                        a->logs.search);
        else
            app_message(a, true, "no line matches \"%s\"", a->logs.search);
    }
}

int logs_view_fd(const app *a) { return a->logs.fetch ? logs_fetch_fd(a->logs.fetch) : -1; }

void logs_view_drain(app *a)
{
    if (a->logs.fetch)
        logs_fetch_drain(a->logs.fetch);
    a->dirty = true;
}
