/* init-data: the publication, the slot and its exported snapshot, then the
 * parallel copy (copy.h) of every table as of that snapshot. The slot is
 * created on a replication connection with EXPORT_SNAPSHOT and that
 * connection stays open and idle until the copy ends: the snapshot is
 * exactly the slot's consistent point, so CDC starting from the slot
 * replays every change after the copy and none before (no gap, no
 * overlap). An initialization-only task gets a plain exported snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/copy.h"
#include "engine/early_index.h"
#include "engine/lobs.h"
#include "engine/pg.h"
#include "engine/steps.h"
#include "engine/struct_after.h"
#include "engine/taskdir.h"
#include "model/strbuf.h"
#include "pgprobe/orphans.h"
#include "pgprobe/identity.h"

/* Tables bigger than this are split into block ranges. */
#define SPLIT_BYTES (48LL << 20)
#define MAX_PARTS 16

/* Marked as migtop's, this task's, this host's (pgprobe/orphans.h): so
 * what is left of a task gone can be found, and told from the add-on's. */
static bool mark_publication(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    char host[256] = "?", e2[700];
    gethostname(host, sizeof host - 1);
    arena a;
    arena_init(&a);
    const char *mark = pgp_orphan_mark(&a, r->opts.name, r->state_dir, host);
    char *pub = PQescapeIdentifier(src, r->publication, strlen(r->publication));
    char *lit = PQescapeLiteral(src, mark, strlen(mark));
    strbuf sql = {0};
    strbuf_printf(&sql, "COMMENT ON PUBLICATION %s IS %s", pub, lit ? lit : "''");
    PQfreemem(pub);
    PQfreemem(lit);
    arena_free(&a);
    bool ok = pg_exec(src, sql.s, e2, sizeof e2);
    strbuf_free(&sql);
    if (!ok)
        snprintf(err, errlen, "cannot mark publication %s as migtop's: %s", r->publication, e2);
    return ok;
}

static bool ensure_publication(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    const char *params[1] = {r->publication};
    PGresult *res = pg_query(src, "SELECT 1 FROM pg_publication WHERE pubname = $1", 1, params,
                             err, errlen);
    if (!res)
        return false;
    bool exists = PQntuples(res) > 0;
    PQclear(res);
    char *pub = PQescapeIdentifier(src, r->publication, strlen(r->publication));
    size_t cap = strlen(pub) + 64;
    for (size_t i = 0; i < r->n_tables; i++)
        cap += strlen(r->tables[i].qname) + 2;
    char *sql = malloc(cap);
    if (!sql)
        abort();
    size_t n = (size_t)snprintf(sql, cap, exists ? "ALTER PUBLICATION %s SET TABLE " :
                                                   "CREATE PUBLICATION %s FOR TABLE ", pub);
    for (size_t i = 0; i < r->n_tables; i++)
        n += (size_t)snprintf(sql + n, cap - n, "%s%s", i ? ", " : "", r->tables[i].qname);
    PQfreemem(pub);
    char e2[700];
    bool ok = pg_exec(src, sql, e2, sizeof e2);
    free(sql);
    if (!ok)
        snprintf(err, errlen, "cannot %s publication %s: %s", exists ? "alter" : "create",
                 r->publication, e2);
    else
        engine_logf(&r->log[ES_INIT_DATA], "INFO", "publication %s %s for %zu table(s)",
                    r->publication, exists ? "updated" : "created", r->n_tables);
    return ok && mark_publication(r, src, err, errlen);
}

/* A slot left by an init-data that did not finish is useless (its
 * snapshot is gone with its connection): drop it and start over. */
static bool drop_stale_slot(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    const char *params[1] = {r->slot};
    PGresult *res = pg_query(src,
                             "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                             " WHERE slot_name = $1 AND active_pid IS NOT NULL",
                             1, params, err, errlen);
    if (!res)
        return false;
    PQclear(res);
    res = pg_query(src,
                   "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                   " WHERE slot_name = $1",
                   1, params, err, errlen);
    if (!res)
        return false;
    if (PQntuples(res))
        engine_logf(&r->log[ES_INIT_DATA], "INFO",
                    "dropped slot %s left by an earlier init-data", r->slot);
    PQclear(res);
    return true;
}

static bool create_slot(engine_runner *r, char *err, size_t errlen)
{
    char e2[700];
    r->snap_conn = engine_connect(&r->spec, &r->spec.src, true, "migtop init-data snapshot",
                                  err, errlen);
    if (!r->snap_conn)
        return false;
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE_REPLICATION_SLOT \"%s\" LOGICAL pgoutput EXPORT_SNAPSHOT",
             r->slot);
    PGresult *res = PQexec(r->snap_conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        pg_error(r->snap_conn, res, e2, sizeof e2);
        snprintf(err, errlen, "cannot create the replication slot %s: %s", r->slot, e2);
        PQclear(res);
        return false;
    }
    snprintf(r->status.consistent_point, sizeof r->status.consistent_point, "%s",
             PQgetvalue(res, 0, 1));
    snprintf(r->snapshot, sizeof r->snapshot, "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
    engine_logf(&r->log[ES_INIT_DATA], "INFO",
                "slot %s created: consistent_point %s, exported snapshot %s", r->slot,
                r->status.consistent_point, r->snapshot);
    return true;
}

static bool export_plain_snapshot(engine_runner *r, char *err, size_t errlen)
{
    char e2[700];
    r->snap_conn = engine_connect(&r->spec, &r->spec.src, false, "migtop init-data snapshot",
                                  err, errlen);
    if (!r->snap_conn)
        return false;
    PGresult *res = NULL;
    if (!pg_exec(r->snap_conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e2,
                 sizeof e2) ||
        !(res = pg_query(r->snap_conn, "SELECT pg_export_snapshot()", 0, NULL, e2, sizeof e2))) {
        snprintf(err, errlen, "cannot export a snapshot: %s", e2);
        return false;
    }
    snprintf(r->snapshot, sizeof r->snapshot, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    engine_logf(&r->log[ES_INIT_DATA], "INFO", "exported snapshot %s (no slot: initialization only)",
                r->snapshot);
    return true;
}

/* What the copy needs to know of a table, read inside the snapshot so it
 * matches what is copied. */
typedef struct table_layout {
    char *cols;     /* copied columns (not dropped, not generated), quoted */
    long blocks;    /* main fork size, for the block ranges */
    int64_t size;   /* with TOAST, for the progress estimate */
    bool builtin;   /* every column of a built-in type: binary COPY works */
} table_layout;

static bool read_layout(engine_runner *r, PGconn *src, table_layout *lay, char *err,
                        size_t errlen)
{
    for (size_t i = 0; i < r->n_tables; i++) {
        char oid[16];
        snprintf(oid, sizeof oid, "%u", r->tables[i].oid);
        const char *params[1] = {oid};
        /* Binary only when every column's type (and an array's element
         * type) comes from initdb (OID below 16384, FirstNormalObjectId:
         * a user type's binary form may carry the source's OIDs, as
         * arrays and composites do), has binary I/O (aclitem has none),
         * and is not an OID alias (regclass... travel as numbers in
         * binary, as names in text). Other tables are copied as text. */
        PGresult *res = pg_query(
            src,
            "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),"
            " coalesce(bool_and(t.oid < 16384 AND t.typsend <> 0 AND t.typreceive <> 0"
            "   AND t.typname !~ '^_?reg'"
            "   AND (e.oid IS NULL OR (e.oid < 16384 AND e.typsend <> 0"
            "        AND e.typreceive <> 0 AND e.typname !~ '^reg'))), true),"
            " pg_relation_size($1::oid) / current_setting('block_size')::bigint,"
            " pg_table_size($1::oid)"
            " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            " LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'"
            " WHERE a.attrelid = $1::oid AND a.attnum > 0"
            " AND NOT a.attisdropped AND a.attgenerated = ''",
            1, params, err, errlen);
        if (!res)
            return false;
        lay[i].cols = strdup(PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
        lay[i].builtin = !strcmp(PQgetvalue(res, 0, 1), "t");
        lay[i].blocks = atol(PQgetvalue(res, 0, 2));
        lay[i].size = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
        PQclear(res);
    }
    return true;
}

/* Every table's target on the sink (catalog.h), found before anything is
 * created on the source, and the sink's major version: binary COPY only
 * between equal versions. */
static bool find_targets(engine_runner *r, PGconn *src, int *sink_major, char *err, size_t errlen)
{
    PGconn *sink = engine_connect(&r->spec, &r->spec.sink, false, "migtop init-data", err,
                                  errlen);
    if (!sink)
        return false;
    *sink_major = PQserverVersion(sink) / 10000;
    bool ok = engine_resolve_targets(src, sink, r->tables, r->n_tables, err, errlen);
    for (size_t i = 0; ok && i < r->n_tables; i++)
        if (strcmp(r->tables[i].target, r->tables[i].qname))
            engine_logf(&r->log[ES_INIT_DATA], "INFO", "%s goes into %s on the sink (its "
                        "partition root there)", r->tables[i].qname, r->tables[i].target);
    PQfinish(sink);
    return ok;
}

#define OWN_TARGETS_FILE "init-data.targets"

/* The targets an earlier run of this task filled (its own rows, which a
 * restarted init-data empties whatever the policy), one per line. */
static bool is_own(const char *own, const char *target)
{
    size_t n = strlen(target);
    for (const char *p = own; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l == n && !strncmp(p, target, n))
            return true;
        p += l + (nl ? 1 : 0);
    }
    return false;
}

/* Rows a sink table holds (0 when empty); -1 on an error (err set). */
static long long sink_rows(PGconn *sink, const char *target, char *err, size_t errlen)
{
    strbuf sql = {0};
    strbuf_printf(&sql, "SELECT CASE WHEN EXISTS (SELECT 1 FROM %s) THEN (SELECT count(*) FROM %s)"
                        " ELSE 0 END", target, target);
    PGresult *r = pg_query(sink, sql.s, 0, NULL, err, errlen);
    strbuf_free(&sql);
    long long n = r ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
    PQclear(r);
    return n;
}

/* Which targets are emptied up front: the empty ones and this task's own,
 * and those with rows as --sink-tables says (fail: none, the step fails
 * naming them; truncate: each logged with its row count; append: kept,
 * rows added). sql gets the TRUNCATE. */
static bool apply_policy(engine_runner *r, PGconn *sink, const char *own, strbuf *sql, char *err,
                         size_t errlen)
{
    const char *policy = mt_meta_annotation(&r->spec.task.meta, MT_SINK_TABLES_ANNOTATION);
    policy = policy ? policy : "fail";
    strbuf refused = {0};
    bool ok = true;
    for (size_t i = 0; ok && i < r->n_tables; i++) {
        engine_table *t = &r->tables[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(r->tables[k].target, t->target);
        long long rows = seen || is_own(own, t->target) ? 0 : sink_rows(sink, t->target, err, errlen);
        ok = rows >= 0;
        if (!ok || seen)
            continue;
        if (rows && !strcmp(policy, "fail")) {
            strbuf_printf(&refused, "%s%s (%lld rows)", refused.n ? ", " : "", t->target, rows);
            continue;
        }
        if (rows && !strcmp(policy, "append")) {
            engine_logf(&r->log[ES_INIT_DATA], "INFO", "sink table %s keeps its %lld rows "
                        "(--sink-tables append)", t->target, rows);
            for (size_t k = 0; k < r->n_tables; k++)
                if (!strcmp(r->tables[k].target, t->target))
                    r->tables[k].target_keep_rows = true;
            continue;
        }
        if (rows)
            engine_logf(&r->log[ES_INIT_DATA], "WARN", "emptying sink table %s: %lld rows "
                        "(--sink-tables truncate)", t->target, rows);
        strbuf_printf(sql, "%s%s%s", sql->n ? ", " : "TRUNCATE ",
                      t->target_partitioned ? "" : "ONLY ", t->target);
    }
    if (ok && refused.n) {
        snprintf(err, errlen, "sink tables already hold rows: %s. Nothing was changed; to empty "
                 "them create the task with --sink-tables truncate, to keep their rows with "
                 "--sink-tables append", refused.s);
        ok = false;
    }
    strbuf_free(&refused);
    return ok;
}

/* Empties the targets up front (a re-run starts clean), in one statement,
 * so foreign keys among the tables (a re-run after post-data) do not
 * refuse it; ONLY as the source's rows are the table's own, but a
 * partitioned target has none of its own. The targets are written down
 * first: a restarted run knows its own rows. */
static bool empty_targets(engine_runner *r, char *err, size_t errlen)
{
    PGconn *sink = engine_connect(&r->spec, &r->spec.sink, false, "migtop init-data", err,
                                  errlen);
    if (!sink)
        return false;
    char path[4300], e2[700];
    snprintf(path, sizeof path, "%s/%s", r->dir, OWN_TARGETS_FILE);
    size_t len;
    char *own = engine_read_file(path, &len, e2, sizeof e2);
    strbuf sql = {0}, list = {0};
    bool ok = apply_policy(r, sink, own, &sql, err, errlen);
    for (size_t i = 0; ok && i < r->n_tables; i++)
        strbuf_printf(&list, "%s\n", r->tables[i].target);
    ok = ok && engine_write_file_in(r->dir, &r->dir_id, OWN_TARGETS_FILE, NULL, list.s, list.n,
                                   err, errlen);
    if (ok && sql.n && !pg_exec(sink, sql.s, e2, sizeof e2)) {
        snprintf(err, errlen, "cannot empty the target tables on the sink: %s", e2);
        ok = false;
    }
    free(own);
    strbuf_free(&sql);
    strbuf_free(&list);
    PQfinish(sink);
    return ok;
}

/* A publication makes the source refuse UPDATE and DELETE on a table
 * without a replica identity: never publish one (whatever the precheck
 * said, or if it did not run). */
static bool check_publishable(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    strbuf oids = {0}, found = {0}, fix = {0};
    for (size_t i = 0; i < r->n_tables; i++)
        strbuf_printf(&oids, "%s%u", i ? "," : "{", r->tables[i].oid);
    strbuf_put(&oids, "}", 1);
    pgp_error e = {0};
    int n = pgp_missing_identity(src, oids.s, 20, &found, &fix, &e);
    if (n < 0)
        snprintf(err, errlen, "checking the tables' replica identity: %s", e.msg);
    else if (n > 0)
        snprintf(err, errlen, "%d table(s) have no primary key or replica identity: publishing "
                 "them would make the source refuse their UPDATE and DELETE. %s. Fix: %s", n,
                 strbuf_str(&found), strbuf_str(&fix));
    strbuf_free(&oids);
    strbuf_free(&found);
    strbuf_free(&fix);
    return n == 0;
}

/* Split size: with more than two workers, tables bigger than this are
 * cut into block ranges copied by several workers at once.
 * MIGTOP_SPLIT_MB overrides it (0: never split). */
static int64_t split_bytes(void)
{
    const char *e = getenv("MIGTOP_SPLIT_MB");
    return e && *e ? atoll(e) << 20 : SPLIT_BYTES;
}

static size_t plan_chunks(engine_runner *r, const table_layout *lay, bool binary_ok,
                          engine_table_progress *prog, copy_chunk **out, size_t extra)
{
    size_t cap = r->n_tables * MAX_PARTS + extra + 1, n = 0;
    copy_chunk *c = calloc(cap, sizeof *c);
    if (!c)
        abort();
    int64_t split = split_bytes(), all = 0;
    for (size_t i = 0; i < r->n_tables; i++)
        all += lay[i].blocks * 8192LL;
    for (size_t i = 0; i < r->n_tables; i++) {
        const engine_table *t = &r->tables[i];
        int64_t bytes = lay[i].blocks * 8192LL;
        int parts = 1;
        /* A table is split when it is large and, with few workers, when
         * it alone would keep one busy while the others have nothing left
         * to do (more than its share of all the data): otherwise whole
         * tables keep every worker busy and keep COPY FREEZE (no hint-bit
         * pass over every page when the indexes are built). A table
         * without columns to copy has its rows counted, not copied: one
         * part. */
        /* Measured (bench/init-data.sh, durable servers): pgbench scale
         * 100 in 11 parts with 2 workers copied at up to 213 MB/s where
         * one stream of the table moves 160-190 MB/s. */
        bool dominant = r->jobs > 2 || bytes * r->jobs > all;
        if (r->jobs > 1 && dominant && split > 0 && bytes > split && lay[i].cols[0]) {
            int64_t want = bytes / split;
            int lim = r->jobs * 4 < MAX_PARTS ? r->jobs * 4 : MAX_PARTS;
            parts = want > lim ? lim : (int)want;
            if (parts < r->jobs)
                parts = r->jobs;
        }
        prog[i].parts = parts;
        long step = parts > 1 ? (lay[i].blocks + parts - 1) / parts : 0;
        for (int p = 0; p < parts; p++) {
            copy_chunk *k = &c[n++];
            k->table = t;
            k->prog = &prog[i];
            k->cols = lay[i].cols;
            k->part = p;
            k->parts = parts;
            k->lo = parts > 1 ? p * step : -1;
            k->hi = parts > 1 && p + 1 < parts ? (p + 1) * step : -1;
            k->binary = binary_ok && lay[i].builtin;
            /* One part: truncated and filled in one sink transaction,
             * so COPY FREEZE writes the rows frozen (no hint-bit pass
             * over the table at its first read, by the index builds). */
            k->freeze = parts == 1 && engine_table_fills_target(t);
        }
    }
    /* Tables come largest first (catalog order): their parts start first
     * and small tables fill the gaps at the end. */
    *out = c;
    return n;
}

/* The publication and the slot with its exported snapshot (CDC), or a
 * plain exported snapshot (initialization only). */
static bool take_snapshot(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    bool ok = r->spec.cdc ? check_publishable(r, src, err, errlen) &&
                                ensure_publication(r, src, err, errlen) &&
                                drop_stale_slot(r, src, err, errlen) && create_slot(r, err, errlen)
                          : export_plain_snapshot(r, err, errlen);
    if (ok) {
        pthread_mutex_lock(&r->status.mu);
        snprintf(r->status.snapshot, sizeof r->status.snapshot, "%s", r->snapshot);
        pthread_mutex_unlock(&r->status.mu);
    }
    return ok;
}

/* The tables' layout and the large objects, read inside the snapshot so
 * they match what is copied. */
static bool read_in_snapshot(engine_runner *r, PGconn *src, table_layout *lay, lob_plan *lobs,
                             char *err, size_t errlen)
{
    char sql[160], e2[1024];
    snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT '%s'", r->snapshot);
    if (!pg_exec(src, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e2, sizeof e2) ||
        !pg_exec(src, sql, e2, sizeof e2)) {
        snprintf(err, errlen, "cannot use the snapshot %s: %s", r->snapshot, e2);
        return false;
    }
    if (!read_layout(r, src, lay, err, errlen) ||
        !engine_lobs_plan(src, r->tables, r->n_tables, r->jobs * 2, lobs, err, errlen))
        return false;
    if (lobs->refs[0] && lobs->count) {
        char size[32], text[768];
        fmt_bytes((uint64_t)lobs->bytes, size, sizeof size);
        snprintf(text, sizeof text, "%lld (%s) referenced by %.400s: copied with the tables; "
                 "their changes after init-data are not streamed (the cutover's validation "
                 "compares them)", (long long)lobs->count, size, lobs->refs);
        engine_logf(&r->log[ES_INIT_DATA], "INFO", "large objects: %s", text);
        engine_status_large_objects(&r->status, text);
    }
    return true;
}

/* The large objects' parts as chunks of the pseudo-table. */
static size_t plan_lobs(const lob_plan *lobs, engine_table_progress *prog, copy_chunk *c)
{
    prog->schema = strdup(engine_lobs_table.schema);
    prog->name = strdup(engine_lobs_table.name);
    prog->est_rows = lobs->count;
    prog->est_bytes = lobs->bytes;
    prog->parts = lobs->parts;
    for (int p = 0; p < lobs->parts; p++)
        c[p] = (copy_chunk){.table = &engine_lobs_table, .prog = prog, .cols = "", .part = p,
                            .parts = lobs->parts, .lobs = true, .lo = lobs->bounds[p],
                            .hi = lobs->bounds[p + 1]};
    return (size_t)lobs->parts;
}

/* Every table (and the large objects) with r->jobs workers. */
static bool copy_all(engine_runner *r, const table_layout *lay, const lob_plan *lobs,
                     bool binary_ok, char *err, size_t errlen)
{
    size_t nt = r->n_tables + (lobs->parts > 0);
    engine_table_progress *prog = calloc(nt + 1, sizeof *prog);
    if (!prog)
        abort();
    for (size_t i = 0; i < r->n_tables; i++) {
        prog[i].schema = strdup(r->tables[i].schema);
        prog[i].name = strdup(r->tables[i].name);
        prog[i].est_rows = r->tables[i].reltuples;
        prog[i].est_bytes = lay[i].size;
    }
    copy_chunk *chunks = NULL;
    size_t n = plan_chunks(r, lay, binary_ok, prog, &chunks, (size_t)lobs->parts);
    if (lobs->parts)
        n += plan_lobs(lobs, &prog[r->n_tables], chunks + n);
    engine_status_set_tables(&r->status, prog, nt);
    size_t nbin = 0;
    for (size_t i = 0; i < n; i++)
        nbin += chunks[i].binary;
    engine_log *log = &r->log[ES_INIT_DATA];
    engine_logf(log, "INFO", "copying %zu table(s) in %zu part(s) with %d worker(s); %zu part(s) "
                "in binary format, the rest as text", r->n_tables, n, r->jobs, nbin);
    int64_t t0 = fmt_mono_ms();
    copy_hook hook = {.table_done = early_index_table_done, .ctx = r->early};
    bool ok = engine_copy_chunks(r, chunks, n, r->jobs, hook, err, errlen);
    early_index_close(r->early); /* what is left is post-data's, with all its jobs */
    if (ok) {
        int64_t rows = 0, bytes = 0;
        for (size_t i = 0; i < nt; i++) {
            rows += atomic_load(&prog[i].rows);
            bytes += atomic_load(&prog[i].bytes);
        }
        int64_t ms = fmt_mono_ms() - t0;
        engine_logf(log, "INFO", "copied %lld rows, %lld bytes in %lld ms (%.1f MB/s)",
                    (long long)rows, (long long)bytes, (long long)ms,
                    ms > 0 ? (double)bytes / 1e3 / (double)ms : 0.0);
    }
    free(chunks);
    return ok;
}

/* The sink's sequences at the source's values once the rows are in. */
static bool set_sequences(engine_runner *r, char *err, size_t errlen)
{
    PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop init-data", err, errlen);
    PGconn *sink = src ? engine_connect(&r->spec, &r->spec.sink, false, "migtop init-data", err,
                                        errlen) : NULL;
    bool ok = sink && engine_set_sequences(r, src, sink, err, errlen);
    PQfinish(src);
    PQfinish(sink);
    return ok;
}

/* Post-data follows in this run: its index builds may start as tables'
 * copies end. */
static void start_early_indexes(engine_runner *r, PGconn *src)
{
    engine_step_state post = r->status.steps[ES_POST_DATA].state;
    if (r->spec.enabled[ES_POST_DATA] && post != SS_COMPLETE && post != SS_SKIPPED &&
        r->opts.until != ES_INIT_DATA)
        r->early = early_index_start(r, src, ENGINE_LIST_FILE);
}

/* Waits for the early index builds unless post-data follows (it waits
 * for them itself, building the rest beside them). */
static void end_early_indexes(engine_runner *r, bool ok)
{
    if (ok && !engine_runner_stopping(r))
        return;
    char e2[1024];
    if (!early_index_finish(r->early, e2, sizeof e2))
        engine_logf(&r->log[ES_INIT_STRUCT], "WARN", "an index build begun during the copy: "
                    "%s (post-data builds it again)", e2);
    r->early = NULL;
}

bool engine_step_init_data(engine_runner *r, char *err, size_t errlen)
{
    PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop init-data", err, errlen);
    if (!src)
        return false;
    int sink_major = 0;
    bool ok = engine_runner_tables(r, src, err, errlen) &&
              find_targets(r, src, &sink_major, err, errlen) && take_snapshot(r, src, err, errlen);
    table_layout *lay = calloc(r->n_tables + 1, sizeof *lay);
    if (!lay)
        abort();
    lob_plan lobs = {0};
    int src_major = PQserverVersion(src) / 10000;
    ok = ok && read_in_snapshot(r, src, lay, &lobs, err, errlen);
    if (ok)
        start_early_indexes(r, src);
    PQfinish(src);
    ok = ok && empty_targets(r, err, errlen) &&
         copy_all(r, lay, &lobs, src_major == sink_major, err, errlen);
    for (size_t i = 0; i < r->n_tables; i++)
        free(lay[i].cols);
    free(lay);
    engine_lobs_plan_free(&lobs);
    /* The slot stays; its snapshot is no longer needed once the copy is
     * done (or failed). */
    PQfinish(r->snap_conn);
    r->snap_conn = NULL;
    ok = ok && set_sequences(r, err, errlen);
    end_early_indexes(r, ok);
    return ok;
}
