/* terminate --force on a local task (engine/forget.h). */
#include "engine/forget.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/cdc_origin.h"
#include "engine/pg.h"
#include "engine/spec.h"
#include "engine/taskdir.h"
#include "model/fmt.h"

/* Stops whoever runs the task: the supervisor first (it would start the
 * runner again), then the runner; SIGKILL after 5 s. */
static void stop_processes(const char *dir)
{
    const char *locks[] = {ENGINE_SUPERVISOR_LOCK, ENGINE_LOCK_FILE};
    for (int i = 0; i < 2; i++) {
        pid_t p = engine_lock_holder_named(dir, locks[i]);
        if (p <= 0)
            continue;
        /* Twice: a runner already terminating takes the second as "give up". */
        kill(p, SIGTERM);
        kill(p, SIGTERM);
        for (int t = 0; t < 50 && engine_lock_holder_named(dir, locks[i]) == p; t++)
            fmt_sleep_ms(100);
        if (engine_lock_holder_named(dir, locks[i]) == p)
            kill(p, SIGKILL);
    }
}

/* One line: whether the object is there ("is still there", "is gone",
 * "could not be checked: ..."), then the SQL that drops it. */
static void check_one(strbuf *out, PGconn *c, const char *conn_err, const char *what,
                      const char *exists_sql, const char *param, const char *drop_sql)
{
    const char *state = NULL;
    char e2[600] = "";
    if (c) {
        const char *p[1] = {param};
        PGresult *r = pg_query_within(c, exists_sql, 1, p, 5000, e2, sizeof e2);
        state = !r ? NULL : PQntuples(r) ? "is still there" : "is gone";
        PQclear(r);
    }
    if (state)
        strbuf_printf(out, "  %s %s\n", what, state);
    else
        strbuf_printf(out, "  %s could not be checked: %s\n", what, c ? e2 : conn_err);
    if (!state || strcmp(state, "is gone"))
        strbuf_printf(out, "    %s\n", drop_sql);
}

static PGconn *open_side(const engine_spec *sp, const engine_endpoint *e, char *err,
                         size_t errlen)
{
    return engine_connect(sp, e, false, "migtop terminate --force", err, errlen);
}

static void what_remains(const engine_spec *sp, const char *name, strbuf *out)
{
    arena a;
    arena_init(&a);
    const char *slot = mt_slot_name(&a, name), *pub = mt_publication_name(&a, name);
    char origin[200], e1[600] = "", e2[600] = "", sql[900], label[600];
    cdc_origin_name(slot, origin, sizeof origin);
    PGconn *src = open_side(sp, &sp->src, e1, sizeof e1);
    engine_endpoint_label(&sp->src, label, sizeof label);
    strbuf_printf(out, "on the source %s:\n", label);
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
             "WHERE slot_name = '%s' AND active_pid IS NOT NULL; "
             "SELECT pg_drop_replication_slot('%s');", slot, slot);
    check_one(out, src, e1, arena_printf(&a, "replication slot %s", slot),
              "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", slot, sql);
    snprintf(sql, sizeof sql, "DROP PUBLICATION IF EXISTS \"%s\";", pub);
    check_one(out, src, e1, arena_printf(&a, "publication %s", pub),
              "SELECT 1 FROM pg_publication WHERE pubname = $1", pub, sql);
    PQfinish(src);
    PGconn *sink = open_side(sp, &sp->sink, e2, sizeof e2);
    engine_endpoint_label(&sp->sink, label, sizeof label);
    strbuf_printf(out, "on the sink %s:\n", label);
    snprintf(sql, sizeof sql, "SELECT pg_replication_origin_drop('%s');", origin);
    check_one(out, sink, e2, arena_printf(&a, "replication origin %s", origin),
              "SELECT 1 FROM pg_replication_origin WHERE roname = $1", origin, sql);
    PQfinish(sink);
    arena_free(&a);
}

/* STATE/forgotten/NAME-<UTC time>.txt, owner only. */
static bool keep_report(const char *state_dir, const char *name, const char *text, char *path,
                        size_t pathlen, char *err, size_t errlen)
{
    char dir[4200], file[300], when[32];
    snprintf(dir, sizeof dir, "%s/forgotten", state_dir);
    if (!engine_mkdirs(dir, err, errlen))
        return false;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(file, sizeof file, "%.200s-%s.txt", name, when);
    snprintf(path, pathlen, "%.4000s/%.250s", dir, file);
    return engine_write_file(dir, file, text, strlen(text), err, errlen);
}

bool engine_forget_task(const char *state_dir, const char *name, strbuf *report, char *err,
                        size_t errlen)
{
    char dir[4200];
    if (!engine_task_dir(state_dir, name, dir, sizeof dir, err, errlen))
        return false;
    engine_spec sp = {0};
    if (!engine_spec_load(&sp, dir, err, errlen))
        return false;
    stop_processes(dir);
    strbuf_printf(report, "task %s forgotten without its cleanup; what may remain, and the SQL "
                  "to drop it by hand:\n", name);
    what_remains(&sp, name, report);
    engine_spec_free(&sp);
    char path[4400];
    if (!keep_report(state_dir, name, strbuf_str(report), path, sizeof path, err, errlen))
        return false;
    strbuf_printf(report, "(kept in %s)\n", path);
    return engine_remove_tree(dir, err, errlen);
}
