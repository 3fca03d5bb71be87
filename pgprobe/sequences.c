/* Sequence values on both sides, the setval plan, apply and verify (see
 * sequences.h). */
#include "pgprobe/sequences.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/objects.h"

/* Names go to the server as JSON arrays, so none is ever spliced into SQL. */
static char *json_of(cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s)
        abort();
    return s;
}

/* The sequences of the objects' schemas on the source. $1 every schema the
 * objects name, $2 the wholly selected ones, $3 the selected tables' oids,
 * $4 the black-listed schemas. A sequence is needed when its schema is
 * wholly selected or a selected table uses it (owns it, or names it in a
 * column default). One owned by a table the selection left out of a whole
 * schema (black-listed) is no part of the migration. OWNED BY requires the
 * table to be in the sequence's schema, which the last test relies on. */
static const char *SOURCE_SQL =
    "WITH seqs AS ("
    "  SELECT c.oid, n.nspname, c.relname, s.seqincrement"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  JOIN pg_sequence s ON s.seqrelid = c.oid"
    "  WHERE c.relkind = 'S' AND n.nspname IN (SELECT jsonb_array_elements_text($1::jsonb))"
    "    AND n.nspname NOT IN (SELECT jsonb_array_elements_text($4::jsonb))),"
    " users AS ("
    "  SELECT d.objid AS seq, d.refobjid AS tab, true AS owner FROM pg_depend d"
    "  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
    "    AND d.deptype IN ('a', 'i') AND d.objid IN (SELECT oid FROM seqs)"
    "  UNION"
    "  SELECT d.refobjid, ad.adrelid, false FROM pg_depend d"
    "  JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid"
    "  WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM seqs))"
    " SELECT q.nspname, q.relname, q.seqincrement,"
    "   quote_ident(q.nspname) || '.' || quote_ident(q.relname),"
    "   q.nspname IN (SELECT jsonb_array_elements_text($2::jsonb))"
    "   OR EXISTS (SELECT 1 FROM users u WHERE u.seq = q.oid AND u.tab = ANY ($3::oid[]))"
    " FROM seqs q"
    " WHERE NOT (q.nspname IN (SELECT jsonb_array_elements_text($2::jsonb))"
    "            AND EXISTS (SELECT 1 FROM users u WHERE u.seq = q.oid AND u.owner"
    "                        AND NOT u.tab = ANY ($3::oid[])))"
    " ORDER BY 1, 2";

/* The same sequences on the sink, by name: $1 is [[schema, name], ...]. */
static const char *SINK_SQL =
    "SELECT e.i - 1, quote_ident(n.nspname) || '.' || quote_ident(c.relname),"
    "       s.seqmin, s.seqmax"
    " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, i)"
    " JOIN pg_namespace n ON n.nspname = e.x->>0"
    " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = e.x->>1 AND c.relkind = 'S'"
    " JOIN pg_sequence s ON s.seqrelid = c.oid";

static char *schemas_json(const mt_schema_obj *s, size_t n, bool whole_only)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        if (!whole_only || s[i].is_all || !s[i].n_tables)
            cJSON_AddItemToArray(a, cJSON_CreateString(s[i].schema));
    return json_of(a);
}

/* Reads last_value and is_called of each sequence named in qnames (quoted
 * for that server), a hundred per round trip. */
static bool read_values(PGconn *c, arena *a, const char *const *qnames, size_t n,
                        pgp_seq_value *out, pgp_error *err)
{
    for (size_t base = 0; base < n; base += 100) {
        size_t end = base + 100 < n ? base + 100 : n;
        size_t len = 1;
        for (size_t i = base; i < end; i++)
            len += strlen(qnames[i]) + 80;
        char *sql = arena_alloc(a, len), *p = sql;
        for (size_t i = base; i < end; i++)
            p += sprintf(p, "%sSELECT %zu, last_value, is_called FROM %s",
                         i > base ? " UNION ALL " : "", i, qnames[i]);
        PGresult *r = pgp_query(c, sql, 0, NULL, err);
        if (!r)
            return false;
        for (int row = 0; row < PQntuples(r); row++) {
            size_t i = (size_t)strtoull(PQgetvalue(r, row, 0), NULL, 10);
            if (i < n) {
                out[i].last_value = strtoll(PQgetvalue(r, row, 1), NULL, 10);
                out[i].is_called = PQgetvalue(r, row, 2)[0] == 't';
            }
        }
        PQclear(r);
    }
    return true;
}

/* The values of the sequences the sink has, into .sink (before) or
 * .after (the re-read after apply). */
static bool read_sink(PGconn *snk, pgp_seq_report *rep, bool after, pgp_error *err)
{
    size_t n_on = 0;
    const char **q = arena_alloc(&rep->a, (rep->n + 1) * sizeof *q);
    size_t *idx = arena_alloc(&rep->a, (rep->n + 1) * sizeof *idx);
    for (size_t i = 0; i < rep->n; i++)
        if (rep->v[i].on_sink) {
            idx[n_on] = i;
            q[n_on++] = rep->v[i].qname;
        }
    pgp_seq_value *vals = arena_alloc(&rep->a, (n_on + 1) * sizeof *vals);
    if (!read_values(snk, &rep->a, q, n_on, vals, err))
        return false;
    for (size_t k = 0; k < n_on; k++)
        *(after ? &rep->v[idx[k]].after : &rep->v[idx[k]].sink) = vals[k];
    return true;
}

static bool list_source(PGconn *src, const mt_objects *o, pgp_seq_report *rep, pgp_error *err)
{
    pgp_tables tabs;
    if (!pgp_tables_resolve(src, o, &tabs, err))
        return false;
    char *p[4] = {schemas_json(o->white, o->n_white, false),
                  schemas_json(o->white, o->n_white, true), pgp_tables_oid_array(&tabs),
                  schemas_json(o->black, o->n_black, true)};
    pgp_tables_free(&tabs);
    PGresult *r = pgp_query(src, SOURCE_SQL, 4, (const char *const *)p, err);
    for (int i = 0; i < 4; i++)
        free(p[i]);
    if (!r)
        return false;
    rep->n = (size_t)PQntuples(r);
    rep->v = arena_alloc(&rep->a, (rep->n + 1) * sizeof *rep->v);
    for (size_t i = 0; i < rep->n; i++) {
        pgp_seq *s = &rep->v[i];
        s->schema = arena_strdup(&rep->a, PQgetvalue(r, (int)i, 0));
        s->name = arena_strdup(&rep->a, PQgetvalue(r, (int)i, 1));
        s->increment = strtoll(PQgetvalue(r, (int)i, 2), NULL, 10);
        s->qname = arena_strdup(&rep->a, PQgetvalue(r, (int)i, 3));
        s->needed = PQgetvalue(r, (int)i, 4)[0] == 't';
    }
    PQclear(r);
    const char **q = arena_alloc(&rep->a, (rep->n + 1) * sizeof *q);
    pgp_seq_value *vals = arena_alloc(&rep->a, (rep->n + 1) * sizeof *vals);
    for (size_t i = 0; i < rep->n; i++)
        q[i] = rep->v[i].qname;
    if (!read_values(src, &rep->a, q, rep->n, vals, err))
        return false;
    for (size_t i = 0; i < rep->n; i++)
        rep->v[i].source = vals[i];
    return true;
}

static bool list_sink(PGconn *snk, pgp_seq_report *rep, pgp_error *err)
{
    cJSON *names = cJSON_CreateArray();
    for (size_t i = 0; i < rep->n; i++) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateString(rep->v[i].schema));
        cJSON_AddItemToArray(e, cJSON_CreateString(rep->v[i].name));
        cJSON_AddItemToArray(names, e);
    }
    char *json = json_of(names);
    const char *p[1] = {json};
    PGresult *r = pgp_query(snk, SINK_SQL, 1, p, err);
    free(json);
    if (!r)
        return false;
    for (int row = 0; row < PQntuples(r); row++) {
        size_t i = (size_t)strtoull(PQgetvalue(r, row, 0), NULL, 10);
        if (i >= rep->n)
            continue;
        pgp_seq *s = &rep->v[i];
        s->on_sink = true;
        s->qname = arena_strdup(&rep->a, PQgetvalue(r, row, 1));
        s->sink_min = strtoll(PQgetvalue(r, row, 2), NULL, 10);
        s->sink_max = strtoll(PQgetvalue(r, row, 3), NULL, 10);
    }
    PQclear(r);
    return read_sink(snk, rep, false, err);
}

/* a is further along than b in a sequence going up (dir > 0) or down. */
static bool further(pgp_seq_value a, pgp_seq_value b, int64_t dir)
{
    if (a.last_value != b.last_value)
        return dir > 0 ? a.last_value > b.last_value : a.last_value < b.last_value;
    return a.is_called && !b.is_called;
}

static void plan_one(PGconn *snk, pgp_seq_report *rep, pgp_seq *s)
{
    int64_t dir = s->increment < 0 ? -1 : 1;
    s->target = s->source;
    bool overflow = __builtin_add_overflow(s->source.last_value, dir * rep->margin,
                                           &s->target.last_value);
    if (!s->on_sink) {
        s->state = s->needed ? PGP_SEQ_MISSING : PGP_SEQ_NOT_ON_SINK;
        return;
    }
    if (overflow || s->target.last_value < s->sink_min || s->target.last_value > s->sink_max) {
        s->state = PGP_SEQ_OUT_OF_RANGE;
        return;
    }
    if (s->sink.last_value == s->target.last_value && s->sink.is_called == s->target.is_called) {
        s->state = PGP_SEQ_IN_SYNC;
        return;
    }
    if (further(s->sink, s->target, dir)) {
        s->state = PGP_SEQ_SINK_AHEAD;
        return;
    }
    s->state = PGP_SEQ_SET;
    char *lit = PQescapeLiteral(snk, s->qname, strlen(s->qname));
    if (!lit)
        abort();
    s->setval_sql = arena_printf(&rep->a, "SELECT setval(%s::regclass, %lld, %s);", lit,
                                 (long long)s->target.last_value,
                                 s->target.is_called ? "true" : "false");
    PQfreemem(lit);
}

bool pgp_seq_read(PGconn *src, PGconn *snk, const mt_objects *o, int64_t margin,
                  pgp_seq_report *out, pgp_error *err)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->a);
    out->margin = margin < 0 ? 0 : margin;
    if (!list_source(src, o, out, err) || !list_sink(snk, out, err))
        return false;
    for (size_t i = 0; i < out->n; i++)
        plan_one(snk, out, &out->v[i]);
    return true;
}

char *pgp_seq_plan_sql(pgp_seq_report *r)
{
    size_t len = 32, n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].setval_sql) {
            len += strlen(r->v[i].setval_sql) + 1;
            n++;
        }
    if (!n)
        return arena_strdup(&r->a, "");
    char *s = arena_alloc(&r->a, len), *p = s;
    p += sprintf(p, "BEGIN;\n");
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].setval_sql)
            p += sprintf(p, "%s\n", r->v[i].setval_sql);
    sprintf(p, "COMMIT;\n");
    return s;
}

bool pgp_seq_apply(PGconn *snk, pgp_seq_report *r, pgp_error *err)
{
    const char *plan = pgp_seq_plan_sql(r);
    if (*plan) {
        /* One round trip: the server runs the script in order and stops at
         * the first error, leaving the transaction aborted; the ROLLBACK
         * then ends it. setval itself is not rolled back by PostgreSQL, so
         * on failure the re-read below shows what did change. */
        if (!pgp_exec(snk, plan, err)) {
            pgp_error keep = *err;
            pgp_exec(snk, "ROLLBACK", NULL);
            *err = keep;
            return false;
        }
        r->applied = true;
    }
    if (!read_sink(snk, r, true, err))
        return false;
    for (size_t i = 0; i < r->n; i++) {
        pgp_seq *s = &r->v[i];
        s->applied = s->on_sink && s->state == PGP_SEQ_SET && r->applied;
        s->verified = s->on_sink && s->after.last_value == s->target.last_value &&
                      s->after.is_called == s->target.is_called;
    }
    return true;
}

bool pgp_seq_ok(const pgp_seq_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const pgp_seq *s = &r->v[i];
        if (s->state == PGP_SEQ_MISSING || s->state == PGP_SEQ_OUT_OF_RANGE)
            return false;
        if (s->state == PGP_SEQ_SET && !(s->applied && s->verified))
            return false;
    }
    return true;
}

const char *pgp_seq_state_id(pgp_seq_state s)
{
    switch (s) {
    case PGP_SEQ_IN_SYNC: return "in-sync";
    case PGP_SEQ_SET: return "setval";
    case PGP_SEQ_SINK_AHEAD: return "sink-ahead";
    case PGP_SEQ_MISSING: return "missing-on-sink";
    case PGP_SEQ_NOT_ON_SINK: return "not-on-sink";
    case PGP_SEQ_OUT_OF_RANGE: return "out-of-range";
    }
    return "?";
}

void pgp_seq_report_free(pgp_seq_report *r)
{
    arena_free(&r->a);
    memset(r, 0, sizeof *r);
}
