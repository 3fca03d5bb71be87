#include "pgprobe/orphans.h"
#include "model/fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PUB_SUFFIX "_publication_for_all_tables"

const char *pgp_orphan_mark(arena *a, const char *task, const char *state_dir,
                            const char *host)
{
    return arena_printf(a, PGP_MARK_PREFIX "%s in %s on %s", task, state_dir, host);
}

/* "migtop task NAME in DIR on HOST" into its parts (arena copies). */
static bool parse_mark(arena *a, const char *mark, const char **task, const char **dir,
                       const char **host)
{
    size_t n = strlen(PGP_MARK_PREFIX);
    if (strncmp(mark, PGP_MARK_PREFIX, n))
        return false;
    const char *p = mark + n, *in = strstr(p, " in "), *on = in ? strstr(in + 4, " on ") : NULL;
    /* A directory may hold " on ": the host is after the last one. */
    for (const char *q = on; q; q = strstr(q + 4, " on "))
        on = q;
    if (!in || !on)
        return false;
    *task = arena_strndup(a, p, (size_t)(in - p));
    *dir = arena_strndup(a, in + 4, (size_t)(on - in - 4));
    *host = arena_strdup(a, on + 4);
    return true;
}

/* The task the mark names still exists on this host. */
static bool task_here(const char *dir, const char *task)
{
    char p[4600];
    snprintf(p, sizeof p, "%s/tasks/%s/spec.json", dir, task);
    return access(p, F_OK) == 0;
}

static pgp_orphan *add(pgp_orphans *o, size_t *cap)
{
    if (o->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        pgp_orphan *v = arena_alloc(&o->a, nc * sizeof *v);
        if (o->n)
            memcpy(v, o->v, o->n * sizeof *v);
        o->v = v;
        *cap = nc;
    }
    pgp_orphan *x = &o->v[o->n++];
    memset(x, 0, sizeof *x);
    x->retained_bytes = -1;
    return x;
}

static const char *SOURCE_SQL =
    "SELECT p.pubname, d.description, s.slot_name, coalesce(s.active, false),"
    "       pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint,"
    "       coalesce(s.active_pid::text, ''), coalesce(a.application_name, '')"
    "  FROM pg_publication p"
    "  JOIN pg_description d ON d.classoid = 'pg_publication'::regclass AND d.objoid = p.oid"
    "  LEFT JOIN pg_replication_slots s ON p.pubname = s.slot_name || '" PUB_SUFFIX "'"
    "  LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid"
    " WHERE d.description LIKE '" PGP_MARK_PREFIX "%' ORDER BY 1";

static bool find_source(PGconn *c, const char *host, pgp_orphans *out, pgp_error *err)
{
    PGresult *r = pgp_query(c, SOURCE_SQL, 0, NULL, err);
    if (!r)
        return false;
    size_t cap = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *task, *dir, *mhost;
        if (!parse_mark(&out->a, PQgetvalue(r, i, 1), &task, &dir, &mhost) ||
            strcmp(mhost, host) || task_here(dir, task))
            continue;
        const char *pub = PQgetvalue(r, i, 0);
        if (!PQgetisnull(r, i, 2)) {
            const char *slot = PQgetvalue(r, i, 2);
            pgp_orphan *s = add(out, &cap);
            s->kind = "replication slot";
            s->name = arena_strdup(&out->a, slot);
            s->task = task;
            s->active = !strcmp(PQgetvalue(r, i, 3), "t");
            s->retained_bytes = PQgetisnull(r, i, 4) ? -1 : strtoll(PQgetvalue(r, i, 4), NULL, 10);
            if (s->active)
                s->holder = arena_printf(&out->a, "pid %s (%s)", PQgetvalue(r, i, 5),
                                         *PQgetvalue(r, i, 6) ? PQgetvalue(r, i, 6) : "no name");
            s->drop_sql = arena_printf(&out->a,
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE "
                "slot_name = '%s' AND active_pid IS NOT NULL; SELECT pg_drop_replication_slot("
                "'%s') FROM pg_replication_slots WHERE slot_name = '%s' AND NOT active;",
                slot, slot, slot);
        }
        pgp_orphan *p = add(out, &cap);
        p->kind = "publication";
        p->name = arena_strdup(&out->a, pub);
        p->task = task;
        p->drop_sql = arena_printf(&out->a, "DROP PUBLICATION IF EXISTS \"%s\";", pub);
    }
    PQclear(r);
    return true;
}

static bool find_sink(PGconn *c, const char *const *known, size_t n_known, pgp_orphans *out,
                      pgp_error *err)
{
    PGresult *r = pgp_query(c, "SELECT roname FROM pg_replication_origin"
                               " WHERE roname LIKE 'migtop\\_%' ORDER BY 1", 0, NULL, err);
    if (!r)
        return false;
    size_t cap = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *origin = PQgetvalue(r, i, 0), *slot = origin + strlen("migtop_");
        bool owned = false;
        for (size_t k = 0; k < n_known && !owned; k++)
            owned = !strcmp(known[k], slot);
        if (owned)
            continue;
        pgp_orphan *o = add(out, &cap);
        o->kind = "replication origin";
        o->name = arena_strdup(&out->a, origin);
        o->task = arena_strdup(&out->a, slot);
        o->drop_sql = arena_printf(&out->a, "SELECT pg_replication_origin_drop('%s');", origin);
    }
    PQclear(r);
    return true;
}

bool pgp_orphans_find(PGconn *c, pgp_side side, const char *host, const char *const *known,
                      size_t n_known, pgp_orphans *out, pgp_error *err)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->a);
    return side == PGP_SIDE_SOURCE ? find_source(c, host, out, err)
                                   : find_sink(c, known, n_known, out, err);
}

/* A slot: its walsender ended, then dropped once it is let go (a moment
 * after), then checked gone. */
static bool drop_slot(PGconn *c, const pgp_orphan *o, pgp_error *err)
{
    const char *p[1] = {o->name};
    PGresult *r = pgp_query(c, "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                               " WHERE slot_name = $1 AND active_pid IS NOT NULL", 1, p, err);
    if (!r)
        return false;
    PQclear(r);
    for (int tries = 0; tries < 50; tries++) {
        r = pgp_query(c, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                         " WHERE slot_name = $1 AND NOT active", 1, p, err);
        if (!r)
            return false;
        PQclear(r);
        r = pgp_query(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", 1, p, err);
        if (!r)
            return false;
        bool gone = PQntuples(r) == 0;
        PQclear(r);
        if (gone)
            return true;
        fmt_sleep_ms(100);
    }
    pgp_error_set(err, PGP_ERR_OTHER, "slot %s is still in use after its session was ended",
                  o->name);
    return false;
}

bool pgp_orphan_drop(PGconn *c, const pgp_orphan *o, pgp_error *err)
{
    if (!strcmp(o->kind, "replication slot"))
        return drop_slot(c, o, err);
    return pgp_exec(c, o->drop_sql, err);
}

void pgp_orphans_free(pgp_orphans *o)
{
    arena_free(&o->a);
    memset(o, 0, sizeof *o);
}
