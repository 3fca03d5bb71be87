#include "engine/copy.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lobs.h"
#include "engine/pg.h"
#include "model/flags.h"
#include "model/fmt.h"
#include "model/strbuf.h"

typedef struct copy_pool {
    engine_runner *r;
    copy_chunk *chunks;
    size_t n;
    atomic_size_t next;
    atomic_size_t finished; /* chunks copied: the copy ends with the n-th */
    atomic_bool failed;
    pthread_mutex_t mu;
    char err[1536];
    long long rate;          /* bytes a second, all workers together; 0: no limit */
    int64_t t0_ms;           /* when the copy started, for the rate */
    atomic_llong sent;       /* bytes sent, for the rate */
    copy_hook hook;
} copy_pool;

static void pool_fail(copy_pool *p, const char *msg)
{
    pthread_mutex_lock(&p->mu);
    if (!atomic_load(&p->failed))
        snprintf(p->err, sizeof p->err, "%s", msg);
    atomic_store(&p->failed, true);
    pthread_mutex_unlock(&p->mu);
}

static bool open_source(copy_pool *p, PGconn **src, char *err, size_t errlen)
{
    engine_runner *r = p->r;
    *src = engine_connect(&r->spec, &r->spec.src, false, "migtop init-data", err, errlen);
    if (!*src)
        return false;
    char sql[160];
    snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT '%s'", r->snapshot);
    char e2[700];
    if (!pg_exec(*src, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e2, sizeof e2) ||
        !pg_exec(*src, sql, e2, sizeof e2)) {
        snprintf(err, errlen, "cannot start a transaction on the snapshot %s: %s", r->snapshot,
                 e2);
        return false;
    }
    return true;
}

static bool open_sink(copy_pool *p, PGconn **sink, char *err, size_t errlen)
{
    engine_runner *r = p->r;
    *sink = engine_connect(&r->spec, &r->spec.sink, false, "migtop init-data", err, errlen);
    if (!*sink)
        return false;
    char e2[512];
    /* The copy is redone from scratch after a crash: no need to wait for
     * each commit's flush. As replica, triggers and foreign keys do not
     * fire for rows that already satisfied them on the source (needs a
     * superuser; without one the copy still works, only slower). */
    pg_exec(*sink, "SET synchronous_commit = off", e2, sizeof e2);
    if (!pg_exec(*sink, "SET session_replication_role = replica", e2, sizeof e2))
        engine_logf(&r->log[ES_INIT_DATA], "INFO",
                    "sink session_replication_role unchanged (%s)", e2);
    return true;
}

/* --copy-rate: holds a worker back until the bytes sent by all of them
 * are within the rate since the start (checking the stop every 100 ms). */
static void throttle(copy_pool *p, int64_t n)
{
    if (p->rate <= 0 || n <= 0)
        return;
    long long total = atomic_fetch_add(&p->sent, (long long)n) + n;
    int64_t due = p->t0_ms + (int64_t)((double)total * 1000.0 / (double)p->rate);
    for (int64_t now = fmt_mono_ms(); now < due && !atomic_load(&p->r->stop) &&
                                      !atomic_load(&p->failed);
         now = fmt_mono_ms()) {
        fmt_sleep_ms(due - now > 100 ? 100 : (int)(due - now));
    }
}

/* Flushes a worker's counters into the shared progress. */
static void add_progress(copy_chunk *c, int64_t *rows, int64_t *bytes)
{
    atomic_fetch_add(&c->prog->rows, *rows);
    atomic_fetch_add(&c->prog->bytes, *bytes);
    *rows = *bytes = 0;
}

#define COPY_BATCH (64 * 1024)

/* Binary COPY sends its header (signature, flags, extension) in front of
 * the first row, and a two-byte trailer (-1) in a message of its own, or
 * right after the header when the table is empty: neither is a row. */
static bool binary_is_row(const char *buf, int len)
{
    static const char sig[11] = "PGCOPY\n\377\r\n";
    if (len >= 19 && !memcmp(buf, sig, sizeof sig)) {
        const unsigned char *e = (const unsigned char *)buf + 15;
        long ext = (long)e[0] << 24 | (long)e[1] << 16 | (long)e[2] << 8 | (long)e[3];
        if (ext >= 0 && ext <= len - 19) {
            buf += 19 + ext;
            len -= (int)(19 + ext);
        }
    }
    bool trailer = len == 2 && (unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xff;
    return len > 0 && !trailer;
}

/* COPY ... FROM STDIN started on the sink, then COPY ... TO STDOUT on the
 * source (the chunk's range of pages when it has one). */
static bool start_copies(PGconn *src, PGconn *sink, const copy_chunk *c, bool freeze, char *err,
                         size_t errlen)
{
    const char *q = c->table->qname;
    const char *fmt = c->binary ? " WITH (FORMAT binary)" : "";
    strbuf out = {0}, in = {0};
    if (c->lo < 0)
        strbuf_printf(&out, "COPY %s (%s) TO STDOUT%s", q, c->cols, fmt);
    else if (c->hi < 0)
        strbuf_printf(&out, "COPY (SELECT %s FROM ONLY %s WHERE ctid >= '(%ld,0)'::tid) TO "
                            "STDOUT%s", c->cols, q, c->lo, fmt);
    else
        strbuf_printf(&out, "COPY (SELECT %s FROM ONLY %s WHERE ctid >= '(%ld,0)'::tid AND "
                            "ctid < '(%ld,0)'::tid) TO STDOUT%s", c->cols, q, c->lo, c->hi, fmt);
    strbuf_printf(&in, "COPY %s (%s) FROM STDIN WITH (FORMAT %s%s)", c->table->target, c->cols,
                  c->binary ? "binary" : "text", freeze ? ", FREEZE" : "");
    PGresult *res = PQexec(sink, in.s);
    bool ok = PQresultStatus(res) == PGRES_COPY_IN;
    char e2[700];
    if (!ok) {
        pg_error(sink, res, e2, sizeof e2);
        snprintf(err, errlen, "sink: %s", e2);
    }
    PQclear(res);
    if (ok) {
        res = PQexec(src, out.s);
        ok = PQresultStatus(res) == PGRES_COPY_OUT;
        if (!ok) {
            pg_error(src, res, e2, sizeof e2);
            snprintf(err, errlen, "source: %s", e2);
            PQputCopyEnd(sink, "the source failed");
            PQclear(PQgetResult(sink));
        }
        PQclear(res);
    }
    strbuf_free(&out);
    strbuf_free(&in);
    return ok;
}

typedef enum pump_end { PUMP_DONE, PUMP_SOURCE, PUMP_SINK, PUMP_STOP } pump_end;

/* Moves the rows from the source's COPY to the sink's. The source sends
 * a CopyData message per row; the sink takes the stream in any cut, so
 * rows go to it in batches of about 64 KiB: one message instead of
 * hundreds spares both libpq and the sink's backend the per-message work
 * (psql's COPY FROM does the same). */
static pump_end pump(copy_pool *p, PGconn *src, PGconn *sink, copy_chunk *c, int64_t *total)
{
    int64_t rows = 0, bytes = 0;
    pump_end end = PUMP_DONE;
    char *batch = malloc(COPY_BATCH * 2);
    size_t used = 0;
    if (!batch)
        abort();
    for (;;) {
        char *buf = NULL;
        int len = PQgetCopyData(src, &buf, 0);
        if (len < 0) {
            if (len == -2)
                end = PUMP_SOURCE;
            else if (used && PQputCopyData(sink, batch, (int)used) != 1)
                end = PUMP_SINK;
            break;
        }
        bool row = !c->binary || binary_is_row(buf, len);
        int sent = 1;
        if (used + (size_t)len > COPY_BATCH * 2) {
            sent = used ? PQputCopyData(sink, batch, (int)used) : 1;
            used = 0;
            if (sent == 1)
                sent = PQputCopyData(sink, buf, len);
        } else {
            memcpy(batch + used, buf, (size_t)len);
            used += (size_t)len;
            if (used >= COPY_BATCH) {
                sent = PQputCopyData(sink, batch, (int)used);
                used = 0;
            }
        }
        PQfreemem(buf);
        if (sent != 1) {
            end = PUMP_SINK;
            break;
        }
        rows += row;
        bytes += len;
        if (rows >= 4096) {
            *total += rows;
            int64_t chunk_bytes = bytes;
            add_progress(c, &rows, &bytes);
            throttle(p, chunk_bytes);
            if (atomic_load(&p->r->stop) || atomic_load(&p->failed)) {
                end = PUMP_STOP;
                break;
            }
        }
    }
    free(batch);
    *total += rows;
    add_progress(c, &rows, &bytes);
    return end;
}

/* A pump that ended early: both COPYs ended, err says why. */
static void abort_copies(copy_pool *p, PGconn *src, PGconn *sink, pump_end end, char *err,
                         size_t errlen)
{
    char e2[700];
    if (end == PUMP_STOP)
        snprintf(err, errlen, "stopped (%s)",
                 atomic_load(&p->r->stop) ? "the task is terminating" : "another copy failed");
    else {
        pg_error(end == PUMP_SOURCE ? src : sink, NULL, e2, sizeof e2);
        snprintf(err, errlen, "%s%s", end == PUMP_SOURCE ? "source: " : "sink: ", e2);
    }
    PQputCopyEnd(sink, "copy aborted");
    PGresult *g;
    while ((g = PQgetResult(sink)))
        PQclear(g);
    if (end != PUMP_SOURCE) {
        /* Stop the source's COPY; the connection is dropped after. */
        PGcancel *cn = PQgetCancel(src);
        char cb[256];
        if (cn) {
            PQcancel(cn, cb, sizeof cb);
            PQfreeCancel(cn);
        }
    }
}

/* Both COPYs' results once the source's ended. */
static bool finish_copies(PGconn *src, PGconn *sink, char *err, size_t errlen)
{
    char e2[700];
    PGresult *res = PQgetResult(src);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_error(src, res, e2, sizeof e2);
        snprintf(err, errlen, "source: %s", e2);
        PQclear(res);
        PQputCopyEnd(sink, "the source failed");
        PQclear(PQgetResult(sink));
        return false;
    }
    PQclear(res);
    while ((res = PQgetResult(src)))
        PQclear(res);
    if (PQputCopyEnd(sink, NULL) != 1) {
        pg_error(sink, NULL, e2, sizeof e2);
        snprintf(err, errlen, "sink: %s", e2);
        return false;
    }
    res = PQgetResult(sink);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        pg_error(sink, res, e2, sizeof e2);
        snprintf(err, errlen, "sink: %s", e2);
    }
    PQclear(res);
    while ((res = PQgetResult(sink)))
        PQclear(res);
    return ok;
}

static bool copy_stream(copy_pool *p, PGconn *src, PGconn *sink, copy_chunk *c, bool freeze,
                        int64_t *rows_out, char *err, size_t errlen)
{
    *rows_out = 0;
    if (!start_copies(src, sink, c, freeze, err, errlen))
        return false;
    pump_end end = pump(p, src, sink, c, rows_out);
    if (end != PUMP_DONE) {
        abort_copies(p, src, sink, end, err, errlen);
        return false;
    }
    return finish_copies(src, sink, err, errlen);
}

/* BEGIN; TRUNCATE ONLY t on the sink, for COPY FREEZE. False (and back
 * out of the transaction) when the truncate is refused, e.g. by a
 * foreign key from another table: the copy then goes without FREEZE
 * (the table was emptied up front already). */
static bool begin_truncate(PGconn *sink, const copy_chunk *c)
{
    char e2[512], *sql = malloc(strlen(c->table->target) + 32);
    if (!sql)
        abort();
    sprintf(sql, "TRUNCATE ONLY %s", c->table->target);
    bool ok = pg_exec(sink, "BEGIN", e2, sizeof e2);
    if (ok && !pg_exec(sink, sql, e2, sizeof e2)) {
        PQclear(PQexec(sink, "ROLLBACK"));
        ok = false;
    }
    free(sql);
    return ok;
}

/* A table with no column to copy (none at all, or only generated ones)
 * still has rows: as many are inserted with their defaults. */
static bool copy_count(PGconn *src, PGconn *sink, copy_chunk *c, int64_t *rows_out, char *err,
                       size_t errlen)
{
    strbuf sql = {0};
    strbuf_printf(&sql, "SELECT count(*) FROM ONLY %s", c->table->qname);
    char e2[700];
    PGresult *r = pg_query(src, sql.s, 0, NULL, e2, sizeof e2);
    bool ok = r != NULL;
    if (!ok)
        snprintf(err, errlen, "source: %s", e2);
    else {
        *rows_out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        strbuf_reset(&sql);
        strbuf_printf(&sql, "INSERT INTO %s SELECT FROM generate_series(1, %lld)", c->table->target,
                      (long long)*rows_out);
        if (!(ok = pg_exec(sink, sql.s, e2, sizeof e2)))
            snprintf(err, errlen, "sink: %s", e2);
        else
            atomic_fetch_add(&c->prog->rows, *rows_out);
    }
    PQclear(r);
    strbuf_free(&sql);
    return ok;
}

static bool copy_one(copy_pool *p, PGconn *src, PGconn *sink, copy_chunk *c, int64_t *rows_out,
                     char *err, size_t errlen)
{
    if (c->lobs)
        return engine_copy_lobs(src, sink, (unsigned)c->lo, (unsigned)c->hi, &c->prog->rows,
                                &c->prog->bytes, &p->r->stop, err, errlen);
    if (!c->cols[0])
        return copy_count(src, sink, c, rows_out, err, errlen);
    bool tx = c->freeze && begin_truncate(sink, c);
    bool ok = copy_stream(p, src, sink, c, tx, rows_out, err, errlen);
    if (tx && ok) {
        char e2[700];
        ok = pg_exec(sink, "COMMIT", e2, sizeof e2);
        if (!ok)
            snprintf(err, errlen, "sink: commit: %s", e2);
    } else if (tx) {
        PQclear(PQexec(sink, "ROLLBACK"));
    }
    return ok;
}

static void *worker(void *arg)
{
    copy_pool *p = arg;
    engine_log *log = &p->r->log[ES_INIT_DATA];
    PGconn *src = NULL, *sink = NULL;
    char err[1024];
    if (!open_source(p, &src, err, sizeof err) || !open_sink(p, &sink, err, sizeof err)) {
        engine_logf(log, "ERROR", "%s", err);
        pool_fail(p, err);
        PQfinish(src);
        PQfinish(sink);
        return NULL;
    }
    for (;;) {
        if (atomic_load(&p->failed) || atomic_load(&p->r->stop))
            break;
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            break;
        copy_chunk *c = &p->chunks[i];
        int64_t expected = 0;
        atomic_compare_exchange_strong(&c->prog->start_ms, &expected, fmt_now_ms());
        int st = 0;
        atomic_compare_exchange_strong(&c->prog->state, &st, 1);
        int64_t rows = 0;
        int64_t t0 = fmt_mono_ms();
        if (!copy_one(p, src, sink, c, &rows, err, sizeof err)) {
            atomic_store(&c->prog->state, 3);
            char msg[1536], part[64] = "";
            if (c->parts > 1)
                snprintf(part, sizeof part, " (part %d/%d)", c->part + 1, c->parts);
            snprintf(msg, sizeof msg,
                     "table %s.%s%s: copy failed after %lld rows (%lld bytes) of the table: %s",
                     c->table->schema, c->table->name, part,
                     (long long)atomic_load(&c->prog->rows),
                     (long long)atomic_load(&c->prog->bytes), err);
            engine_logf(log, "ERROR", "%s", msg);
            pool_fail(p, msg);
            break;
        }
        engine_logf(log, "INFO", "%s.%s part %d/%d: %lld rows in %lld ms", c->table->schema,
                    c->table->name, c->part + 1, c->parts, (long long)rows,
                    (long long)(fmt_mono_ms() - t0));
        bool last_chunk = atomic_fetch_add(&p->finished, 1) + 1 == p->n;
        if (atomic_fetch_add(&c->prog->parts_done, 1) + 1 == c->parts) {
            atomic_store(&c->prog->finish_ms, fmt_now_ms());
            atomic_store(&c->prog->state, 2);
            engine_logf(log, "INFO", "table %s.%s copied: %lld rows, %lld bytes",
                        c->table->schema, c->table->name,
                        (long long)atomic_load(&c->prog->rows),
                        (long long)atomic_load(&c->prog->bytes));
            if (p->hook.table_done) /* the last chunk of all: the copy ends now */
                p->hook.table_done(p->hook.ctx, c->table, last_chunk);
        }
    }
    PQfinish(src);
    PQfinish(sink);
    return NULL;
}

bool engine_copy_chunks(engine_runner *r, copy_chunk *chunks, size_t n, int jobs,
                        copy_hook hook, char *err, size_t errlen)
{
    copy_pool p = {.r = r, .chunks = chunks, .n = n, .t0_ms = fmt_mono_ms(), .hook = hook};
    atomic_init(&p.sent, 0);
    const char *rate = mt_meta_annotation(&r->spec.task.meta, MT_COPY_RATE_ANNOTATION);
    char e2[256];
    if (rate && !mt_parse_rate(rate, &p.rate, e2, sizeof e2)) {
        snprintf(err, errlen, "annotation %s: %s", MT_COPY_RATE_ANNOTATION, e2);
        return false;
    }
    if (p.rate > 0)
        engine_logf(&r->log[ES_INIT_DATA], "INFO", "the copy is limited to %s a second "
                    "(%s), all workers together", rate, MT_COPY_RATE_ANNOTATION);
    atomic_init(&p.next, 0);
    atomic_init(&p.finished, 0);
    atomic_init(&p.failed, false);
    pthread_mutex_init(&p.mu, NULL);
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n)
        jobs = n ? (int)n : 1;
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    if (!th)
        abort();
    int started = 0;
    for (int i = 0; i < jobs; i++)
        if (pthread_create(&th[i], NULL, worker, &p) == 0)
            started++;
        else
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&p.mu);
    if (!started) {
        snprintf(err, errlen, "cannot start copy workers");
        return false;
    }
    if (atomic_load(&p.failed)) {
        snprintf(err, errlen, "%s", p.err);
        return false;
    }
    if (atomic_load(&r->stop)) {
        snprintf(err, errlen, "stopped: the task is terminating");
        return false;
    }
    return true;
}
