#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/local_internal.h"
#include "engine/taskdir.h"
#include "model/fmt.h"

/* Our lines start with an RFC 3339 time ("2026-01-01T00:00:00.123Z"). */
static bool line_time(const char *line, size_t len, mt_time *t)
{
    char b[40];
    size_t n = 0;
    while (n < len && n < sizeof b - 1 && line[n] != ' ')
        n++;
    memcpy(b, line, n);
    b[n] = 0;
    return fmt_parse_rfc3339(b, t);
}

typedef struct emit_ctx {
    const mt_logs_opts *o;
    mt_log_line_fn fn;
    void *ctx;
    mt_time since;
    bool stopped;
} emit_ctx;

static void emit(emit_ctx *e, const char *line, size_t len)
{
    if (e->stopped)
        return;
    mt_time t;
    if (e->since && line_time(line, len, &t) && t < e->since)
        return;
    if (!e->fn(e->ctx, line, len))
        e->stopped = true;
}

/* Hands every complete line of buf[0..n) to emit, keeping the last
 * `tail` when tail >= 0; returns the bytes consumed. */
static size_t emit_lines(emit_ctx *e, const char *buf, size_t n, long tail)
{
    size_t start = 0;
    if (tail >= 0) {
        size_t i = n;
        while (i > 0 && buf[i - 1] != '\n')
            i--; /* a partial last line is not counted */
        for (long cnt = 0; i > 0; cnt++) {
            if (cnt == tail) {
                start = i;
                break;
            }
            size_t j = i - 1; /* the line [j, i-1) ends at the '\n' at i-1 */
            while (j > 0 && buf[j - 1] != '\n')
                j--;
            i = j;
        }
    }
    size_t p = start;
    for (size_t i = start; i < n; i++)
        if (buf[i] == '\n') {
            emit(e, buf + p, i - p);
            p = i + 1;
        }
    return p;
}

bool engine_local_logs(mt_backend *b, const char *ns, const char *task, const mt_logs_opts *o,
                       mt_log_line_fn fn, void *ctx, char *err, size_t errlen)
{
    (void)ns;
    char dir[4200], path[4400];
    if (!engine_task_dir(engine_backend_state_dir(b), task, dir, sizeof dir, err, errlen))
        return false;
    const char *step = o->step && *o->step ? o->step : "init-data";
    if (!strcmp(step, "post-data"))
        step = "init-struct";
    if (strcmp(step, "precheck") && strcmp(step, "init-struct") && strcmp(step, "init-data") &&
        strcmp(step, "cdc")) {
        snprintf(err, errlen, "--step: unknown step \"%s\" (precheck, init-struct, init-data, cdc)",
                 step);
        return false;
    }
    snprintf(path, sizeof path, "%s/%s", dir, ENGINE_SPEC_FILE);
    if (access(path, F_OK) != 0) {
        snprintf(err, errlen, "no local task \"%s\"", task);
        return false;
    }
    snprintf(path, sizeof path, "%s/%s.log", dir, step);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "task %s has no %s log yet (the step has not started)", task, step);
        return false;
    }
    emit_ctx e = {.o = o, .fn = fn, .ctx = ctx};
    if (o->since_seconds > 0)
        e.since = (mt_time)time(NULL) - o->since_seconds;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    /* The whole file first (tail needs the end), then what is appended. */
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    size_t used = emit_lines(&e, buf, n, o->tail_lines);
    memmove(buf, buf + used, n - used);
    n -= used;
    while (o->follow && !e.stopped && !(o->keep_going && !o->keep_going(ctx))) {
        clearerr(f);
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0) {
            if (access(dir, F_OK) != 0)
                break; /* the task was terminated and removed */
            fmt_sleep_ms(250);
            continue;
        }
        n += r;
        used = emit_lines(&e, buf, n, -1);
        memmove(buf, buf + used, n - used);
        n -= used;
        if (n == cap) { /* one huge line: hand it over as is */
            emit(&e, buf, n);
            n = 0;
        }
    }
    if (!o->follow && n && !e.stopped)
        emit(&e, buf, n);
    free(buf);
    fclose(f);
    return true;
}
