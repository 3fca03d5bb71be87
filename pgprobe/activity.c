/* Write activity readings (see activity.h for what each figure means). */
#include "pgprobe/activity.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"


void pgp_activity_probe_init(pgp_activity_probe *a)
{
    memset(a, 0, sizeof *a);
    a->own_xacts_per_reading = 1;
}

/* The counters come once per row (repeated); the writer groups, one per
 * row, only where a session holds a transaction ID. */
static const char *ACTIVITY_SQL =
    "SELECT extract(epoch FROM clock_timestamp()), pg_current_wal_lsn(),"
    "       txid_snapshot_xmax(txid_current_snapshot()),"
    "       (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),"
    "       g.usename, g.app, g.excluded, g.n, g.oldest, g.holding"
    " FROM (SELECT 1) one LEFT JOIN ("
    "   SELECT coalesce(a.usename::text, '') AS usename, a.application_name AS app,"
    "          (a.pid = $2::int OR EXISTS (SELECT 1 FROM jsonb_array_elements_text($1::jsonb) p(v)"
    "             WHERE left(a.application_name, length(v)) = v)) AS excluded,"
    "          a.backend_xid IS NOT NULL AS holding,"
    "          count(*) AS n,"
    "          max(extract(epoch FROM clock_timestamp() - a.xact_start)) AS oldest"
    "   FROM pg_stat_activity a"
    "   WHERE a.pid <> pg_backend_pid() AND (a.backend_xid IS NOT NULL OR"
    "         (a.backend_type = 'client backend' AND a.datname = current_database() AND"
    "          a.state_change > clock_timestamp() - interval '2 seconds'))"
    "   GROUP BY 1, 2, 3, 4 ORDER BY 3, 4 DESC, 5 DESC) g ON true";

/* The excluded application names as a JSON array of strings: no quoting
 * rules of our own to get wrong. */
static char *json_strings(const char *const *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(v[i]));
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (!s)
        abort();
    return s;
}

#define WIN (sizeof ((pgp_activity_probe *)0)->win_t / sizeof(double))

static void window_add(pgp_activity_probe *a, double t, int64_t commits)
{
    a->win_t[a->win_next] = t;
    a->win_commits[a->win_next] = commits;
    a->win_next = (a->win_next + 1) % WIN;
    if (a->win_n < WIN)
        a->win_n++;
}

/* Commits per second from the oldest reading at most 5 s back. */
static double window_rate(const pgp_activity_probe *a)
{
    size_t newest = (a->win_next + WIN - 1) % WIN;
    double t1 = a->win_t[newest];
    size_t pick = newest;
    for (size_t i = 1; i < a->win_n; i++) {
        size_t k = (newest + WIN - i) % WIN;
        if (t1 - a->win_t[k] > 5.0)
            break;
        pick = k;
    }
    double dt = t1 - a->win_t[pick];
    return dt > 0 ? (double)(a->win_commits[newest] - a->win_commits[pick]) / dt : 0;
}

static bool same_group(const pgp_writer_group *x, const pgp_writer_group *y)
{
    return !strcmp(x->role, y->role) && !strcmp(x->application, y->application);
}

/* Keep the group in the probe's memory, its seen_ago_s field holding the
 * server time it was last seen writing; the oldest entry makes room. */
static void remember_writer(pgp_activity_probe *a, const pgp_writer_group *g, double t)
{
    size_t k = 0;
    while (k < a->n_recent && !same_group(&a->recent[k], g))
        k++;
    if (k == a->n_recent) {
        if (a->n_recent < PGP_MAX_WRITERS) {
            a->n_recent++;
        } else {
            k = 0;
            for (size_t i = 1; i < a->n_recent; i++)
                if (a->recent[i].seen_ago_s < a->recent[k].seen_ago_s)
                    k = i;
        }
        a->recent[k] = *g;
        a->recent[k].sessions = 0;
    }
    pgp_writer_group *m = &a->recent[k];
    m->sessions = g->sessions > m->sessions ? g->sessions : m->sessions;
    m->oldest_xact_s = g->oldest_xact_s;
    m->seen_ago_s = t;
}

/* The reading's writers: those writing now (their count now) first, then
 * those seen within PGP_WRITER_MEMORY_S (the most sessions seen, and how
 * long ago); older ones are forgotten. */
static void recent_writers(pgp_activity_probe *a, pgp_activity_reading *out)
{
    size_t keep = 0;
    for (size_t i = 0; i < a->n_recent; i++)
        if (out->t - a->recent[i].seen_ago_s <= PGP_WRITER_MEMORY_S)
            a->recent[keep++] = a->recent[i];
    a->n_recent = keep;
    for (int now = 1; now >= 0; now--)
        for (size_t i = 0; i < a->n_recent; i++) {
            bool is_now = a->recent[i].seen_ago_s >= out->t;
            if (is_now != (bool)now)
                continue;
            pgp_writer_group *g = &out->writers[out->n_writers++];
            *g = a->recent[i];
            g->seen_ago_s = is_now ? 0 : out->t - a->recent[i].seen_ago_s;
        }
}

const char *pgp_activity_sql(void)
{
    return ACTIVITY_SQL;
}

char *pgp_activity_params(const pgp_activity_probe *a, char pid[16])
{
    snprintf(pid, 16, "%d", a->exclude_pid);
    return json_strings(a->exclude_apps, a->n_exclude_apps);
}

bool pgp_activity_read(pgp_activity_probe *a, PGconn *c, pgp_activity_reading *out,
                       pgp_error *err)
{
    char pid[16], *apps = pgp_activity_params(a, pid);
    const char *params[2] = {apps, pid};
    PGresult *r = pgp_query_prepared(c, "pgp_activity", ACTIVITY_SQL, 2, params, err);
    free(apps);
    if (!r)
        return false;
    pgp_activity_apply(a, r, out);
    PQclear(r);
    return true;
}

/* The session groups of one reading: the migration's own counted apart,
 * those writing now remembered, those only active listed. */
static void read_groups(pgp_activity_probe *a, const PGresult *r, pgp_activity_reading *out)
{
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, 7))
            continue;
        int n = atoi(PQgetvalue(r, i, 7));
        bool holding = !strcmp(PQgetvalue(r, i, 9), "t");
        if (!strcmp(PQgetvalue(r, i, 6), "t")) {
            out->excluded_sessions += holding ? n : 0;
            continue;
        }
        if (!holding) { /* active in the last 2 s, no write in progress now */
            if (out->n_active < PGP_MAX_WRITERS) {
                pgp_writer_group *g = &out->active[out->n_active++];
                snprintf(g->role, sizeof g->role, "%s", PQgetvalue(r, i, 4));
                snprintf(g->application, sizeof g->application, "%s", PQgetvalue(r, i, 5));
                g->sessions = n;
            }
            continue;
        }
        out->writing_sessions += n;
        pgp_writer_group g = {.sessions = n, .oldest_xact_s = atof(PQgetvalue(r, i, 8))};
        snprintf(g.role, sizeof g.role, "%s", PQgetvalue(r, i, 4));
        snprintf(g.application, sizeof g.application, "%s", PQgetvalue(r, i, 5));
        remember_writer(a, &g, out->t);
    }
    recent_writers(a, out);
}

void pgp_activity_apply(pgp_activity_probe *a, const PGresult *r, pgp_activity_reading *out)
{
    memset(out, 0, sizeof *out);
    out->t = atof(PQgetvalue(r, 0, 0));
    fmt_parse_lsn(PQgetvalue(r, 0, 1), &out->wal_lsn);
    out->xid_horizon = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
    out->xact_commit = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    read_groups(a, r, out);

    bool wrote = out->writing_sessions > 0;
    if (a->have_prev) {
        double dt = out->t - a->prev_t;
        /* Our own transactions reach the counter late and in batches:
         * owe them, and take them off as they show up. */
        int64_t delta = out->xact_commit - a->prev_commit;
        a->own_pending += a->own_xacts_per_reading;
        int64_t ours = delta < a->own_pending ? delta : a->own_pending;
        if (ours > 0)
            a->own_pending -= ours;
        if (a->own_pending > 16 * (int64_t)a->own_xacts_per_reading)
            a->own_pending = 16 * (int64_t)a->own_xacts_per_reading; /* counter reset */
        a->others_commits += delta > ours ? delta - ours : 0;
        window_add(a, out->t, a->others_commits);
        if (dt > 0) {
            out->rates_known = true;
            out->commits_per_s = window_rate(a);
            out->wal_bytes_per_s =
                out->wal_lsn > a->prev_wal ? (double)(out->wal_lsn - a->prev_wal) / dt : 0;
            out->write_xacts_per_s =
                out->xid_horizon > a->prev_xid ? (double)(out->xid_horizon - a->prev_xid) / dt : 0;
        }
        /* The horizon moved: a transaction that wrote ended in between.
         * It may have ended just now, so "no writes for N s" counts from
         * this reading: N is never more than the real quiet time. */
        if (out->xid_horizon > a->prev_xid) {
            wrote = true;
            a->last_write_t = out->t;
            a->ever_wrote = true;
        }
    } else {
        a->first_t = out->t;
        window_add(a, out->t, 0);
    }
    if (out->writing_sessions > 0) {
        a->last_write_t = out->t;
        a->ever_wrote = true;
    }
    out->writing = wrote;
    if (a->ever_wrote) {
        out->no_writes_s = out->t - a->last_write_t;
    } else {
        out->no_writes_s = out->t - a->first_t;
        out->no_writes_lower_bound = true;
    }
    a->have_prev = true;
    a->prev_t = out->t;
    a->prev_wal = out->wal_lsn;
    a->prev_xid = out->xid_horizon;
    a->prev_commit = out->xact_commit;
}
