#include "cli/cutover_writes.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cutover/gates.h"
#include "cutover/writes.h"

/* Seconds without a write before the writes count as stopped. */
#define QUIET_S 3

/* Samples the source every second until QUIET_S in a row saw no write, or
 * the timeout. */
static bool writes_stopped(const pgp_endpoint *src, const char *task, int timeout_s,
                           char *last, size_t n)
{
    cut_sampler s;
    cut_sampler_init(&s, src, task);
    int quiet = 0;
    bool ok = false;
    for (int i = 0; i <= timeout_s && !ok; i++) {
        if (i)
            sleep(1);
        cut_sample(&s, NULL);
        cut_gate g = {0};
        cut_gate_writes(&s, &g);
        snprintf(last, n, "%s", g.reading);
        quiet = g.state == CGS_PASS ? quiet + 1 : 0;
        ok = quiet >= QUIET_S;
    }
    cut_sampler_free(&s);
    return ok;
}

int cutover_pause_writes(cli *c, const char *task, const pgp_endpoint *src, const char *dir,
                         int timeout_s)
{
    char err[1024], text[4000], last[1024] = "";
    cut_writers w;
    if (!cut_writers_list(src, NULL, &w, err, sizeof err))
        return cli_fail(c, "listing the sessions that can write: %s", err);
    cut_writers_text(&w, text, sizeof text);
    printf("ending %s\n", text);
    cut_pause rec;
    if (cut_pause_load(dir, task, &rec) && rec.switched_ms)
        return cli_fail(c, "task %s was switched to the sink already; its source stays paused",
                        task);
    if (!rec.previous[0])
        memset(&rec, 0, sizeof rec); /* no record: read what the database has */
    if (!cut_pause_writes(src, NULL, &rec, err, sizeof err))
        return cli_fail(c, "pausing the writes: %s", err);
    if (!cut_pause_save(dir, task, &rec, err, sizeof err))
        fprintf(stderr, "migtop cutover: warning: the pause record could not be kept (resume "
                        "then resets the setting): %s\n", err);
    printf("database %s read-only for new sessions (its own setting was %s); %d session(s) "
           "ended\n", rec.db, rec.previous, rec.ended);
    fflush(stdout);
    if (!writes_stopped(src, task, timeout_s, last, sizeof last))
        return cli_fail(c, "the writes did not stop within %d s: %s", timeout_s, last);
    printf("writes stopped: %s\n", last);
    return 0;
}

int cutover_resume_writes(cli *c, const char *task, const pgp_endpoint *src, const char *dir,
                          bool after_switch)
{
    cut_pause rec;
    char err[1024];
    if (!cut_pause_load(dir, task, &rec))
        return cli_fail(c, "no pause of %s is recorded in %s: nothing to resume (ALTER DATABASE "
                        "... RESET default_transaction_read_only does it by hand)", task, dir);
    if (rec.switched_ms && !after_switch) {
        char when[40];
        time_t t = (time_t)(rec.switched_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        return cli_fail(c, "task %s was switched to the sink at %s: writes on the source now "
                        "would not reach the sink (CDC of this task may be gone). If that is "
                        "what you want, --after-switch resumes them", task, when);
    }
    if (!cut_resume_writes(src, &rec, NULL, err, sizeof err))
        return cli_fail(c, "resuming the writes: %s", err);
    cut_pause_forget(dir, task);
    printf("writes resumed on %s: its own setting (%s) is back%s\n", rec.db, rec.previous,
           rec.switched_ms ? "; the source is writable again after the switch" : "");
    return 0;
}
