#include "cutover/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
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

static void iso(int64_t ms, char *buf, size_t n)
{
    if (!ms) {
        snprintf(buf, n, "-");
        return;
    }
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool mkdirs(const char *path, char *err, size_t errlen)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0700);
            *s = '/';
        }
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
        return false;
    }
    return true;
}

static void write_md(FILE *f, const cut_log *l)
{
    char a[32], b[32];
    iso(l->started_ms, a, sizeof a);
    iso(l->ended_ms, b, sizeof b);
    fprintf(f, "# Cutover of %s\n\n- backend: %s\n- started: %s\n- ended: %s\n- outcome: %s\n\n",
            l->task, l->backend, a, b, l->outcome);
    fprintf(f, "## Gates\n\n| # | gate | state | decided | override reason |\n|---|---|---|---|---|\n");
    for (int i = 0; i < CG_N; i++) {
        iso(l->gates[i].decided_ms, a, sizeof a);
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
        iso(l->events[i].at_ms, a, sizeof a);
        fprintf(f, "- %s %s\n", a, l->events[i].text);
    }
}

static char *json_of(const cut_log *l)
{
    char t[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", l->task);
    cJSON_AddStringToObject(o, "backend", l->backend);
    iso(l->started_ms, t, sizeof t);
    cJSON_AddStringToObject(o, "started", t);
    iso(l->ended_ms, t, sizeof t);
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
        iso(g->decided_ms, t, sizeof t);
        cJSON_AddStringToObject(j, "decided", g->decided_ms ? t : "");
        cJSON_AddItemToArray(gates, j);
    }
    cJSON *ev = cJSON_AddArrayToObject(o, "events");
    for (int i = 0; i < l->n_events; i++) {
        cJSON *j = cJSON_CreateObject();
        iso(l->events[i].at_ms, t, sizeof t);
        cJSON_AddStringToObject(j, "at", t);
        cJSON_AddStringToObject(j, "what", l->events[i].text);
        cJSON_AddItemToArray(ev, j);
    }
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}

bool cut_log_save(const cut_log *l, const char *dir, char *md_path, size_t n, char *err,
                  size_t errlen)
{
    char where[4096];
    if (dir && *dir) {
        snprintf(where, sizeof where, "%s", dir);
    } else {
        const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(where, sizeof where, "%s/migtop/cutover", xdg);
        else
            snprintf(where, sizeof where, "%s/.local/state/migtop/cutover", home ? home : ".");
    }
    if (!mkdirs(where, err, errlen))
        return false;
    char stamp[32], base[600];
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
    snprintf(base, sizeof base, "%s-cutover-%s", task, stamp);
    char path[4800];
    snprintf(path, sizeof path, "%s/%s.md", where, base);
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    write_md(f, l);
    bool ok = fclose(f) == 0;
    snprintf(md_path, n, "%s", path);
    snprintf(path, sizeof path, "%s/%s.json", where, base);
    char *js = json_of(l);
    f = fopen(path, "w");
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
    return true;
}
