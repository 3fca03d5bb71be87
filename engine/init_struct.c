/* init-struct: the structure of the migration objects on the sink, with
 * pg_dump/pg_restore. The whole source schema is dumped once (schema only,
 * custom format), then its table of contents is filtered to the objects
 * the tables need (catalog.h) by their catalog OIDs, so names with
 * spaces or quotes never have to be parsed. pre-data runs before the copy,
 * post-data (indexes in parallel, then constraints and triggers) after;
 * a big table's indexes start as soon as its copy ends (early_index.h).
 * Idempotent: an object that already exists on the sink is skipped, any
 * other error fails the step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/early_index.h"
#include "engine/index_progress.h"
#include "engine/pg.h"
#include "engine/restore.h"
#include "engine/steps.h"
#include "engine/struct_after.h"
#include "engine/struct_report.h"
#include "engine/taskdir.h"
#include "engine/tools.h"

#define TOC_FILE "schema.toc"
#define INDEX_LIST_FILE "post-data-indexes.list"
#define REST_LIST_FILE "post-data-constraints.list"

/* "215; 1259 16389 TABLE public t owner": kept when (1259, 16389) is part of
 * the closure; "3367; 0 16386 ROW SECURITY ..." when its table is; "3213;
 * 0 0 TABLE ATTACH s p1 owner" when the closure makes that very line. */
static bool toc_wanted(const pgp_closure *c, unsigned classid, unsigned objid, const char *rest)
{
    if (classid)
        return pgp_closure_find(c, classid, objid) != NULL;
    if (objid)
        return pgp_closure_find(c, 1259, objid) != NULL;
    char line[8192];
    snprintf(line, sizeof line, "%s", rest);
    line[strcspn(line, "\r\n")] = '\0';
    return pgp_closure_has_line(c, line);
}

/* Keeps the entries of the closure; tallies them by kind. Returns the
 * number of entries kept, -1 on an I/O failure. */
static long filter_toc(const char *toc_path, const char *list_path, const pgp_closure *c,
                       struct_tally *tally, char *err, size_t errlen)
{
    FILE *in = fopen(toc_path, "r"), *out = fopen(list_path, "w");
    if (!in || !out) {
        snprintf(err, errlen, "cannot filter %s: %s", toc_path, strerror(errno));
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return -1;
    }
    char line[8192];
    long kept = 0;
    while (fgets(line, sizeof line, in)) {
        if (line[0] == ';')
            continue;
        unsigned id, classid, objid;
        int used = 0;
        if (sscanf(line, "%u; %u %u %n", &id, &classid, &objid, &used) < 3 || !used)
            continue;
        if (!toc_wanted(c, classid, objid, line + used))
            continue;
        fputs(line, out);
        kept++;
        const pgp_obj *o = classid ? pgp_closure_find(c, classid, objid) : NULL;
        if (o)
            struct_tally_add(tally, o->kind);
    }
    fclose(in);
    if (fclose(out) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", list_path, strerror(errno));
        return -1;
    }
    return kept;
}

static bool dump_schema(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    engine_log *log = &r->log[ES_INIT_STRUCT];
    char tool[1024], conn[4096], dump[4300], toc[4300], list[4300], errf[4300], e2[1024];
    engine_tool_path("pg_dump", tool, sizeof tool);
    int tool_major = engine_tool_major(tool, err, errlen);
    if (!tool_major)
        return false;
    int server_major = PQserverVersion(src) / 10000;
    if (tool_major < server_major) {
        snprintf(err, errlen,
                 "pg_dump %d (%s) is older than the source server (PostgreSQL %d): install "
                 "the PostgreSQL %d client (e.g. postgresql-client-%d) or point "
                 "MIGTOP_PG_BINDIR at its bin directory",
                 tool_major, tool, server_major, server_major, server_major);
        return false;
    }
    engine_conninfo(&r->spec, &r->spec.src, conn, sizeof conn);
    snprintf(dump, sizeof dump, "%s/%s", r->dir, ENGINE_DUMP_FILE);
    snprintf(errf, sizeof errf, "%s/pg_dump.err", r->dir);
    char *argv[] = {tool, "--schema-only", "-Fc", "--no-publications", "--no-subscriptions",
                    "--no-security-labels", "--no-tablespaces", "-f", dump, "-d", conn, NULL};
    engine_logf(log, "INFO", "pg_dump %d: schema of %s@%s:%s/%s", tool_major, r->spec.src.user,
                r->spec.src.host, r->spec.src.port, r->spec.src.db);
    int rc = engine_tool_run(argv, NULL, NULL, errf, &r->stop, err, errlen);
    if (rc != 0) {
        if (rc > 0) {
            size_t l;
            char *msg = engine_read_file(errf, &l, e2, sizeof e2);
            if (msg)
                msg[strcspn(msg, "\n")] = 0;
            snprintf(err, errlen, "pg_dump failed (exit %d): %s", rc, msg ? msg : "");
            free(msg);
        }
        return false;
    }
    unlink(errf);
    engine_tool_path("pg_restore", tool, sizeof tool);
    snprintf(toc, sizeof toc, "%s/%s", r->dir, TOC_FILE);
    char *largv[] = {tool, "-l", dump, NULL};
    rc = engine_tool_run(largv, NULL, toc, NULL, &r->stop, err, errlen);
    if (rc != 0) {
        if (rc > 0)
            snprintf(err, errlen, "pg_restore -l failed (exit %d)", rc);
        return false;
    }
    pgp_closure clo;
    if (!struct_closure(r, src, &clo, err, errlen))
        return false;
    snprintf(list, sizeof list, "%s/%s", r->dir, ENGINE_LIST_FILE);
    struct_tally tally = {0};
    long kept = filter_toc(toc, list, &clo, &tally, err, errlen);
    unlink(toc);
    if (kept >= 0)
        struct_report(r, &clo, &tally, kept);
    pgp_closure_free(&clo);
    return kept >= 0;
}

/* Splits the selected entries into indexes (with index-backed
 * constraints) and the rest, by the entry's type after the three numbers
 * ("217; 1259 16400 INDEX public t_idx owner"); the indexes the copy's
 * early builds took are theirs. *n_index: the indexes left. */
static bool split_post_data(engine_runner *r, const char *list, long *n_index, char *err,
                            size_t errlen)
{
    *n_index = 0;
    char ip[4300], rp[4300];
    snprintf(ip, sizeof ip, "%s/%s", r->dir, INDEX_LIST_FILE);
    snprintf(rp, sizeof rp, "%s/%s", r->dir, REST_LIST_FILE);
    FILE *in = fopen(list, "r"), *idx = fopen(ip, "w"), *rest = fopen(rp, "w");
    bool ok = in && idx && rest;
    if (!ok)
        snprintf(err, errlen, "cannot split %s: %s", list, strerror(errno));
    char line[8192];
    while (ok && fgets(line, sizeof line, in)) {
        unsigned id, classid, objid;
        int used = 0;
        if (sscanf(line, "%u; %u %u %n", &id, &classid, &objid, &used) < 3 || !used)
            continue;
        const char *type = line + used;
        bool is_index = !strncmp(type, "INDEX ", 6) || !strncmp(type, "CONSTRAINT ", 11);
        if (is_index && early_index_took(r->early, id))
            continue;
        *n_index += is_index;
        fputs(line, is_index ? idx : rest);
    }
    if (in)
        fclose(in);
    bool opened = ok;
    if (idx && fclose(idx) != 0)
        ok = false;
    if (rest && fclose(rest) != 0)
        ok = false;
    if (opened && !ok)
        snprintf(err, errlen, "cannot write the post-data lists in %s", r->dir);
    return ok;
}

bool engine_step_init_struct(engine_runner *r, char *err, size_t errlen)
{
    PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop init-struct", err,
                                 errlen);
    if (!src)
        return false;
    bool ok = engine_runner_tables(r, src, err, errlen) && dump_schema(r, src, err, errlen);
    PQfinish(src);
    if (ok)
        ok = engine_restore(r, "pre-data", ENGINE_LIST_FILE, 1, 0, err, errlen);
    return ok;
}

bool engine_step_post_data(engine_runner *r, char *err, size_t errlen)
{
    char list[4300];
    snprintf(list, sizeof list, "%s/%s", r->dir, ENGINE_LIST_FILE);
    if (access(list, R_OK) != 0) {
        /* A restarted runner whose init-struct finished in an earlier run. */
        PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop post-data", err,
                                     errlen);
        if (!src)
            return false;
        bool ok = engine_runner_tables(r, src, err, errlen) && dump_schema(r, src, err, errlen);
        PQfinish(src);
        if (!ok)
            return false;
    }
    /* Indexes (and the constraints that are indexes: primary keys,
     * unique, exclusion) first, all in parallel; then what needs them:
     * foreign keys, triggers, rules. */
    long n_index;
    bool ok = split_post_data(r, list, &n_index, err, errlen);
    index_progress ip;
    index_progress_start(&ip, r); /* which index builds, said in the status */
    /* Beside a table's builds begun during the copy, if one is under way. */
    if (ok && n_index)
        ok = engine_restore(r, "post-data", INDEX_LIST_FILE, r->jobs,
                            engine_index_mem_mb(r, r->jobs + (r->early != NULL)), err, errlen);
    char e2[1024];
    if (!early_index_finish(r->early, e2, sizeof e2) && ok) {
        snprintf(err, errlen, "%s", e2);
        ok = false;
    }
    r->early = NULL;
    index_progress_stop(&ip);
    /* No foreign key, trigger or rule: no restore (a tenth of a second
     * of a small task's time). When pg_restore cannot say, it runs. */
    bool any = true;
    if (ok && !engine_restore_any(r, "post-data", REST_LIST_FILE, &any, e2, sizeof e2))
        engine_logf(&r->log[ES_INIT_STRUCT], "WARN", "%s", e2);
    if (ok && any)
        ok = engine_restore(r, "post-data", REST_LIST_FILE, r->jobs, 0, err, errlen);
    return ok && engine_struct_after(r, err, errlen);
}
