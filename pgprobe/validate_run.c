/* Validation runs: connections per side on one exported snapshot, every
 * comparison sent to both sides at once over non-blocking libpq, results
 * compared as they arrive, then the rows of mismatching ranges named
 * (see validate.h). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "pgprobe/validate_internal.h"

enum { SRC = 0, SNK = 1 };
static const char *const SIDE[2] = {"source", "sink"};

typedef struct side_conn {
    PGconn *c;
    val_job *job;  /* running, or NULL */
    bool failed;   /* a query failed: roll back to the savepoint before the next */
} side_conn;

typedef struct runner {
    side_conn *conns[2];
    int n[2];
    val_job *jobs;
    size_t n_jobs, next[2], done;
    size_t units, units_done;  /* for progress: ranges and counts */
    pgp_val_report *rep;
    const pgp_val_opts *opt;
    bool stop;
} runner;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool cancelled(const runner *r)
{
    return r->stop || (r->opt->cancel && *r->opt->cancel);
}

/* The server's message on one line, for the report. */
static const char *one_line(arena *a, const char *m)
{
    if (!strncmp(m, "ERROR:  ", 8))
        m += 8;
    char *s = arena_strdup(a, m);
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
    return s;
}

/* Session settings, then a REPEATABLE READ transaction; the first
 * connection of a side exports its snapshot and the others adopt it, so
 * every range of a side is read at one instant. */
static bool open_side(runner *r, int side, const pgp_endpoint *ep, pgp_error *err)
{
    int want = r->opt->jobs > 0 ? r->opt->jobs : 2;
    r->conns[side] = arena_alloc(&r->rep->a, (size_t)want * sizeof(side_conn));
    char snap[128] = "";
    bool shared = true;
    for (int k = 0; k < want; k++) {
        pgp_error e = {0};
        PGconn *c = pgp_connect_cancelable(ep, "migtop validate", r->opt->timeout_s, false,
                                           r->opt->cancel, &e);
        if (!c) {
            if (k == 0) {
                *err = e;
                return false;
            }
            break; /* fewer connections than asked: slower, not wrong */
        }
        r->conns[side][r->n[side]++].c = c;
        if (!pgp_exec(c, VAL_SESSION_SQL, err) ||
            !pgp_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", err))
            return false;
        if (k == 0) {
            if (!pgp_query_value(c, "SELECT pg_export_snapshot()", 0, NULL, snap, sizeof snap,
                                 &e)) {
                /* A hot standby cannot export one: the ranges are then each
                 * read at their own instant. */
                shared = false;
                pgp_exec(c, "ROLLBACK", NULL);
                if (!pgp_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", err))
                    return false;
            }
        } else if (shared) {
            char *lit = PQescapeLiteral(c, snap, strlen(snap));
            char sql[192];
            snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT %s", lit ? lit : "''");
            PQfreemem(lit);
            if (!pgp_exec(c, sql, err))
                return false;
        }
    }
    /* A failed query (no SELECT on one table, a type the sink lacks)
     * aborts the transaction; rolling back to this savepoint keeps the
     * snapshot for the queries after it. */
    for (int k = 0; k < r->n[side]; k++)
        if (!pgp_exec(r->conns[side][k].c, "SAVEPOINT migtop_validate", err))
            return false;
    if (side == SRC)
        r->rep->snapshot = shared;
    else
        r->rep->snapshot &= shared;
    return true;
}

static void close_sides(runner *r)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < r->n[s]; k++)
            if (r->conns[s][k].c)
                PQfinish(r->conns[s][k].c);
}

static void progress(runner *r, const pgp_val_table *t, const pgp_val_range *rg)
{
    r->units_done++;
    if (r->opt->progress && !r->stop) {
        pgp_val_progress p = {t, rg, r->units_done, r->units};
        if (!r->opt->progress(r->opt->ud, &p))
            r->stop = true;
    }
}

static void compare_range(runner *r, pgp_val_table *t, pgp_val_range *rg, int64_t src_rows,
                          const char *src_sum, int64_t snk_rows, const char *snk_sum,
                          const char *error)
{
    rg->checked = true;
    rg->source_rows = src_rows;
    rg->sink_rows = snk_rows;
    rg->source_sum = src_sum;
    rg->sink_sum = snk_sum;
    rg->error = error;
    rg->match = !error && src_rows == snk_rows && src_sum && snk_sum && !strcmp(src_sum, snk_sum);
    t->n_checked++;
    t->n_mismatch += !rg->match;
    progress(r, t, rg);
}

static void finish_job(runner *r, val_job *j)
{
    pgp_val_table *t = j->plan->t;
    const char *error = NULL;
    for (int s = 0; s < 2 && !error; s++)
        if (j->side[s].error)
            error = arena_printf(&r->rep->a, "%s: %s", SIDE[s], j->side[s].error);
    r->done++;
    if (j->scan) {
        for (size_t k = 0; k < t->n_ranges; k++)
            compare_range(r, t, &t->ranges[k], j->side[SRC].bucket_rows[k],
                          j->side[SRC].bucket_sum[k], j->side[SNK].bucket_rows[k],
                          j->side[SNK].bucket_sum[k], error);
    } else if (j->range) {
        compare_range(r, t, j->range, j->side[SRC].rows, j->side[SRC].sum, j->side[SNK].rows,
                      j->side[SNK].sum, error);
    } else {
        if (error)
            t->problem = error;
        t->source_rows = error ? -1 : j->side[SRC].rows;
        t->sink_rows = error ? -1 : j->side[SNK].rows;
        progress(r, t, NULL);
    }
}

/* A row of a grouped scan: the range number width_bucket gave, its count
 * and sum. */
static void take_bucket(runner *r, val_job *j, int side, PGresult *res, int row)
{
    long b = atol(PQgetvalue(res, row, 0));
    if (b < 0 || (size_t)b >= j->plan->t->n_ranges)
        return;
    j->side[side].bucket_rows[b] = strtoll(PQgetvalue(res, row, 1), NULL, 10);
    j->side[side].bucket_sum[b] = arena_strdup(&r->rep->a, PQgetvalue(res, row, 2));
}

static bool recover(runner *r, int side, side_conn *sc, pgp_error *err)
{
    if (!sc->failed)
        return true;
    sc->failed = false;
    if (pgp_exec(sc->c, "ROLLBACK TO SAVEPOINT migtop_validate", err))
        return true;
    const char *msg = one_line(&r->rep->a, err->msg);
    pgp_error_set(err, err->code, "%s: %s", SIDE[side], msg);
    return false;
}

static bool send_next(runner *r, int side, side_conn *sc, pgp_error *err)
{
    if (r->next[side] >= r->n_jobs)
        return true;
    if (!recover(r, side, sc, err))
        return false;
    val_job *j = &r->jobs[r->next[side]++];
    if (!PQsendQueryParams(sc->c, j->sql, j->nparams, NULL, j->params, NULL, NULL, 0)) {
        pgp_error_set(err, PGP_ERR_CONN_LOST, "%s: %s", SIDE[side],
                      one_line(&r->rep->a, PQerrorMessage(sc->c)));
        return false;
    }
    sc->job = j;
    return true;
}

/* Reads what has arrived on a busy connection; the job's side is done
 * when libpq has handed over its last result. */
static bool collect(runner *r, int side, side_conn *sc, pgp_error *err)
{
    if (!PQconsumeInput(sc->c)) {
        pgp_error_set(err, PGP_ERR_CONN_LOST, "%s: %s", SIDE[side],
                      one_line(&r->rep->a, PQerrorMessage(sc->c)));
        return false;
    }
    while (sc->job && !PQisBusy(sc->c)) {
        PGresult *res = PQgetResult(sc->c);
        val_job *j = sc->job;
        if (!res) {
            j->side[side].done = true;
            sc->job = NULL;
            if (j->side[SRC].done && j->side[SNK].done)
                finish_job(r, j);
            break;
        }
        if (PQresultStatus(res) == PGRES_TUPLES_OK && j->scan) {
            for (int row = 0; row < PQntuples(res); row++)
                take_bucket(r, j, side, res, row);
        } else if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
            j->side[side].rows = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
            j->side[side].sum = PQgetisnull(res, 0, 1)
                                    ? NULL
                                    : arena_strdup(&r->rep->a, PQgetvalue(res, 0, 1));
        } else {
            sc->failed = true;
            if (!j->side[side].error)
                j->side[side].error = one_line(&r->rep->a, PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    if (PQstatus(sc->c) == CONNECTION_BAD) {
        pgp_error_set(err, PGP_ERR_CONN_LOST, "%s: the connection was lost", SIDE[side]);
        return false;
    }
    return true;
}

/* Stops every running query and waits for the servers to acknowledge. */
static void cancel_all(runner *r)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < r->n[s]; k++) {
            side_conn *sc = &r->conns[s][k];
            if (!sc->job)
                continue;
            PGcancel *pc = PQgetCancel(sc->c);
            char buf[256];
            if (pc) {
                PQcancel(pc, buf, sizeof buf);
                PQfreeCancel(pc);
            }
            PGresult *res;
            while ((res = PQgetResult(sc->c)))
                PQclear(res);
            sc->job = NULL;
        }
}

static bool run_jobs(runner *r, pgp_error *err)
{
    size_t nconn = (size_t)(r->n[SRC] + r->n[SNK]);
    struct pollfd *fds = calloc(nconn, sizeof *fds);
    side_conn **who = calloc(nconn, sizeof *who);
    int *whose = calloc(nconn, sizeof *whose);
    if (!fds || !who || !whose)
        abort();
    bool ok = true;
    while (ok && r->done < r->n_jobs) {
        if (cancelled(r)) {
            cancel_all(r);
            r->rep->cancelled = true;
            break;
        }
        size_t nf = 0;
        for (int s = 0; s < 2 && ok; s++)
            for (int k = 0; k < r->n[s] && ok; k++) {
                side_conn *sc = &r->conns[s][k];
                if (!sc->job)
                    ok = send_next(r, s, sc, err);
                if (sc->job) {
                    fds[nf] = (struct pollfd){.fd = PQsocket(sc->c), .events = POLLIN};
                    who[nf] = sc;
                    whose[nf++] = s;
                }
            }
        if (!ok)
            break;
        if (nf == 0) {
            pgp_error_set(err, PGP_ERR_OTHER, "validation stalled: no query running");
            ok = false;
            break;
        }
        int n = poll(fds, nf, 100);
        for (size_t i = 0; n > 0 && i < nf && ok; i++)
            if (fds[i].revents)
                ok = collect(r, whose[i], who[i], err);
    }
    free(fds);
    free(who);
    free(whose);
    return ok;
}

/* ---- naming the rows of a mismatching range ---- */

typedef struct row_map {
    size_t cap;
    const char **key;
    const char **hash;
    bool *seen;
} row_map;

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t map_slot(const row_map *m, const char *key)
{
    size_t i = str_hash(key) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], key))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void note_row(arena *a, pgp_val_range *rg, pgp_val_row_kind kind, const char *key)
{
    if (rg->n_rows < PGP_VAL_MAX_ROWS) {
        if (!rg->rows)
            rg->rows = arena_alloc(a, PGP_VAL_MAX_ROWS * sizeof *rg->rows);
        rg->rows[rg->n_rows++] = (pgp_val_row){kind, arena_strdup(a, key)};
    }
    rg->n_rows_total++;
}

/* Fetches (key, row hash) of the range from both sides at once and
 * matches them by key text: no ordering is needed on the client, so any
 * key type and collation works. */
static bool diff_rows(runner *r, val_tplan *pl, pgp_val_range *rg, pgp_error *err)
{
    arena tmp;
    arena_init(&tmp);
    const char *sql = val_rows_sql(&tmp, pl, rg);
    size_t n = pl->t->n_key;
    const char **params = arena_alloc(&tmp, (2 * n + 1) * sizeof *params);
    int np = 0;
    for (size_t k = 0; rg->lo && k < n; k++)
        params[np++] = rg->lo[k];
    for (size_t k = 0; rg->hi && k < n; k++)
        params[np++] = rg->hi[k];
    PGresult *res[2] = {NULL, NULL};
    bool ok = recover(r, SRC, &r->conns[SRC][0], err) && recover(r, SNK, &r->conns[SNK][0], err);
    for (int s = 0; s < 2 && ok; s++)
        if (!PQsendQueryParams(r->conns[s][0].c, sql, np, NULL, params, NULL, NULL, 0)) {
            pgp_error_set(err, PGP_ERR_CONN_LOST, "%s: %s", SIDE[s],
                          one_line(&r->rep->a, PQerrorMessage(r->conns[s][0].c)));
            ok = false;
        }
    for (int s = 0; s < 2; s++) {
        PGresult *x;
        while ((x = PQgetResult(r->conns[s][0].c))) {
            if (!res[s] && PQresultStatus(x) == PGRES_TUPLES_OK) {
                res[s] = x;
            } else {
                r->conns[s][0].failed |= PQresultStatus(x) != PGRES_TUPLES_OK;
                PQclear(x);
            }
        }
    }
    if (ok && res[SRC] && res[SNK]) {
        int ns = PQntuples(res[SRC]), nk = PQntuples(res[SNK]);
        row_map m = {.cap = 16};
        while (m.cap < (size_t)ns * 2 + 2)
            m.cap *= 2;
        m.key = arena_alloc(&tmp, m.cap * sizeof *m.key);
        m.hash = arena_alloc(&tmp, m.cap * sizeof *m.hash);
        m.seen = arena_alloc(&tmp, m.cap * sizeof *m.seen);
        for (int i = 0; i < ns; i++) {
            size_t at = map_slot(&m, PQgetvalue(res[SRC], i, 0));
            m.key[at] = PQgetvalue(res[SRC], i, 0);
            m.hash[at] = PQgetvalue(res[SRC], i, 1);
        }
        for (int i = 0; i < nk; i++) {
            const char *key = PQgetvalue(res[SNK], i, 0);
            size_t at = map_slot(&m, key);
            if (!m.key[at])
                note_row(&r->rep->a, rg, PGP_ROW_EXTRA, key);
            else if (!m.seen[at]) {
                m.seen[at] = true;
                if (strcmp(m.hash[at], PQgetvalue(res[SNK], i, 1)))
                    note_row(&r->rep->a, rg, PGP_ROW_CHANGED, key);
            }
        }
        for (int i = 0; i < ns; i++) {
            size_t at = map_slot(&m, PQgetvalue(res[SRC], i, 0));
            if (!m.seen[at]) {
                m.seen[at] = true;
                note_row(&r->rep->a, rg, PGP_ROW_MISSING, m.key[at]);
            }
        }
    }
    PQclear(res[SRC]);
    PQclear(res[SNK]);
    arena_free(&tmp);
    return ok;
}

/* Only ranges of a sensible size: the rows travel to this process. */
static bool name_rows(runner *r, val_tplan *plans, pgp_error *err)
{
    int64_t limit = 5 * (r->opt->range_rows > 0 ? r->opt->range_rows : 100000);
    int budget = 10;
    for (size_t i = 0; i < r->rep->n_tables; i++) {
        pgp_val_table *t = &r->rep->tables[i];
        for (size_t k = 0; k < t->n_ranges && t->n_key && budget > 0; k++) {
            pgp_val_range *rg = &t->ranges[k];
            if (!rg->checked || rg->match || rg->error || rg->source_rows > limit ||
                rg->sink_rows > limit)
                continue;
            if (cancelled(r)) {
                r->rep->cancelled = true;
                return true;
            }
            budget--;
            if (!diff_rows(r, &plans[i], rg, err))
                return false;
        }
    }
    return true;
}

static void conclude(pgp_val_report *rep)
{
    for (size_t i = 0; i < rep->n_tables; i++) {
        pgp_val_table *t = &rep->tables[i];
        if (!t->problem && t->source_rows < 0 && t->n_checked == t->n_ranges) {
            /* Every range compared: the counts are their sums. */
            t->source_rows = t->sink_rows = 0;
            for (size_t k = 0; k < t->n_ranges; k++) {
                t->source_rows += t->ranges[k].source_rows;
                t->sink_rows += t->ranges[k].sink_rows;
            }
        }
        t->match = !t->problem && t->n_checked > 0 && t->n_mismatch == 0 &&
                   t->source_rows == t->sink_rows;
        rep->n_mismatch_tables += !t->match;
    }
}

/* The large objects, when a table references them, in the snapshots the
 * rows were read in. */
static bool compare_lobs(runner *r, pgp_error *err)
{
    pgp_val_report *out = r->rep;
    cJSON *names = cJSON_CreateArray();
    for (size_t i = 0; i < out->n_tables; i++)
        if (!out->tables[i].problem)
            cJSON_AddItemToArray(names, cJSON_CreateString(out->tables[i].qname));
    char *json = cJSON_PrintUnformatted(names);
    cJSON_Delete(names);
    if (!json)
        abort();
    char refs[512];
    bool ok = pgp_lob_refs(r->conns[SRC][0].c, json, refs, sizeof refs, err);
    free(json);
    if (!ok || !refs[0])
        return ok;
    out->lobs.refs = arena_strdup(&out->a, refs);
    return pgp_lobs_compare(r->conns[SRC][0].c, r->conns[SNK][0].c, &out->a, &out->lobs, err);
}

bool pgp_validate(const pgp_endpoint *src, const pgp_endpoint *snk, const mt_objects *o,
                  const pgp_val_opts *opt, pgp_val_report *out, pgp_error *err)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->a);
    out->full = opt->full;
    double t0 = now_s();
    runner r = {.rep = out, .opt = opt};
    val_tplan *plans = NULL;
    bool ok = open_side(&r, SRC, src, err) && open_side(&r, SNK, snk, err) &&
              val_plan(r.conns[SRC][0].c, r.conns[SNK][0].c, o, opt, out, &plans, err);
    if (opt->cancel && *opt->cancel) {
        /* Stopped while connecting or planning: not a failure. */
        out->cancelled = true;
        ok = true;
    } else if (ok) {
        r.jobs = val_jobs(out, plans, opt, &r.n_jobs);
        for (size_t i = 0; i < r.n_jobs; i++)
            r.units += r.jobs[i].scan ? r.jobs[i].plan->t->n_ranges : 1;
        ok = run_jobs(&r, err);
    }
    if (ok && !out->cancelled && !opt->no_rows)
        ok = name_rows(&r, plans, err);
    if (ok && !out->cancelled)
        ok = compare_lobs(&r, err);
    if (ok)
        conclude(out);
    close_sides(&r);
    out->seconds = now_s() - t0;
    return ok;
}

bool pgp_val_ok(const pgp_val_report *r)
{
    return !r->cancelled && r->n_missing == 0 && r->n_mismatch_tables == 0 &&
           pgp_lobs_ok(&r->lobs);
}

void pgp_val_report_free(pgp_val_report *r)
{
    arena_free(&r->a);
    memset(r, 0, sizeof *r);
}
