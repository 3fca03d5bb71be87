/* Slot readings and the WAL-position ring behind lag in seconds. */
#include "pgprobe/slot.h"


#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pgp_lsn_ring_add(pgp_lsn_ring *r, double t, uint64_t lsn)
{
    r->v[r->next] = (pgp_lsn_sample){t, lsn};
    r->next = (r->next + 1) % PGP_LSN_RING;
    if (r->n < PGP_LSN_RING)
        r->n++;
}

static const pgp_lsn_sample *ring_at(const pgp_lsn_ring *r, size_t i) /* 0 = oldest */
{
    return &r->v[(r->next + PGP_LSN_RING - r->n + i) % PGP_LSN_RING];
}

double pgp_lsn_ring_age(const pgp_lsn_ring *r, uint64_t pos, double now, bool *lower_bound)
{
    *lower_bound = false;
    if (!r->n)
        return -1;
    const pgp_lsn_sample *newest = ring_at(r, r->n - 1), *oldest = ring_at(r, 0);
    if (pos >= newest->lsn)
        return 0;
    if (pos < oldest->lsn) {
        *lower_bound = true;
        return now - oldest->t;
    }
    /* The last sample at or before pos and the first one past it bracket
     * the moment the WAL went through pos. */
    for (size_t i = r->n - 1; i > 0; i--) {
        const pgp_lsn_sample *a = ring_at(r, i - 1), *b = ring_at(r, i);
        if (a->lsn <= pos && pos < b->lsn) {
            double f = (double)(pos - a->lsn) / (double)(b->lsn - a->lsn);
            double t = a->t + f * (b->t - a->t);
            return now - t > 0 ? now - t : 0;
        }
    }
    return now - oldest->t;
}

void pgp_slot_probe_init(pgp_slot_probe *p, const char *slot_name)
{
    memset(p, 0, sizeof *p);
    snprintf(p->slot, sizeof p->slot, "%s", slot_name);
}

/* One row even when the slot is missing (the LEFT JOINs), so the WAL
 * position is sampled on every reading. Columns newer than PostgreSQL 10
 * (wal_status, safe_wal_size: 13) are read through to_jsonb, NULL where
 * the server has none, so one statement serves every version. */
static const char *SLOT_SQL =
    "SELECT extract(epoch FROM clock_timestamp()), pg_current_wal_lsn(),"
    "       s.slot_name IS NOT NULL, coalesce(s.active, false), s.slot_type = 'logical',"
    "       coalesce(s.active_pid, 0), coalesce(s.plugin::text, ''), coalesce(s.database::text, ''),"
    "       coalesce(to_jsonb(s) ->> 'wal_status', ''), s.restart_lsn, s.confirmed_flush_lsn,"
    "       (to_jsonb(s) ->> 'safe_wal_size')::bigint,"
    "       r.pid IS NOT NULL, coalesce(r.application_name, ''),"
    "       coalesce(host(r.client_addr), ''), coalesce(r.state, ''),"
    "       extract(epoch FROM r.write_lag), extract(epoch FROM r.flush_lag),"
    "       extract(epoch FROM r.replay_lag)"
    " FROM (SELECT 1) one"
    " LEFT JOIN pg_replication_slots s ON s.slot_name = $1"
    " LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid";

static double opt_double(const PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? -1 : atof(PQgetvalue(r, 0, col));
}

static uint64_t opt_lsn(const PGresult *r, int col)
{
    uint64_t v = 0;
    if (!PQgetisnull(r, 0, col))
        fmt_parse_lsn(PQgetvalue(r, 0, col), &v);
    return v;
}

const char *pgp_slot_sql(void)
{
    return SLOT_SQL;
}

bool pgp_slot_read(pgp_slot_probe *p, PGconn *c, pgp_slot_reading *out, pgp_error *err)
{
    const char *params[1] = {p->slot};
    PGresult *r = pgp_query_prepared(c, "pgp_slot", SLOT_SQL, 1, params, err);
    if (!r)
        return false;
    pgp_slot_apply(p, r, out);
    PQclear(r);
    return true;
}

void pgp_slot_apply(pgp_slot_probe *p, const PGresult *r, pgp_slot_reading *out)
{
    memset(out, 0, sizeof *out);
    out->lag_s = -1;
    out->t = atof(PQgetvalue(r, 0, 0));
    fmt_parse_lsn(PQgetvalue(r, 0, 1), &out->current_lsn);
    pgp_lsn_ring_add(&p->ring, out->t, out->current_lsn);
    out->exists = !strcmp(PQgetvalue(r, 0, 2), "t");
    out->active = !strcmp(PQgetvalue(r, 0, 3), "t");
    out->logical = !strcmp(PQgetvalue(r, 0, 4), "t");
    out->active_pid = atoi(PQgetvalue(r, 0, 5));
    snprintf(out->plugin, sizeof out->plugin, "%s", PQgetvalue(r, 0, 6));
    snprintf(out->database, sizeof out->database, "%s", PQgetvalue(r, 0, 7));
    snprintf(out->wal_status, sizeof out->wal_status, "%s", PQgetvalue(r, 0, 8));
    out->restart_lsn = opt_lsn(r, 9);
    out->confirmed_flush_lsn = opt_lsn(r, 10);
    out->has_safe_wal_size = !PQgetisnull(r, 0, 11);
    out->safe_wal_size = out->has_safe_wal_size ? strtoll(PQgetvalue(r, 0, 11), NULL, 10) : 0;
    out->has_stat = !strcmp(PQgetvalue(r, 0, 12), "t");
    snprintf(out->application, sizeof out->application, "%s", PQgetvalue(r, 0, 13));
    snprintf(out->client_addr, sizeof out->client_addr, "%s", PQgetvalue(r, 0, 14));
    snprintf(out->state, sizeof out->state, "%s", PQgetvalue(r, 0, 15));
    out->write_lag_s = opt_double(r, 16);
    out->flush_lag_s = opt_double(r, 17);
    out->replay_lag_s = opt_double(r, 18);
    if (out->exists && out->restart_lsn && out->current_lsn >= out->restart_lsn)
        out->retained_bytes = (int64_t)(out->current_lsn - out->restart_lsn);
    if (out->exists && out->confirmed_flush_lsn) {
        uint64_t cf = out->confirmed_flush_lsn;
        out->lag_bytes = out->current_lsn > cf ? (int64_t)(out->current_lsn - cf) : 0;
        out->lag_s = pgp_lsn_ring_age(&p->ring, cf, out->t, &out->lag_s_lower_bound);
    }
}

void pgp_slot_probe_free(pgp_slot_probe *p)
{
    memset(p, 0, sizeof *p);
}

bool pgp_publication_read(PGconn *c, const char *pubname, pgp_publication *out, pgp_error *err)
{
    memset(out, 0, sizeof *out);
    const char *params[1] = {pubname};
    PGresult *r = pgp_query(c,
                            "SELECT p.puballtables, pg_get_userbyid(p.pubowner), p.pubinsert,"
                            "       p.pubupdate, p.pubdelete,"
                            "       coalesce((to_jsonb(p) ->> 'pubtruncate')::bool, false),"
                            "       t.schemaname || '.' || t.tablename"
                            " FROM pg_publication p"
                            " LEFT JOIN pg_publication_tables t ON t.pubname = p.pubname"
                            " WHERE p.pubname = $1 ORDER BY t.schemaname, t.tablename",
                            1, params, err);
    if (!r)
        return false;
    int n = PQntuples(r);
    out->exists = n > 0;
    if (n) {
        out->all_tables = !strcmp(PQgetvalue(r, 0, 0), "t");
        snprintf(out->owner, sizeof out->owner, "%s", PQgetvalue(r, 0, 1));
        out->pub_insert = !strcmp(PQgetvalue(r, 0, 2), "t");
        out->pub_update = !strcmp(PQgetvalue(r, 0, 3), "t");
        out->pub_delete = !strcmp(PQgetvalue(r, 0, 4), "t");
        out->pub_truncate = !strcmp(PQgetvalue(r, 0, 5), "t");
        out->tables = calloc((size_t)n, sizeof *out->tables);
        if (!out->tables)
            abort();
        for (int i = 0; i < n; i++) {
            if (PQgetisnull(r, i, 6))
                continue;
            out->tables[out->n_tables] = strdup(PQgetvalue(r, i, 6));
            if (!out->tables[out->n_tables++])
                abort();
        }
    }
    PQclear(r);
    return true;
}

void pgp_publication_free(pgp_publication *p)
{
    for (size_t i = 0; i < p->n_tables; i++)
        free(p->tables[i]);
    free(p->tables);
    memset(p, 0, sizeof *p);
}
