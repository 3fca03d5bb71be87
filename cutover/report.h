/* The cutover report: every gate's reading, decision, override reason and
 * time, and the log of what happened, as Markdown for people and JSON for
 * machines, one pair of files per run (never overwritten, owner only),
 * beside the task: STATE/cutover/ for a local task (its own directory goes
 * when it is terminated), $XDG_STATE_HOME/migtop/cutover/CONTEXT/ for a
 * Kubernetes one. The pause record (cutover/writes.h) goes there too. */
#ifndef MIGTOP_TUI_WIZ_CUTOVER_REPORT_H
#define MIGTOP_TUI_WIZ_CUTOVER_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "cutover/gates.h"

#define CUT_MAX_EVENTS 256
/* The readings over the whole cutover, for the report's charts: one a
 * second at first; when full, pairs are merged (the lag's peak, the
 * writes' mean), so an hour-long cutover still fits, coarser. */
#define CUT_MAX_POINTS 1800

typedef struct cut_event {
    int64_t at_ms;
    char text[320];
} cut_event;

typedef struct cut_point {
    int64_t at_ms;      /* wall clock */
    float lag_s;        /* the slot's lag; < 0: not read */
    float writes_per_s; /* the business's write transactions a second; < 0: not known */
} cut_point;

typedef struct cut_log {
    char task[512], backend[16];
    int64_t started_ms, ended_ms;
    char outcome[256]; /* "switched at ...", "aborted at gate 3 ..." */
    cut_gate gates[CG_N];
    cut_event events[CUT_MAX_EVENTS];
    int n_events;
    cut_point points[CUT_MAX_POINTS];
    int n_points;
} cut_log;

void cut_log_event(cut_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A wall-clock time in ms as RFC 3339 ("-" for 0), for every form of the report. */
void cut_time_text(int64_t ms, char *buf, size_t n);
void cut_log_point(cut_log *l, int64_t at_ms, double lag_s, double writes_per_s);
/* The report as one self-contained HTML page (inline SVG charts of the lag
 * and the writes, each gate's reading, decision time and override reason,
 * the log), for a browser. */
void cut_log_write_html(FILE *f, const cut_log *l);
/* The directory for a backend ("local", "kube") and its scope (the state
 * directory, the context's name). */
void cut_report_dir(const char *backend_name, const char *scope, char *out, size_t n);
/* Writes NAME-cutover-TIME[-N].md, .json and .html into dir (created when
 * missing); md_path gets the Markdown's path. */
bool cut_log_save(const cut_log *l, const char *dir, char *md_path, size_t n, char *err,
                  size_t errlen);

#endif
