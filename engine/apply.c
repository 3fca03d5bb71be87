#include "engine/apply.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/apply_sql.h"
#include "engine/pg.h"
#include "model/strbuf.h"

/* Results read at a time once this many statements are in flight: small
 * enough that neither side's socket buffer fills with unread results. */
#define MAX_IN_FLIGHT 2000

typedef struct stmt {
    char *key;      /* shape: kind, old kind, per-column presence */
    char name[24];
} stmt;

typedef struct arel {
    uint32_t relid;
    unsigned version; /* of the Relation this entry was built for */
    char *qname;
    stmt *st;
    size_t n_st, cap_st;
} arel;

struct cdc_apply {
    PGconn *c;
    int pending; /* statements sent whose results are unread */
    bool in_txn, xs_prepared;
    unsigned next_stmt;
    arel *rels;
    size_t n_rels, cap_rels;
    int64_t rows;
    const char **vals;
    size_t cap_vals;
    char first_err[700];
};

static void fail(cdc_apply *a, char *err, size_t errlen, const char *what)
{
    char e2[600];
    pg_error(a->c, NULL, e2, sizeof e2);
    snprintf(err, errlen, "%s: %s", what, a->first_err[0] ? a->first_err : e2);
}

/* Reads the results of the oldest statement in flight. The first error
 * is kept; later statements report PIPELINE_ABORTED and add nothing. */
static bool read_one(cdc_apply *a, PGresult **keep)
{
    PGresult *r = PQgetResult(a->c);
    if (!r) {
        if (!a->first_err[0])
            pg_error(a->c, NULL, a->first_err, sizeof a->first_err);
        if (!a->first_err[0])
            snprintf(a->first_err, sizeof a->first_err, "the sink connection was lost");
        a->pending = 0; /* nothing more will come: the caller reconnects */
        return false;
    }
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok && st != PGRES_PIPELINE_ABORTED && !a->first_err[0])
        pg_error(a->c, r, a->first_err, sizeof a->first_err);
    if (ok && keep)
        *keep = r;
    else
        PQclear(r);
    /* Each statement's results end with a NULL. */
    while ((r = PQgetResult(a->c)) != NULL)
        PQclear(r);
    a->pending--;
    return ok && !a->first_err[0];
}

static bool drain(cdc_apply *a, int max_pending)
{
    if (a->pending <= max_pending)
        return !a->first_err[0];
    if (!PQsendFlushRequest(a->c) || PQflush(a->c) < 0)
        return false;
    bool ok = true;
    while (a->pending > max_pending)
        ok = read_one(a, NULL) && ok;
    return ok;
}

bool apply_drain(cdc_apply *a, int max_pending, char *err, size_t errlen)
{
    if (drain(a, max_pending))
        return true;
    fail(a, err, errlen, "applying on the sink");
    return false;
}

static bool sent(cdc_apply *a, int ok)
{
    if (!ok) {
        if (!a->first_err[0])
            pg_error(a->c, NULL, a->first_err, sizeof a->first_err);
        return false;
    }
    a->pending++;
    return a->pending < MAX_IN_FLIGHT || drain(a, MAX_IN_FLIGHT / 2);
}

static bool send_sql(cdc_apply *a, const char *sql)
{
    return sent(a, PQsendQueryParams(a->c, sql, 0, NULL, NULL, NULL, NULL, 0));
}

static bool ensure_txn(cdc_apply *a)
{
    if (a->in_txn)
        return true;
    a->in_txn = true;
    return send_sql(a, "BEGIN");
}

cdc_apply *apply_new(PGconn *sink, char *err, size_t errlen)
{
    char e2[600];
    /* Commits are durable when they return (what the origin's progress and
     * the slot's flush position promise), whatever the server's default;
     * values compare as text in one fixed form on both sides. */
    if (!pg_exec(sink,
                 "SET synchronous_commit = on; SET DateStyle = ISO; SET TimeZone = 'UTC';"
                 " SET IntervalStyle = postgres; SET extra_float_digits = 3;"
                 " SET bytea_output = hex",
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
    if (!PQenterPipelineMode(sink)) {
        pg_error(sink, NULL, e2, sizeof e2);
        snprintf(err, errlen, "cannot enter pipeline mode on the sink: %s", e2);
        PQfinish(sink);
        return NULL;
    }
    cdc_apply *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    a->c = sink;
    return a;
}

void apply_free(cdc_apply *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_rels; i++) {
        for (size_t j = 0; j < a->rels[i].n_st; j++)
            free(a->rels[i].st[j].key);
        free(a->rels[i].st);
        free(a->rels[i].qname);
    }
    free(a->rels);
    free(a->vals);
    PQfinish(a->c);
    free(a);
}

bool apply_in_txn(const cdc_apply *a)
{
    return a->in_txn;
}

int64_t apply_rows(const cdc_apply *a)
{
    return a->rows;
}

static arel *find_rel(cdc_apply *a, uint32_t relid)
{
    for (size_t i = 0; i < a->n_rels; i++)
        if (a->rels[i].relid == relid)
            return &a->rels[i];
    return NULL;
}

static void reset_rel(arel *ar)
{
    for (size_t j = 0; j < ar->n_st; j++)
        free(ar->st[j].key);
    ar->n_st = 0;
    free(ar->qname);
    ar->qname = NULL;
}

/* One statement run now, in the pipeline, its result returned: used for
 * the sink's catalog inside the open transaction. */
static PGresult *query_now(cdc_apply *a, const char *sql, int n, const char *const *params)
{
    if (!sent(a, PQsendQueryParams(a->c, sql, n, NULL, params, NULL, NULL, 0)) ||
        !drain(a, 1))
        return NULL;
    PGresult *r = NULL;
    if (!read_one(a, &r)) {
        PQclear(r);
        return NULL;
    }
    return r;
}

static bool has_col(const pgo_relation *rel, const char *name)
{
    for (int i = 0; i < rel->ncols; i++)
        if (!strcmp(rel->cols[i].name, name))
            return true;
    return false;
}

bool apply_relation(cdc_apply *a, const pgo_relation *rel, bool *structure, char *err,
                    size_t errlen)
{
    *structure = false;
    arel *ar = find_rel(a, rel->relid);
    if (ar && ar->version == rel->version)
        return true;
    if (!ensure_txn(a)) {
        fail(a, err, errlen, "applying on the sink");
        return false;
    }
    const char *params[2] = {rel->nspname, rel->relname};
    PGresult *r = query_now(
        a,
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped"
        " AND a.attgenerated = '' ORDER BY a.attnum",
        2, params);
    if (!r) {
        fail(a, err, errlen, "reading the sink's columns");
        return false;
    }
    int nt = PQntuples(r);
    strbuf missing = {0}, extra = {0};
    for (int i = 0; i < rel->ncols; i++) {
        bool found = false;
        for (int j = 0; j < nt && !found; j++)
            found = !strcmp(PQgetvalue(r, j, 0), rel->cols[i].name);
        if (!found)
            strbuf_printf(&missing, "%s\"%s\"", missing.n ? ", " : "", rel->cols[i].name);
    }
    for (int j = 0; j < nt; j++)
        if (!has_col(rel, PQgetvalue(r, j, 0)))
            strbuf_printf(&extra, "%s\"%s\"", extra.n ? ", " : "", PQgetvalue(r, j, 0));
    PQclear(r);
    /* Columns only the sink has are filled by their defaults; columns
     * only the source has would lose data: that stops CDC. */
    bool ok = nt > 0 && !missing.n;
    if (!ok) {
        *structure = true;
        if (!nt)
            snprintf(err, errlen, "table %s.%s does not exist on the sink", rel->nspname,
                     rel->relname);
        else
            snprintf(err, errlen,
                     "structure of %s.%s changed on the source: column(s) %s missing on the sink"
                     "%s%s; add them on the sink and CDC resumes",
                     rel->nspname, rel->relname, strbuf_str(&missing), extra.n ? " (sink-only: " : "",
                     strbuf_str(&extra));
        if (extra.n && strlen(err) + 2 < errlen)
            strcat(err, ")");
    }
    strbuf_free(&missing);
    strbuf_free(&extra);
    if (!ok)
        return false;
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
    reset_rel(ar);
    ar->version = rel->version;
    ar->qname = pg_qualified(a->c, rel->nspname, rel->relname);
    return true;
}

static stmt *get_stmt(cdc_apply *a, const pgo_msg *m, arel *ar, char *err, size_t errlen)
{
    char *key = apply_sql_shape(m);
    for (size_t i = 0; i < ar->n_st; i++)
        if (!strcmp(ar->st[i].key, key)) {
            free(key);
            return &ar->st[i];
        }
    if (ar->n_st == ar->cap_st) {
        ar->cap_st = ar->cap_st ? ar->cap_st * 2 : 4;
        ar->st = realloc(ar->st, ar->cap_st * sizeof *ar->st);
        if (!ar->st)
            abort();
    }
    char *sql = apply_sql_change(a->c, m, ar->qname, err, errlen);
    if (!sql) {
        free(key);
        return NULL;
    }
    stmt *s = &ar->st[ar->n_st];
    snprintf(s->name, sizeof s->name, "mt%u", a->next_stmt++);
    bool ok = sent(a, PQsendPrepare(a->c, s->name, sql, 0, NULL));
    free(sql);
    if (!ok) {
        fail(a, err, errlen, "preparing a statement on the sink");
        free(key);
        return NULL;
    }
    s->key = key;
    ar->n_st++;
    return s;
}

static void want_vals(cdc_apply *a, size_t n)
{
    if (n > a->cap_vals) {
        a->vals = realloc(a->vals, n * sizeof *a->vals);
        if (!a->vals)
            abort();
        a->cap_vals = n;
    }
}

static bool truncate_rels(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, char *err,
                          size_t errlen)
{
    strbuf b = {0};
    strbuf_printf(&b, "TRUNCATE ONLY ");
    for (int i = 0; i < m->n_relids; i++) {
        arel *ar = find_rel(a, m->relids[i]);
        const pgo_relation *rel = pgo_relation_get(d, m->relids[i]);
        if (!ar || !rel || ar->version != rel->version) {
            strbuf_free(&b);
            snprintf(err, errlen, "Truncate of relation %u before its Relation message",
                     m->relids[i]);
            return false;
        }
        strbuf_printf(&b, "%s%s", i ? ", " : "", ar->qname);
    }
    if (m->restart_identity)
        strbuf_printf(&b, " RESTART IDENTITY");
    bool ok = m->n_relids == 0 || send_sql(a, b.s);
    strbuf_free(&b);
    if (!ok)
        fail(a, err, errlen, "truncating on the sink");
    return ok;
}

bool apply_change(cdc_apply *a, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                  char *err, size_t errlen)
{
    /* A Relation message may have come in a transaction skipped as already
     * applied: the check happens before the first change that needs it. */
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
        fail(a, err, errlen, "applying on the sink");
        return false;
    }
    if (m->kind == PGO_TRUNCATE) {
        a->rows++;
        return truncate_rels(a, d, m, err, errlen);
    }
    arel *ar = find_rel(a, m->rel->relid);
    if (!ar || ar->version != m->rel->version) {
        snprintf(err, errlen, "change for %s.%s before its structure was checked",
                 m->rel->nspname, m->rel->relname);
        return false;
    }
    stmt *s = get_stmt(a, m, ar, err, errlen);
    if (!s)
        return false;
    want_vals(a, (size_t)m->rel->ncols * 2 + 1);
    int np = apply_sql_params(m, a->vals);
    a->rows++;
    if (!sent(a, PQsendQueryPrepared(a->c, s->name, np, a->vals, NULL, NULL, 0))) {
        char what[600];
        snprintf(what, sizeof what, "applying a change to %s", ar->qname);
        fail(a, err, errlen, what);
        return false;
    }
    return true;
}

bool apply_txn_end(cdc_apply *a, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                   size_t errlen)
{
    if (!a->in_txn)
        return true; /* nothing of it reached the sink: nothing to record */
    char lsn[32], ts[64];
    snprintf(lsn, sizeof lsn, "%X/%X", (unsigned)(end_lsn >> 32), (unsigned)end_lsn);
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
    int ok = 1;
    if (!a->xs_prepared) {
        ok = sent(a, PQsendPrepare(a->c, "mt_xs",
                                   "SELECT pg_replication_origin_xact_setup($1::pg_lsn,"
                                   " $2::timestamptz)",
                                   0, NULL));
        a->xs_prepared = ok;
    }
    const char *params[2] = {lsn, ts};
    if (!ok || !sent(a, PQsendQueryPrepared(a->c, "mt_xs", 2, params, NULL, NULL, 0))) {
        fail(a, err, errlen, "recording the position in the replication origin");
        return false;
    }
    return true;
}

bool apply_commit(cdc_apply *a, char *err, size_t errlen)
{
    if (!a->in_txn)
        return true;
    a->in_txn = false;
    if (!sent(a, PQsendQueryParams(a->c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0)) ||
        !PQpipelineSync(a->c)) {
        fail(a, err, errlen, "committing on the sink");
        return false;
    }
    bool ok = true;
    while (a->pending > 0)
        ok = read_one(a, NULL) && ok;
    PGresult *r = PQgetResult(a->c);
    if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
        ok = false;
    PQclear(r);
    if (!ok)
        fail(a, err, errlen, "committing on the sink");
    return ok;
}
