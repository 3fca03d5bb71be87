#include "engine/apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/apply_internal.h"
#include "engine/apply_sql.h"
#include "engine/pg.h"
#include "model/fmt.h"
#include "model/strbuf.h"

cdc_apply *apply_new(PGconn *sink, PGconn *src, const char *origin, const atomic_bool *stop,
                     char *err, size_t errlen)
{
    char e2[600];
    /* Commits are durable when they return (what the origin's progress and
     * the slot's flush position promise), whatever the server's default;
     * values compare as text in one fixed form on both sides. Rows are
     * found through the replica identity's index whatever the planner's
     * statistics say: a tiny, hot table (analysed at one page) must not be
     * scanned for every change of a group. */
    if (!pg_exec(sink,
                 "SET synchronous_commit = on; SET DateStyle = ISO; SET TimeZone = 'UTC';"
                 " SET IntervalStyle = postgres; SET extra_float_digits = 3;"
                 " SET bytea_output = hex; SET enable_seqscan = off",
                 e2, sizeof e2)) {
        snprintf(err, errlen, "cannot set up the sink session: %s", e2);
        PQfinish(sink);
        return NULL;
    }
    if (!pg_exec(sink, "SET session_replication_role = replica", e2, sizeof e2)) {
        snprintf(err, errlen,
                 "cannot set session_replication_role on the sink (the sink account needs to "
                 "be a superuser for CDC): %s", e2);
        PQfinish(sink);
        return NULL;
    }
    if (!PQenterPipelineMode(sink) || PQsetnonblocking(sink, 1) != 0) {
        pg_error(sink, NULL, e2, sizeof e2);
        snprintf(err, errlen, "cannot enter pipeline mode on the sink: %s", e2);
        PQfinish(sink);
        return NULL;
    }
    cdc_apply *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    a->c = sink;
    a->src = src;
    snprintf(a->origin, sizeof a->origin, "%s", origin);
    a->stop = stop;
    a->last_result_ms = fmt_mono_ms();
    return a;
}

static void reset_rel(arel *ar)
{
    batch_drop(ar);
    for (size_t j = 0; j < ar->n_st; j++) {
        free(ar->st[j].key);
        free(ar->st[j].sql);
    }
    ar->n_st = 0;
    apply_target_free(&ar->t);
}

void apply_free(cdc_apply *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_rels; i++) {
        reset_rel(&a->rels[i]);
        batch_free(&a->rels[i]);
        free(a->rels[i].st);
    }
    free(a->rels);
    free(a->vals);
    strbuf_free(&a->stmt_key);
    strbuf_free(&a->batch_key);
    strbuf_free(&a->batch_shape);
    PQclear(a->captured);
    PQfinish(a->c);
    free(a);
}

bool apply_in_txn(const cdc_apply *a) { return a->in_txn; }
bool apply_busy(const cdc_apply *a) { return a->done < a->sent || a->syncs > 0; }
int apply_socket(const cdc_apply *a) { return PQsocket(a->c); }
uint64_t apply_durable_lsn(const cdc_apply *a) { return a->durable_lsn; }
int64_t apply_durable_ts(const cdc_apply *a) { return a->durable_ts_us; }
int64_t apply_last_result_ms(const cdc_apply *a) { return a->last_result_ms; }
int apply_backend_pid(const cdc_apply *a) { return PQbackendPID(a->c); }
int64_t apply_rows(const cdc_apply *a) { return a->rows; }
int apply_repeats(const cdc_apply *a) { return a->repeats; }

bool apply_poll(cdc_apply *a, char *err, size_t errlen)
{
    if (pipe_take(a))
        return true;
    pipe_fail(a, err, errlen, "applying on the sink");
    return false;
}

bool apply_settle(cdc_apply *a, char *err, size_t errlen)
{
    if (pipe_wait(a, a->sent, true))
        return true;
    pipe_fail(a, err, errlen, "applying on the sink");
    return false;
}

static bool ensure_txn(cdc_apply *a)
{
    if (a->in_txn)
        return true;
    a->in_txn = true;
    return pipe_send_sql(a, "BEGIN", "BEGIN");
}

static arel *find_rel(const cdc_apply *a, uint32_t relid)
{
    for (size_t i = 0; i < a->n_rels; i++)
        if (a->rels[i].relid == relid)
            return &a->rels[i];
    return NULL;
}

static PGresult *query_sink(void *ctx, const char *sql, int n, const char *const *params)
{
    return pipe_query(ctx, sql, n, params);
}

bool apply_relation(cdc_apply *a, const pgo_relation *rel, bool *structure, char *err,
                    size_t errlen)
{
    *structure = false;
    arel *ar = find_rel(a, rel->relid);
    if (ar && ar->version == rel->version)
        return true;
    if (!ensure_txn(a)) {
        pipe_fail(a, err, errlen, "applying on the sink");
        return false;
    }
    apply_target t;
    if (!apply_target_resolve(rel, query_sink, a, a->src, &t, structure, err, errlen)) {
        if (!*structure && a->first_err[0]) {
            char what[300];
            snprintf(what, sizeof what, "%s", err);
            pipe_fail(a, err, errlen, what);
        }
        return false;
    }
    if (!ar) {
        if (a->n_rels == a->cap_rels) {
            a->cap_rels = a->cap_rels ? a->cap_rels * 2 : 16;
            a->rels = realloc(a->rels, a->cap_rels * sizeof *a->rels);
            if (!a->rels)
                abort();
        }
        ar = &a->rels[a->n_rels++];
        memset(ar, 0, sizeof *ar);
        ar->relid = rel->relid;
    }
    if (!batch_flush(a, ar, err, errlen)) /* its rows in the shape they came in */
        return false;
    reset_rel(ar);
    ar->version = rel->version;
    ar->t = t;
    return true;
}

static const char *kind_name(pgo_kind k)
{
    return k == PGO_INSERT ? "INSERT" : k == PGO_UPDATE ? "UPDATE" : "DELETE";
}

long apply_stmt_for(cdc_apply *a, arel *ar, const pgo_msg *m, int rows, char *err,
                    size_t errlen)
{
    strbuf *key = &a->stmt_key; /* one buffer for every look: this runs for every change */
    strbuf_reset(key);
    apply_sql_shape(m, key);
    strbuf_printf(key, "#%d", rows);
    for (size_t i = 0; i < ar->n_st; i++)
        if (!strcmp(ar->st[i].key, key->s))
            return (long)i;
    if (ar->n_st == ar->cap_st) {
        ar->cap_st = ar->cap_st ? ar->cap_st * 2 : 4;
        ar->st = realloc(ar->st, ar->cap_st * sizeof *ar->st);
        if (!ar->st)
            abort();
    }
    char *sql = rows == 1 ? apply_sql_change(a->c, m, &ar->t, err, errlen)
                          : apply_sql_batch(a->c, m, &ar->t, rows);
    if (!sql)
        return -1;
    stmt *s = &ar->st[ar->n_st];
    snprintf(s->name, sizeof s->name, "mt%u", a->next_stmt++);
    if (!pipe_send_prepare(a, s->name, sql)) {
        pipe_fail(a, err, errlen, "preparing a statement on the sink");
        free(sql);
        return -1;
    }
    s->key = strdup(key->s);
    if (!s->key)
        abort();
    s->sql = sql;
    return (long)ar->n_st++;
}

void apply_want_vals(cdc_apply *a, size_t n)
{
    if (n > a->cap_vals) {
        a->vals = realloc(a->vals, n * sizeof *a->vals);
        if (!a->vals)
            abort();
        a->cap_vals = n;
    }
}

/* One statement over every relation of the message, as the source ran
 * it (a TRUNCATE of several tables that reference each other can only be
 * applied that way); a source partition the sink has no table for is
 * emptied by its bounds in its root. */
static bool truncate_rels(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, char *err,
                          size_t errlen)
{
    const apply_target **t = calloc((size_t)m->n_relids + 1, sizeof *t);
    if (!t)
        abort();
    bool ok = true;
    for (int i = 0; i < m->n_relids && ok; i++) {
        arel *ar = find_rel(a, m->relids[i]);
        const pgo_relation *rel = pgo_relation_get(d, m->relids[i]);
        if (!ar || !rel || ar->version != rel->version) {
            snprintf(err, errlen, "Truncate of relation %u before its Relation message",
                     m->relids[i]);
            ok = false;
        } else {
            t[i] = &ar->t;
        }
    }
    strbuf b = {0};
    if (ok)
        apply_sql_truncate(&b, t, m->n_relids, m->cascade, m->restart_identity);
    if (ok && b.n && !pipe_send_sql(a, b.s, "TRUNCATE"))
        ok = false;
    for (int i = 0; i < m->n_relids && ok; i++) {
        if (!t[i]->redirected)
            continue;
        strbuf_reset(&b);
        apply_sql_truncate_partition(&b, t[i]);
        ok = pipe_send_sql(a, b.s, "emptying a partition in its root");
    }
    if (!ok && a->first_err[0])
        pipe_fail(a, err, errlen, "truncating on the sink");
    strbuf_free(&b);
    free(t);
    return ok;
}

/* Every relation of the change checked (a Relation message may have come
 * in a transaction skipped as already applied), and a transaction open. */
static bool prepare_change(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                           char *err, size_t errlen)
{
    *structure = false;
    if (m->kind == PGO_TRUNCATE) {
        for (int i = 0; i < m->n_relids; i++) {
            const pgo_relation *rel = pgo_relation_get(d, m->relids[i]);
            if (rel && !apply_relation(a, rel, structure, err, errlen))
                return false;
        }
    } else if (!apply_relation(a, m->rel, structure, err, errlen)) {
        return false;
    }
    if (!ensure_txn(a)) {
        pipe_fail(a, err, errlen, "applying on the sink");
        return false;
    }
    return true;
}

bool apply_change(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                  char *err, size_t errlen)
{
    return apply_change_gated(a, d, m, false, structure, err, errlen);
}

bool apply_gatable(const cdc_apply *a, const pgo_msg *m)
{
    const arel *ar = m->kind == PGO_TRUNCATE ? NULL : find_rel(a, m->rel->relid);
    return ar && ar->version == m->rel->version && apply_sql_batchable(m, &ar->t);
}

bool apply_change_gated(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool gated,
                        bool *structure, char *err, size_t errlen)
{
    if (!prepare_change(a, d, m, structure, err, errlen))
        return false;
    a->rows++;
    if (m->kind == PGO_TRUNCATE)
        return batch_flush_all(a, err, errlen) && truncate_rels(a, d, m, err, errlen);
    if (apply_sql_noop(m))
        return true;
    arel *ar = find_rel(a, m->rel->relid);
    if (!ar || ar->version != m->rel->version) {
        snprintf(err, errlen, "change for %s.%s before its structure was checked",
                 m->rel->nspname, m->rel->relname);
        return false;
    }
    if (apply_sql_batchable(m, &ar->t))
        return batch_add(a, ar, m, gated, err, errlen);
    if (!batch_flush(a, ar, err, errlen)) /* this table's changes before, first */
        return false;
    long si = apply_stmt_for(a, ar, m, 1, err, errlen);
    if (si < 0)
        return false;
    const stmt *s = &ar->st[si];
    apply_want_vals(a, APPLY_SQL_MAX_PARAMS(m->rel));
    int np = apply_sql_params(m, &ar->t, a->vals);
    char what[200];
    snprintf(what, sizeof what, "%s on %.150s", kind_name(m->kind), ar->t.qname);
    if (!pipe_send_prepared(a, s->name, np, a->vals, what, s->sql)) {
        pipe_fail(a, err, errlen, what);
        return false;
    }
    return true;
}

/* The position the group's commit records in the origin: its last
 * source commit's (the one setup before COMMIT is what counts, so one a
 * group, not one a source transaction). */
static bool record_origin(cdc_apply *a, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                          size_t errlen)
{
    char lsn[32], ts[64];
    fmt_lsn(end_lsn, lsn, sizeof lsn);
    time_t sec = (time_t)(commit_ts_us / 1000000);
    long us = (long)(commit_ts_us % 1000000);
    if (us < 0) {
        us += 1000000;
        sec--;
    }
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%06ld+00", us);
    bool ok = true;
    if (!a->xs_prepared)
        ok = a->xs_prepared = pipe_send_prepare(a, "mt_xs",
                                                "SELECT pg_replication_origin_xact_setup($1::pg_lsn,"
                                                " $2::timestamptz)");
    const char *params[2] = {lsn, ts};
    if (!ok || !pipe_send_prepared(a, "mt_xs", 2, params, "recording the position in the "
                                   "replication origin", NULL)) {
        pipe_fail(a, err, errlen, "recording the position in the replication origin");
        return false;
    }
    return true;
}

/* The origin taken for the commit, as sessions that share it do
 * (apply_lanes.h): only one session may hold it at a time. */
static bool take_origin(cdc_apply *a, char *err, size_t errlen)
{
    const char *params[1] = {a->origin};
    if (!pipe_send_params(a, "SELECT pg_replication_origin_session_setup($1)", 1, params,
                          "taking the replication origin for the commit")) {
        pipe_fail(a, err, errlen, "taking the replication origin for the commit");
        return false;
    }
    return true;
}

bool apply_commit(cdc_apply *a, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                  size_t errlen)
{
    if (!a->in_txn)
        return true;
    if (!batch_flush_all(a, err, errlen) || !take_origin(a, err, errlen) ||
        !record_origin(a, end_lsn, commit_ts_us, err, errlen))
        return false;
    /* The commit before must have returned: a group is never durable
     * without the one before it. */
    if (a->syncs && !pipe_wait(a, 0, true)) {
        pipe_fail(a, err, errlen, "committing on the sink");
        return false;
    }
    a->in_txn = false;
    a->repeats = 0;
    a->mark = (commit_mark){end_lsn, commit_ts_us};
    if (!pipe_send_sql(a, "COMMIT", "COMMIT") ||
        !pipe_send_sql(a, "SELECT pg_replication_origin_session_reset()",
                       "handing the replication origin back") ||
        !pipe_send_sync(a) || PQflush(a->c) < 0) {
        pipe_fail(a, err, errlen, "committing on the sink");
        return false;
    }
    return true;
}

bool apply_scope(const cdc_apply *a, uint32_t relid, const char **qname, bool *whole)
{
    const arel *ar = find_rel(a, relid);
    if (!ar)
        return false;
    *qname = ar->t.qname;
    *whole = ar->t.unique_indexes > 1;
    return true;
}

bool apply_send(cdc_apply *a, const char *sql, const char *what, char *err, size_t errlen)
{
    if (!batch_flush_all(a, err, errlen))
        return false;
    if (!ensure_txn(a) || !pipe_send_sql(a, sql, what)) {
        pipe_fail(a, err, errlen, what);
        return false;
    }
    return true;
}

bool apply_rollback(cdc_apply *a, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->n_rels; i++)
        batch_drop(&a->rels[i]);
    if (!a->in_txn)
        return true;
    a->in_txn = false;
    a->repeats = 0;
    if (!pipe_send_sql(a, "ROLLBACK", "ROLLBACK") || !pipe_send_sync(a) || PQflush(a->c) < 0) {
        pipe_fail(a, err, errlen, "rolling back on the sink");
        return false;
    }
    return true;
}

void apply_on_gate(cdc_apply *a, apply_gate g) { a->gate = g; }

void apply_on_stall(cdc_apply *a, int stall_ms, void (*fn)(void *), void *ctx)
{
    a->stall_fn = fn;
    a->stall_ctx = ctx;
    a->stall_ms = stall_ms;
}
