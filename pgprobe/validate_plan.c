/* Validation planning: which tables, their columns and keys on the source,
 * whether the sink has them, the ranges each table is cut into, and the
 * SQL both sides run (see validate.h). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgprobe/objects.h"
#include "pgprobe/validate_internal.h"

const char *const VAL_SESSION_SQL =
    "SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; SET timezone = 'UTC';"
    " SET extra_float_digits = 3; SET bytea_output = 'hex'; SET statement_timeout = 0";

/* Every column of the tables $1 in attnum order, with its place in the
 * primary key (int2vector subscripts start at 0, hence the ordinality). */
static const char *COLUMNS_SQL =
    "SELECT a.attrelid::text, a.attname, quote_ident(a.attname),"
    "       format_type(a.atttypid, a.atttypmod),"
    "       COALESCE((SELECT k.n FROM unnest(i.indkey) WITH ORDINALITY k(att, n)"
    "                 WHERE k.att = a.attnum), 0), a.attcollation <> 0"
    " FROM pg_attribute a"
    " LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary"
    " WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY a.attrelid, a.attnum";

/* What decides how the database sorts text, whatever the version calls
 * the columns (daticulocale in 15 and 16, datlocale from 17). */
static const char *COLLATION_SQL =
    "SELECT concat_ws(' ', d.datcollate, j->>'datlocprovider', j->>'daticulocale',"
    "                 j->>'datlocale', j->>'daticurules')"
    " FROM pg_database d, to_jsonb(d) j WHERE d.datname = current_database()";

/* The sink's columns of each named table; no row for a table it lacks. */
static const char *SINK_SQL =
    "SELECT e.i - 1, a.attname"
    " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, i)"
    " JOIN pg_namespace n ON n.nspname = e.x->>0"
    " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = e.x->>1"
    "                AND c.relkind IN ('r', 'p')"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped";

static bool load_columns(PGconn *src, const pgp_tables *tabs, val_tplan *plans, arena *a,
                         pgp_error *err)
{
    char *oids = pgp_tables_oid_array(tabs);
    const char *p[1] = {oids};
    PGresult *r = pgp_query(src, COLUMNS_SQL, 1, p, err);
    free(oids);
    if (!r)
        return false;
    int rows = PQntuples(r);
    for (size_t ti = 0; ti < tabs->n; ti++) {
        val_tplan *pl = &plans[ti];
        pl->cols = arena_alloc(a, ((size_t)rows + 1) * sizeof *pl->cols);
        size_t nkey = 0;
        for (int i = 0; i < rows; i++) {
            if ((unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10) != tabs->v[ti].oid)
                continue;
            val_col *c = &pl->cols[pl->n_cols++];
            c->name = arena_strdup(a, PQgetvalue(r, i, 1));
            c->ident = arena_strdup(a, PQgetvalue(r, i, 2));
            c->type = arena_strdup(a, PQgetvalue(r, i, 3));
            c->key_pos = atoi(PQgetvalue(r, i, 4));
            c->collatable = PQgetvalue(r, i, 5)[0] == 't';
            c->expr = arena_printf(a, "t.%s", c->ident);
            nkey += c->key_pos > 0;
        }
        pl->key = arena_alloc(a, (nkey + 1) * sizeof *pl->key);
        const char **names = arena_alloc(a, (nkey + 1) * sizeof *names);
        for (size_t c = 0; c < pl->n_cols; c++)
            if (pl->cols[c].key_pos > 0 && (size_t)pl->cols[c].key_pos <= nkey) {
                pl->key[pl->cols[c].key_pos - 1] = &pl->cols[c];
                names[pl->cols[c].key_pos - 1] = pl->cols[c].name;
            }
        pl->t->key = names;
        pl->t->n_key = nkey;
        /* ROW(t.a, t.b)::text: the source's column order, by name, so a
         * sink that has them in another order prints the same text. */
        size_t len = 32;
        for (size_t c = 0; c < pl->n_cols; c++)
            len += strlen(pl->cols[c].ident) + 4;
        char *row = arena_alloc(a, len), *o = row;
        o += sprintf(o, "ROW(");
        for (size_t c = 0; c < pl->n_cols; c++)
            o += sprintf(o, "%st.%s", c ? ", " : "", pl->cols[c].ident);
        sprintf(o, ")::text");
        pl->row = row;
    }
    PQclear(r);
    return true;
}

/* Marks the tables the sink lacks, or whose columns it lacks. */
static bool check_sink(PGconn *snk, pgp_val_report *rep, val_tplan *plans, pgp_error *err)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < rep->n_tables; i++) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateString(rep->tables[i].schema));
        cJSON_AddItemToArray(e, cJSON_CreateString(rep->tables[i].name));
        cJSON_AddItemToArray(arr, e);
    }
    char *json = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (!json)
        abort();
    const char *p[1] = {json};
    PGresult *r = pgp_query(snk, SINK_SQL, 1, p, err);
    free(json);
    if (!r)
        return false;
    int rows = PQntuples(r);
    for (size_t ti = 0; ti < rep->n_tables; ti++) {
        val_tplan *pl = &plans[ti];
        size_t seen = 0, cap = 256, len = 0;
        char *missing = NULL;
        bool any = false;
        for (int i = 0; i < rows; i++)
            any |= (size_t)atol(PQgetvalue(r, i, 0)) == ti;
        if (!any) {
            pl->t->problem = "missing on the sink";
            continue;
        }
        for (size_t c = 0; c < pl->n_cols; c++) {
            bool found = false;
            for (int i = 0; i < rows && !found; i++)
                found = (size_t)atol(PQgetvalue(r, i, 0)) == ti &&
                        !strcmp(PQgetvalue(r, i, 1), pl->cols[c].name);
            if (found)
                continue;
            if (!missing)
                missing = arena_alloc(&rep->a, cap);
            size_t need = len + strlen(pl->cols[c].ident) + 3;
            if (need >= cap) {
                char *bigger = arena_alloc(&rep->a, cap = need * 2);
                memcpy(bigger, missing, len + 1);
                missing = bigger;
            }
            len += (size_t)sprintf(missing + len, "%s%s", seen++ ? ", " : "", pl->cols[c].ident);
        }
        if (missing)
            pl->t->problem = arena_printf(&rep->a, "column%s missing on the sink: %s",
                                          seen > 1 ? "s" : "", missing);
    }
    PQclear(r);
    return true;
}

/* The planner's row estimate: unlike reltuples it exists for a table
 * never analyzed (scaled from its size) and for a partitioned one. */
static int64_t estimate_rows(PGconn *src, arena *a, const val_tplan *pl, pgp_error *err)
{
    char *sql = arena_printf(a, "EXPLAIN (FORMAT JSON) SELECT 1 FROM %s", pl->from);
    char buf[8192];
    if (!pgp_query_value(src, sql, 0, NULL, buf, sizeof buf, err))
        return -1;
    const char *p = strstr(buf, "\"Plan Rows\":");
    return p ? (int64_t)strtod(p + 12, NULL) : 0;
}

/* " t.k >= $1::int" or "(t.a, t.b) < ($3::int, $4::text)": one side of a
 * range, numbering parameters from *pn. */
static char *bound_sql(arena *a, const val_tplan *pl, const char *op, int *pn)
{
    size_t n = pl->t->n_key, len = 64;
    for (size_t k = 0; k < n; k++)
        len += strlen(pl->key[k]->expr) + strlen(pl->key[k]->type) + 24;
    char *s = arena_alloc(a, len), *o = s;
    if (n > 1)
        *o++ = '(';
    for (size_t k = 0; k < n; k++)
        o += sprintf(o, "%s%s", k ? ", " : "", pl->key[k]->expr);
    o += sprintf(o, "%s %s %s", n > 1 ? ")" : "", op, n > 1 ? "(" : "");
    for (size_t k = 0; k < n; k++)
        o += sprintf(o, "%s$%d::%s", k ? ", " : "", (*pn)++, pl->key[k]->type);
    if (n > 1)
        sprintf(o, ")");
    return s;
}

static const char *where_sql(arena *a, const val_tplan *pl, const pgp_val_range *r)
{
    int pn = 1;
    const char *lo = r->lo ? bound_sql(a, pl, ">=", &pn) : NULL;
    const char *hi = r->hi ? bound_sql(a, pl, "<", &pn) : NULL;
    if (lo && hi)
        return arena_printf(a, " WHERE %s AND %s", lo, hi);
    if (lo || hi)
        return arena_printf(a, " WHERE %s", lo ? lo : hi);
    return "";
}

/* The bounds for people: aid >= 100001 AND aid < 200001 (with the
 * COLLATE "C" the comparison really uses, if any). */
static const char *where_text(PGconn *c, arena *a, const val_tplan *pl, const pgp_val_range *r)
{
    size_t n = pl->t->n_key;
    if (!n)
        return "whole table";
    if (!r->lo && !r->hi)
        return "all keys";
    const char *parts[2] = {NULL, NULL};
    for (int side = 0; side < 2; side++) {
        const char *const *v = side ? r->hi : r->lo;
        if (!v)
            continue;
        char *cols = arena_strdup(a, n > 1 ? "(" : ""), *vals = arena_strdup(a, cols);
        for (size_t k = 0; k < n; k++) {
            bool num = v[k][0] && strspn(v[k], "0123456789-+.e") == strlen(v[k]);
            char *lit = num ? NULL : PQescapeLiteral(c, v[k], strlen(v[k]));
            cols = arena_printf(a, "%s%s%s", cols, k ? ", " : "", pl->key[k]->expr + 2);
            vals = arena_printf(a, "%s%s%s", vals, k ? ", " : "", lit ? lit : v[k]);
            if (lit)
                PQfreemem(lit);
        }
        parts[side] = arena_printf(a, "%s%s %s %s%s", cols, n > 1 ? ")" : "", side ? "<" : ">=",
                                   vals, n > 1 ? ")" : "");
    }
    if (parts[0] && parts[1])
        return arena_printf(a, "%s AND %s", parts[0], parts[1]);
    return parts[0] ? parts[0] : parts[1];
}

static bool same_key(char **a, char **b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(a[k], b[k]))
            return false;
    return true;
}

/* Cuts a keyed table into about estimate/range_rows ranges. The bounds are
 * quantiles of a block sample of the key (TABLESAMPLE SYSTEM reads whole
 * pages, a few hundred of them), sorted by the server so text keys follow
 * the column's collation. */
static bool cut_ranges(PGconn *src, arena *a, val_tplan *pl, int64_t range_rows,
                       pgp_error *err)
{
    pgp_val_table *t = pl->t;
    size_t n = t->n_key;
    int64_t want = pl->estimate > 0 ? (pl->estimate + range_rows - 1) / range_rows : 1;
    if (want > 10000)
        want = 10000;
    /* Without an index for COLLATE "C", every range is a scan of the
     * whole table: a few ranges only. */
    if (pl->byte_order && want > 8)
        want = 8;
    char ***bounds = NULL;
    size_t nb = 0;
    if (n && want > 1) {
        /* About 30 random pages per range: fewer leave the quantiles (and
         * so the ranges) lopsided, since a page holds neighbouring keys. */
        double pages = pl->pages > 0 ? (double)pl->pages : (double)pl->estimate / 50.0;
        double per_page = (double)pl->estimate / (pages > 1 ? pages : 1);
        double pick = fmin((double)want * 30, 500000.0 / (per_page > 1 ? per_page : 1));
        double pct = 100.0 * fmin(1.0, pick / (pages > 1 ? pages : 1));
        char *cols = arena_strdup(a, ""), *order = arena_strdup(a, "");
        for (size_t k = 0; k < n; k++) {
            cols = arena_printf(a, "%s%st.%s::text", cols, k ? ", " : "", pl->key[k]->ident);
            order = arena_printf(a, "%s%s%s", order, k ? ", " : "", pl->key[k]->expr);
        }
        char *sql = arena_printf(a, "SELECT %s FROM %s TABLESAMPLE SYSTEM (%.6f) ORDER BY %s",
                                 cols, pl->from, pct, order);
        PGresult *r = pgp_query(src, sql, 0, NULL, err);
        if (!r)
            return false;
        size_t m = (size_t)PQntuples(r);
        bounds = arena_alloc(a, ((size_t)want + 1) * sizeof *bounds);
        for (int64_t j = 1; j < want && m; j++) {
            size_t at = (size_t)((double)j * (double)m / (double)want);
            if (at >= m)
                break;
            char **v = arena_alloc(a, (n + 1) * sizeof *v);
            for (size_t k = 0; k < n; k++)
                v[k] = arena_strdup(a, PQgetvalue(r, (int)at, (int)k));
            if (nb && same_key(bounds[nb - 1], v, n))
                continue;
            bounds[nb++] = v;
        }
        PQclear(r);
    }
    t->n_ranges = nb + 1;
    t->ranges = arena_alloc(a, t->n_ranges * sizeof *t->ranges);
    for (size_t i = 0; i < t->n_ranges; i++) {
        pgp_val_range *rg = &t->ranges[i];
        rg->index = i;
        rg->lo = i > 0 ? (const char *const *)bounds[i - 1] : NULL;
        rg->hi = i < nb ? (const char *const *)bounds[i] : NULL;
        rg->where = where_text(src, a, pl, rg);
    }
    return true;
}

/* How well the key follows the heap's order (pg_stats.correlation, from
 * ANALYZE): below 0.5, or unknown, a key range is spread over the table. */
static bool check_order(PGconn *src, val_tplan *pl, pgp_error *err)
{
    const char *p[3] = {pl->t->schema, pl->t->name, pl->key[0]->name};
    char buf[64];
    if (!pgp_query_value(src,
                         "SELECT max(abs(correlation)) FROM pg_stats"
                         " WHERE schemaname = $1 AND tablename = $2 AND attname = $3",
                         3, p, buf, sizeof buf, err))
        return false;
    pl->scattered = !*buf || strtod(buf, NULL) < 0.5;
    pl->t->one_scan = pl->scattered;
    return true;
}

bool val_plan(PGconn *src, PGconn *snk, const mt_objects *o, const pgp_val_opts *opt,
              pgp_val_report *rep, val_tplan **plans_out, pgp_error *err)
{
    pgp_tables tabs;
    if (!pgp_tables_resolve(src, o, &tabs, err))
        return false;
    arena *a = &rep->a;
    const char **missing = arena_alloc(a, (tabs.n_missing + 1) * sizeof *missing);
    for (size_t i = 0; i < tabs.n_missing; i++)
        missing[i] = arena_strdup(a, tabs.missing[i]);
    rep->missing = missing;
    rep->n_missing = tabs.n_missing;
    rep->n_tables = tabs.n;
    rep->tables = arena_alloc(a, (tabs.n + 1) * sizeof *rep->tables);
    val_tplan *plans = arena_alloc(a, (tabs.n + 1) * sizeof *plans);
    *plans_out = plans;
    for (size_t i = 0; i < tabs.n; i++) {
        pgp_val_table *t = &rep->tables[i];
        t->schema = arena_strdup(a, tabs.v[i].schema);
        t->name = arena_strdup(a, tabs.v[i].name);
        t->qname = arena_strdup(a, tabs.v[i].qname);
        t->source_rows = t->sink_rows = -1;
        plans[i].t = t;
        plans[i].pages = tabs.v[i].bytes / 8192;
        /* ONLY: an inheritance child is a table of its own (pg_dump copies
         * each on its own); a partitioned table's rows are its partitions'. */
        plans[i].from = arena_printf(a, "%s%s AS t", tabs.v[i].relkind == 'p' ? "" : "ONLY ",
                                     t->qname);
    }
    bool ok = load_columns(src, &tabs, plans, a, err) && check_sink(snk, rep, plans, err);
    pgp_tables_free(&tabs);
    /* Ranges of a text key hold the same rows on both sides only if both
     * sort alike. When the databases' collations differ (a C source, an
     * ICU or en_US sink ...), text keys are compared byte-wise instead. */
    char coll[2][512];
    ok = ok && pgp_query_value(src, COLLATION_SQL, 0, NULL, coll[0], sizeof coll[0], err) &&
         pgp_query_value(snk, COLLATION_SQL, 0, NULL, coll[1], sizeof coll[1], err);
    bool differ = ok && strcmp(coll[0], coll[1]);
    /* hashtextextended (64 bits) came with PostgreSQL 11; with a 10 on
     * either side both use the 32-bit hashtext. */
    bool wide = PQserverVersion(src) >= 110000 && PQserverVersion(snk) >= 110000;
    for (size_t i = 0; ok && i < rep->n_tables; i++)
        plans[i].hash = arena_printf(a, wide ? "hashtextextended(%s, 0)" : "hashtext(%s)::bigint",
                                     plans[i].row);
    for (size_t i = 0; ok && differ && i < rep->n_tables; i++)
        for (size_t k = 0; k < plans[i].n_cols; k++) {
            val_col *c = &plans[i].cols[k];
            if (c->key_pos > 0 && c->collatable) {
                c->expr = arena_printf(a, "t.%s COLLATE \"C\"", c->ident);
                plans[i].byte_order = true;
            }
        }
    int64_t range_rows = opt->range_rows > 0 ? opt->range_rows : 100000;
    for (size_t i = 0; ok && i < rep->n_tables && !(opt->cancel && *opt->cancel); i++) {
        if (plans[i].t->problem)
            continue;
        plans[i].estimate = estimate_rows(src, a, &plans[i], err);
        ok = plans[i].estimate >= 0 && cut_ranges(src, a, &plans[i], range_rows, err);
        if (ok && opt->full && plans[i].t->n_key == 1 && plans[i].t->n_ranges > 1)
            ok = check_order(src, &plans[i], err);
    }
    return ok;
}

static void range_job(arena *a, val_job *j, val_tplan *pl, pgp_val_range *r)
{
    size_t n = pl->t->n_key;
    const char **params = arena_alloc(a, (2 * n + 1) * sizeof *params);
    int np = 0;
    for (size_t k = 0; r->lo && k < n; k++)
        params[np++] = r->lo[k];
    for (size_t k = 0; r->hi && k < n; k++)
        params[np++] = r->hi[k];
    j->plan = pl;
    j->range = r;
    j->params = params;
    j->nparams = np;
    j->sql = arena_printf(a, "SELECT count(*), coalesce(sum(%s), 0)::text FROM %s%s", pl->hash,
                          pl->from, where_sql(a, pl, r));
}

/* {"b1","b2",...}: the ranges' lower bounds as an array literal. */
static const char *bounds_array(arena *a, const pgp_val_table *t)
{
    size_t len = 3;
    for (size_t i = 1; i < t->n_ranges; i++)
        len += 2 * strlen(t->ranges[i].lo[0]) + 3;
    char *s = arena_alloc(a, len), *o = s;
    *o++ = '{';
    for (size_t i = 1; i < t->n_ranges; i++) {
        if (i > 1)
            *o++ = ',';
        *o++ = '"';
        for (const char *c = t->ranges[i].lo[0]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *o++ = '\\';
            *o++ = *c;
        }
        *o++ = '"';
    }
    *o++ = '}';
    *o = 0;
    return s;
}

/* One grouped scan of a table whose key is scattered: width_bucket puts
 * each row in the range whose bounds hold it (0 below the first bound). */
static void scan_job(arena *a, val_job *j, val_tplan *pl)
{
    pgp_val_table *t = pl->t;
    const char **params = arena_alloc(a, sizeof *params);
    params[0] = bounds_array(a, t);
    j->plan = pl;
    j->scan = true;
    j->params = params;
    j->nparams = 1;
    j->sql = arena_printf(a, "SELECT width_bucket(%s, $1::%s[]), count(*),"
                             " coalesce(sum(%s), 0)::text FROM %s GROUP BY 1",
                          pl->key[0]->expr, pl->key[0]->type, pl->hash, pl->from);
    for (int s = 0; s < 2; s++) {
        j->side[s].bucket_rows = arena_alloc(a, t->n_ranges * sizeof(int64_t));
        j->side[s].bucket_sum = arena_alloc(a, t->n_ranges * sizeof(char *));
        for (size_t i = 0; i < t->n_ranges; i++)
            j->side[s].bucket_sum[i] = "0";
    }
}

/* A small xorshift: the sample must differ from run to run (or follow a
 * given seed in tests), and rand() is shared process state. */
static unsigned next_rand(unsigned *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

val_job *val_jobs(pgp_val_report *rep, val_tplan *plans, const pgp_val_opts *opt,
                  size_t *n_jobs)
{
    arena *a = &rep->a;
    size_t cap = 1;
    for (size_t i = 0; i < rep->n_tables; i++)
        cap += rep->tables[i].n_ranges + 1;
    val_job *jobs = arena_alloc(a, cap * sizeof *jobs);
    size_t n = 0;
    unsigned seed = opt->seed ? opt->seed : (unsigned)time(NULL) * 2654435761u + 1;
    size_t sample = opt->sample > 0 ? (size_t)opt->sample : 8;
    for (size_t i = 0; i < rep->n_tables; i++) {
        pgp_val_table *t = &rep->tables[i];
        if (t->problem)
            continue;
        if (opt->full && plans[i].scattered) {
            scan_job(a, &jobs[n++], &plans[i]);
        } else if (opt->full || t->n_ranges <= sample) {
            for (size_t r = 0; r < t->n_ranges; r++)
                range_job(a, &jobs[n++], &plans[i], &t->ranges[r]);
        } else {
            /* Partial Fisher-Yates over the range indexes. */
            size_t *idx = arena_alloc(a, t->n_ranges * sizeof *idx);
            for (size_t r = 0; r < t->n_ranges; r++)
                idx[r] = r;
            for (size_t r = 0; r < sample; r++) {
                size_t pick = r + next_rand(&seed) % (t->n_ranges - r);
                size_t tmp = idx[r];
                idx[r] = idx[pick];
                idx[pick] = tmp;
            }
            for (size_t r = 0; r < sample; r++)
                range_job(a, &jobs[n++], &plans[i], &t->ranges[idx[r]]);
        }
        /* The exact count, unless the ranges cover every row anyway. */
        if (!opt->full && t->n_ranges > sample) {
            val_job *j = &jobs[n++];
            j->plan = &plans[i];
            j->sql = arena_printf(a, "SELECT count(*), NULL FROM %s", plans[i].from);
        }
    }
    *n_jobs = n;
    return jobs;
}

const char *val_rows_sql(arena *a, const val_tplan *p, const pgp_val_range *r)
{
    char *key = arena_strdup(a, "");
    for (size_t k = 0; k < p->t->n_key; k++)
        key = arena_printf(a, "%s%st.%s", key, k ? ", " : "", p->key[k]->ident);
    return arena_printf(a, "SELECT %s%s%s::text, %s FROM %s%s", p->t->n_key > 1 ? "ROW(" : "",
                        key, p->t->n_key > 1 ? ")" : "", p->hash, p->from, where_sql(a, p, r));
}
