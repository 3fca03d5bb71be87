#include "cutover/report.h"

#include "engine/taskdir.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void cut_log_event(cut_log *l, const char *fmt, ...)
{
    if (l->n_events == CUT_MAX_EVENTS) { /* keep the newest: drop the oldest half */
        memmove(l->events, l->events + CUT_MAX_EVENTS / 2,
                sizeof *l->events * (CUT_MAX_EVENTS / 2));
        l->n_events = CUT_MAX_EVENTS / 2;
    }
    cut_event *e = &l->events[l->n_events++];
    e->at_ms = fmt_now_ms();
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    for (char *p = e->text; *p; p++) /* one line per event */
        if (*p == '\n')
            *p = ';';
}

void cut_log_point(cut_log *l, int64_t at_ms, double lag_s, double writes_per_s)
{
    if (l->n_points == CUT_MAX_POINTS) {
        for (int i = 0; i < CUT_MAX_POINTS / 2; i++) {
            const cut_point *a = &l->points[2 * i], *b = &l->points[2 * i + 1];
            cut_point m = {.at_ms = b->at_ms, .lag_s = a->lag_s > b->lag_s ? a->lag_s : b->lag_s};
            m.writes_per_s = a->writes_per_s < 0   ? b->writes_per_s
                             : b->writes_per_s < 0 ? a->writes_per_s
                                                   : (a->writes_per_s + b->writes_per_s) / 2;
            l->points[i] = m;
        }
        l->n_points = CUT_MAX_POINTS / 2;
    }
    l->points[l->n_points++] = (cut_point){at_ms, (float)lag_s, (float)writes_per_s};
}

void cut_time_text(int64_t ms, char *buf, size_t n)
{
    if (!ms) {
        snprintf(buf, n, "-");
        return;
    }
    fmt_rfc3339((mt_time)(ms / 1000), buf, n);
}

static void write_md(FILE *f, const cut_log *l)
{
    char a[32], b[32];
    cut_time_text(l->started_ms, a, sizeof a);
    cut_time_text(l->ended_ms, b, sizeof b);
    fprintf(f, "# Cutover of %s\n\n- backend: %s\n- started: %s\n- ended: %s\n- outcome: %s\n\n",
            l->task, l->backend, a, b, l->outcome);
    fprintf(f, "## Gates\n\n| # | gate | state | decided | override reason |\n|---|---|---|---|---|\n");
    for (int i = 0; i < CG_N; i++) {
        cut_time_text(l->gates[i].decided_ms, a, sizeof a);
        fprintf(f, "| %d | %s | %s | %s | %s |\n", i + 1, cut_gate_titles[i],
                cut_state_name(l->gates[i].state), a,
                l->gates[i].reason[0] ? l->gates[i].reason : "");
    }
    for (int i = 0; i < CG_N; i++) {
        fprintf(f, "\n### %d. %s: %s\n\n```\n%s\n```\n", i + 1, cut_gate_titles[i],
                cut_state_name(l->gates[i].state),
                l->gates[i].reading[0] ? l->gates[i].reading : "(not read)");
        if (l->gates[i].todo[0] && l->gates[i].state != CGS_PASS)
            fprintf(f, "\nTo do: %s\n", l->gates[i].todo);
    }
    fprintf(f, "\n## Log\n\n");
    for (int i = 0; i < l->n_events; i++) {
        cut_time_text(l->events[i].at_ms, a, sizeof a);
        fprintf(f, "- %s %s\n", a, l->events[i].text);
    }
}

static char *json_of(const cut_log *l)
{
    char t[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", l->task);
    cJSON_AddStringToObject(o, "backend", l->backend);
    cut_time_text(l->started_ms, t, sizeof t);
    cJSON_AddStringToObject(o, "started", t);
    cut_time_text(l->ended_ms, t, sizeof t);
    cJSON_AddStringToObject(o, "ended", t);
    cJSON_AddStringToObject(o, "outcome", l->outcome);
    cJSON *gates = cJSON_AddArrayToObject(o, "gates");
    for (int i = 0; i < CG_N; i++) {
        const cut_gate *g = &l->gates[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "gate", i + 1);
        cJSON_AddStringToObject(j, "title", cut_gate_titles[i]);
        cJSON_AddStringToObject(j, "state", cut_state_name(g->state));
        cJSON_AddStringToObject(j, "reading", g->reading);
        cJSON_AddStringToObject(j, "todo", g->state == CGS_PASS ? "" : g->todo);
        if (g->reason[0])
            cJSON_AddStringToObject(j, "override_reason", g->reason);
        cut_time_text(g->decided_ms, t, sizeof t);
        cJSON_AddStringToObject(j, "decided", g->decided_ms ? t : "");
        cJSON_AddItemToArray(gates, j);
    }
    cJSON *ev = cJSON_AddArrayToObject(o, "events");
    for (int i = 0; i < l->n_events; i++) {
        cJSON *j = cJSON_CreateObject();
        cut_time_text(l->events[i].at_ms, t, sizeof t);
        cJSON_AddStringToObject(j, "at", t);
        cJSON_AddStringToObject(j, "what", l->events[i].text);
        cJSON_AddItemToArray(ev, j);
    }
    cJSON *pts = cJSON_AddArrayToObject(o, "readings");
    for (int i = 0; i < l->n_points; i++) {
        const cut_point *p = &l->points[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "at_ms", (double)p->at_ms);
        if (p->lag_s >= 0)
            cJSON_AddNumberToObject(j, "lag_s", p->lag_s);
        if (p->writes_per_s >= 0)
            cJSON_AddNumberToObject(j, "writes_per_s", p->writes_per_s);
        cJSON_AddItemToArray(pts, j);
    }
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}

void cut_report_dir(const char *backend_name, const char *scope, char *out, size_t n)
{
    if (backend_name && !strcmp(backend_name, "local") && scope && *scope) {
        snprintf(out, n, "%s/cutover", scope);
        return;
    }
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char base[4096];
    if (xdg && *xdg)
        snprintf(base, sizeof base, "%s/migtop/cutover", xdg);
    else
        snprintf(base, sizeof base, "%s/.local/state/migtop/cutover", home ? home : ".");
    /* A context's name may hold '/': one directory per context all the same. */
    char ctx[512];
    snprintf(ctx, sizeof ctx, "%s", scope && *scope ? scope : "default");
    for (char *p = ctx; *p; p++)
        if (*p == '/')
            *p = '_';
    snprintf(out, n, "%.3500s/%s", base, ctx);
}

/* Creates path owner-only, never over an existing file: false (errno
 * EEXIST) when it is there. */
static FILE *create_new(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    return fd < 0 ? NULL : fdopen(fd, "w");
}

bool cut_log_save(const cut_log *l, const char *dir, char *md_path, size_t n, char *err,
                  size_t errlen)
{
    if (!engine_mkdirs(dir, err, errlen))
        return false;
    char stamp[32], base[700];
    time_t s = (time_t)(l->started_ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    /* "ns/name" names one file, not a directory. */
    char task[512];
    snprintf(task, sizeof task, "%s", l->task);
    for (char *p = task; *p; p++)
        if (*p == '/')
            *p = '_';
    /* Each run its own pair of files: a second run started in the same
     * second gets -2, -3... */
    char path[4800];
    FILE *f = NULL;
    for (int k = 1; !f && k < 100; k++) {
        if (k == 1)
            snprintf(base, sizeof base, "%s-cutover-%s", task, stamp);
        else
            snprintf(base, sizeof base, "%s-cutover-%s-%d", task, stamp, k);
        snprintf(path, sizeof path, "%.4000s/%s.md", dir, base);
        f = create_new(path);
        if (!f && errno != EEXIST)
            break;
    }
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    write_md(f, l);
    bool ok = fclose(f) == 0;
    snprintf(md_path, n, "%s", path);
    snprintf(path, sizeof path, "%.4000s/%s.json", dir, base);
    char *js = json_of(l);
    f = create_new(path);
    if (f) {
        fputs(js, f);
        fputc('\n', f);
        ok = fclose(f) == 0 && ok;
    }
    free(js);
    if (!f || !ok) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    snprintf(path, sizeof path, "%.4000s/%s.html", dir, base);
    if (!(f = create_new(path))) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    cut_log_write_html(f, l);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}
