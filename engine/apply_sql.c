#include "engine/apply_sql.h"

#include <stdlib.h>
#include <string.h>

#include "model/strbuf.h"

static char *ident(PGconn *conn, const char *name)
{
    char *q = PQescapeIdentifier(conn, name, strlen(name));
    if (!q)
        abort();
    return q;
}

/* $n with the column's type on the sink: a value's text alone is not
 * enough for every type (an anonymous composite, an enum array...). */
static void param(strbuf *b, const apply_target *t, int col, int n)
{
    strbuf_printf(b, "$%d::%s", n, t->cols[col].sink_type);
}

/* Whether the relation finds rows by a key (replica identity default with
 * a primary key, or an index) rather than by the whole old row. */
bool apply_sql_keyed(const pgo_relation *rel)
{
    if (rel->replident == 'f')
        return false;
    for (int i = 0; i < rel->ncols; i++)
        if (rel->cols[i].key)
            return true;
    return false;
}

/* A FULL identity row's columns, as its WHERE compares them: pass 0 the
 * ones also compared in their type (typed_eq, a value not NULL), first,
 * so an index finds the row and a cheap test leaves a wrong one before
 * its TOAST values are read; pass 1 every one as text (what tells the
 * row exactly: 1.0 and 1.00 are equal numbers), but unchanged TOAST. */
static bool full_compares(const apply_target *t, const pgo_tuple *src, int i, int pass)
{
    if (pass == 0)
        return t->cols[i].typed_eq && src->kinds[i] == 't';
    return src->kinds[i] != 'u';
}

/* WHERE for Update/Delete. Keyed: key columns = the old key ('K') or, when
 * the key did not change, the new row's. Full: the old row ('O') by
 * full_compares, one row by ctid. */
static void where_clause(PGconn *conn, const pgo_relation *rel, const apply_target *t,
                         const pgo_tuple *src, int *np, strbuf *b)
{
    const char *qname = t->qname;
    if (apply_sql_keyed(rel)) {
        strbuf_printf(b, " WHERE ");
        int k = 0;
        for (int i = 0; i < rel->ncols; i++) {
            if (!rel->cols[i].key)
                continue;
            char *c = ident(conn, rel->cols[i].name);
            strbuf_printf(b, "%s%s = ", k++ ? " AND " : "", c);
            param(b, t, i, ++*np);
            PQfreemem(c);
        }
        return;
    }
    strbuf_printf(b, " WHERE ctid = (SELECT ctid FROM %s WHERE ", qname);
    int k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < rel->ncols; i++) {
            if (!full_compares(t, src, i, pass))
                continue;
            char *c = ident(conn, rel->cols[i].name);
            if (pass == 0) {
                strbuf_printf(b, "%s%s = ", k++ ? " AND " : "", c);
                param(b, t, i, ++*np);
            } else {
                strbuf_printf(b, "%s%s::text IS NOT DISTINCT FROM $%d", k++ ? " AND " : "", c,
                              ++*np);
            }
            PQfreemem(c);
        }
    if (!k)
        strbuf_printf(b, "true");
    strbuf_printf(b, " LIMIT 1)");
}

/* rows rows of np parameters, "($1::t, ...), ($4::t, ...)": cols[j] is the
 * column of parameter j (NULL: parameter j is column j). */
static void param_rows(strbuf *b, const apply_target *t, const int *cols, int np, int rows)
{
    for (int r = 0; r < rows; r++) {
        strbuf_printf(b, "%s(", r ? ", " : "");
        for (int j = 0; j < np; j++) {
            if (j)
                strbuf_put(b, ", ", 2);
            param(b, t, cols ? cols[j] : j, r * np + j + 1);
        }
        strbuf_put(b, ")", 1);
    }
}

/* An insert of a key that exists overwrites the row; a table without
 * columns takes DEFAULT VALUES; GENERATED ALWAYS identities keep the
 * source's values (OVERRIDING SYSTEM VALUE) and are never SET. */
static void insert_sql(PGconn *conn, const pgo_relation *rel, const apply_target *t, int rows,
                       strbuf *b)
{
    if (!rel->ncols) {
        strbuf_printf(b, "INSERT INTO %s DEFAULT VALUES", t->qname);
        return;
    }
    strbuf cols = {0}, vals = {0}, set = {0}, keys = {0};
    param_rows(&vals, t, NULL, rel->ncols, rows);
    for (int i = 0; i < rel->ncols; i++) {
        char *c = ident(conn, rel->cols[i].name);
        strbuf_printf(&cols, "%s%s", i ? ", " : "", c);
        if (rel->cols[i].key)
            strbuf_printf(&keys, "%s%s", keys.n ? ", " : "", c);
        else if (!t->cols[i].identity_always)
            strbuf_printf(&set, "%s%s = EXCLUDED.%s", set.n ? ", " : "", c, c);
        PQfreemem(c);
    }
    strbuf_printf(b, "INSERT INTO %s (%s)%s VALUES %s", t->qname, strbuf_str(&cols),
                  t->identity_always ? " OVERRIDING SYSTEM VALUE" : "", strbuf_str(&vals));
    if (apply_sql_keyed(rel)) {
        if (set.n)
            strbuf_printf(b, " ON CONFLICT (%s) DO UPDATE SET %s", strbuf_str(&keys),
                          strbuf_str(&set));
        else
            strbuf_printf(b, " ON CONFLICT (%s) DO NOTHING", strbuf_str(&keys));
    }
    strbuf_free(&cols);
    strbuf_free(&vals);
    strbuf_free(&set);
    strbuf_free(&keys);
}

/* The statement's shape: what decides its text. */
void apply_sql_shape(const pgo_msg *m, strbuf *b)
{
    char k[2] = {(char)('0' + m->kind), m->old_kind ? m->old_kind : '-'};
    strbuf_put(b, k, 2);
    for (int i = 0; i < m->rel->ncols; i++) {
        k[0] = m->new_tup.ncols ? (m->new_tup.kinds[i] == 'u' ? 'u' : 'v') : '-';
        /* An old row's NULLs too: a FULL identity's typed test is left
         * out for them (full_compares). */
        k[1] = m->old_tup.ncols ? (m->old_tup.kinds[i] == 't' ? 'v' : m->old_tup.kinds[i]) : '-';
        strbuf_put(b, k, 2);
    }
}

/* Parameters in the order the statement text numbered them. */
int apply_sql_params(const pgo_msg *m, const apply_target *t, const char **vals)
{
    const pgo_relation *rel = m->rel;
    int np = 0;
    if (m->kind == PGO_INSERT) {
        for (int i = 0; i < rel->ncols; i++)
            vals[np++] = m->new_tup.vals[i];
        return np;
    }
    if (m->kind == PGO_UPDATE)
        for (int i = 0; i < rel->ncols; i++)
            if (m->new_tup.kinds[i] != 'u')
                vals[np++] = m->new_tup.vals[i];
    const pgo_tuple *src = m->old_kind ? &m->old_tup : &m->new_tup;
    if (apply_sql_keyed(rel)) {
        for (int i = 0; i < rel->ncols; i++)
            if (rel->cols[i].key)
                vals[np++] = src->vals[i];
        return np;
    }
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < rel->ncols; i++)
            if (full_compares(t, src, i, pass))
                vals[np++] = src->vals[i];
    return np;
}

/* UPDATE ... SET the columns that came. */
static void update_sql(PGconn *conn, const pgo_msg *m, const apply_target *t, strbuf *b)
{
    const pgo_relation *rel = m->rel;
    const pgo_tuple *src = m->old_kind ? &m->old_tup : &m->new_tup;
    int np = 0;
    strbuf_printf(b, "UPDATE %s SET ", t->qname);
    for (int i = 0; i < rel->ncols; i++) {
        if (m->new_tup.kinds[i] == 'u')
            continue;
        char *c = ident(conn, rel->cols[i].name);
        strbuf_printf(b, "%s%s = ", np ? ", " : "", c);
        param(b, t, i, np + 1);
        np++;
        PQfreemem(c);
    }
    where_clause(conn, rel, t, src, &np, b);
}

/* An UPDATE of a table with GENERATED ALWAYS identity columns, which an
 * UPDATE may not SET: the row is deleted and inserted again with the new
 * values (the unchanged TOAST ones from the deleted row), in one
 * statement, so it is still one change of one row. */
static void update_identity_sql(PGconn *conn, const pgo_msg *m, const apply_target *t, strbuf *b)
{
    const pgo_relation *rel = m->rel;
    const pgo_tuple *src = m->old_kind ? &m->old_tup : &m->new_tup;
    strbuf cols = {0}, vals = {0}, where = {0};
    int np = 0;
    for (int i = 0; i < rel->ncols; i++) {
        char *c = ident(conn, rel->cols[i].name);
        strbuf_printf(&cols, "%s%s", i ? ", " : "", c);
        if (i)
            strbuf_put(&vals, ", ", 2);
        if (m->new_tup.kinds[i] == 'u')
            strbuf_printf(&vals, "old.%s", c);
        else
            param(&vals, t, i, ++np);
        PQfreemem(c);
    }
    where_clause(conn, rel, t, src, &np, &where);
    strbuf_printf(b, "WITH old AS (DELETE FROM %s%s RETURNING *) INSERT INTO %s (%s) OVERRIDING "
                     "SYSTEM VALUE SELECT %s FROM old", t->qname, strbuf_str(&where), t->qname,
                  strbuf_str(&cols), strbuf_str(&vals));
    strbuf_free(&cols);
    strbuf_free(&vals);
    strbuf_free(&where);
}

bool apply_sql_noop(const pgo_msg *m)
{
    /* An UPDATE of a table without (sent) columns changes nothing. */
    return m->kind == PGO_UPDATE && m->rel->ncols == 0;
}

char *apply_sql_change(PGconn *conn, const pgo_msg *m, const apply_target *t, char *err,
                       size_t errlen)
{
    const pgo_relation *rel = m->rel;
    strbuf b = {0};
    const pgo_tuple *src = m->old_kind ? &m->old_tup : &m->new_tup;
    if (m->kind != PGO_INSERT && !apply_sql_keyed(rel) && m->old_kind != 'O') {
        snprintf(err, errlen,
                 "%s.%s has no replica identity: an UPDATE or DELETE cannot find its row",
                 rel->nspname, rel->relname);
        return NULL;
    }
    if (m->kind != PGO_INSERT && apply_sql_keyed(rel))
        for (int i = 0; i < rel->ncols; i++)
            if (rel->cols[i].key && src->kinds[i] != 't' && src->kinds[i] != 'n') {
                snprintf(err, errlen,
                         "%s.%s: key column \"%s\" arrived as unchanged TOAST; its row cannot be "
                         "found",
                         rel->nspname, rel->relname, rel->cols[i].name);
                return NULL;
            }
    if (m->kind == PGO_INSERT) {
        insert_sql(conn, rel, t, 1, &b);
    } else if (m->kind == PGO_UPDATE) {
        if (t->identity_always)
            update_identity_sql(conn, m, t, &b);
        else
            update_sql(conn, m, t, &b);
    } else {
        int np = 0;
        strbuf_printf(&b, "DELETE FROM %s", t->qname);
        where_clause(conn, rel, t, src, &np, &b);
    }
    return b.s;
}

void apply_sql_truncate(strbuf *b, const apply_target *const *targets, int n, bool cascade,
                        bool restart_identity)
{
    strbuf_printf(b, "TRUNCATE ");
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (targets[i]->redirected)
            continue;
        /* ONLY, as the source meant it; a partitioned table has no rows
         * of its own and refuses ONLY. */
        strbuf_printf(b, "%s%s%s", k++ ? ", " : "", targets[i]->partitioned ? "" : "ONLY ",
                      targets[i]->qname);
    }
    if (!k) {
        strbuf_reset(b);
        return;
    }
    if (restart_identity)
        strbuf_printf(b, " RESTART IDENTITY");
    if (cascade)
        strbuf_printf(b, " CASCADE");
}

void apply_sql_truncate_partition(strbuf *b, const apply_target *t)
{
    /* The partition is not a table on the sink: its rows, by its bounds. */
    strbuf_printf(b, "DELETE FROM %s%s%s", t->qname, t->part_filter[0] ? " WHERE " : "",
                  t->part_filter);
}

bool apply_sql_batchable(const pgo_msg *m, const apply_target *t)
{
    const pgo_relation *rel = m->rel;
    /* 2 * ncols + 1 parameters a row, and at most 65535 a statement. */
    if (!rel->ncols || rel->ncols > 250 || t->redirected)
        return false;
    /* Rows found by their whole old row: only inserts, in any order. */
    if (!apply_sql_keyed(rel))
        return m->kind == PGO_INSERT;
    const pgo_tuple *src;
    if (m->kind == PGO_INSERT)
        src = &m->new_tup;
    else if (m->kind == PGO_UPDATE && !m->old_kind && !t->identity_always &&
             t->unique_indexes <= 1)
        /* The key did not change. And no other unique index: the rows of
         * one UPDATE may be changed in another order than they came, and
         * a value moving from row to row would collide on its way. */
        src = &m->new_tup;
    else if (m->kind == PGO_DELETE && m->old_kind == 'K')
        src = &m->old_tup;
    else
        return false;
    for (int i = 0; i < rel->ncols; i++)
        if (rel->cols[i].key && src->kinds[i] != 't')
            return false; /* a NULL or unchanged TOAST key: the one-row statement says why */
    return true;
}

void apply_sql_batch_key(const pgo_msg *m, strbuf *b)
{
    if (!apply_sql_keyed(m->rel))
        return; /* no key: nothing to keep distinct */
    const pgo_tuple *src = m->kind == PGO_DELETE ? &m->old_tup : &m->new_tup;
    for (int i = 0; i < m->rel->ncols; i++)
        if (m->rel->cols[i].key) {
            strbuf_put(b, src->vals[i], (size_t)src->lens[i]);
            strbuf_put(b, "\x1f", 1);
        }
}

/* (VALUES ($1::t, ...), ...) AS mt_v(p1, ...) over the row's parameters
 * in apply_sql_params' order: cols[j] is the column of parameter j. */
static void values_of(const apply_target *t, const int *cols, int np, int rows, strbuf *b)
{
    strbuf_printf(b, "(VALUES ");
    param_rows(b, t, cols, np, rows);
    strbuf_printf(b, ") AS mt_v(");
    for (int j = 0; j < np; j++)
        strbuf_printf(b, "%sp%d", j ? ", " : "", j + 1);
    strbuf_put(b, ")", 1);
}

/* mt_t.key = mt_v.pN for every key column: the key's parameters are
 * the last ones of the row, from kstart, in the columns' order. */
static void key_join(PGconn *conn, const pgo_relation *rel, int kstart, strbuf *b)
{
    int k = 0;
    for (int i = 0; i < rel->ncols; i++) {
        if (!rel->cols[i].key)
            continue;
        char *c = ident(conn, rel->cols[i].name);
        strbuf_printf(b, "%smt_t.%s = mt_v.p%d", k ? " AND " : " WHERE ", c, kstart + k + 1);
        k++;
        PQfreemem(c);
    }
}

char *apply_sql_batch(PGconn *conn, const pgo_msg *m, const apply_target *t, int rows)
{
    const pgo_relation *rel = m->rel;
    strbuf b = {0};
    if (m->kind == PGO_INSERT) {
        insert_sql(conn, rel, t, rows, &b);
        return b.s;
    }
    /* The column of each parameter, in apply_sql_params' order: an
     * UPDATE's new values first, then the key. */
    int *cols = malloc(sizeof *cols * (size_t)rel->ncols * 2), nset = 0;
    if (!cols)
        abort();
    if (m->kind == PGO_UPDATE)
        for (int i = 0; i < rel->ncols; i++)
            if (m->new_tup.kinds[i] != 'u')
                cols[nset++] = i;
    int np = nset;
    for (int i = 0; i < rel->ncols; i++)
        if (rel->cols[i].key)
            cols[np++] = i;
    if (m->kind == PGO_UPDATE) {
        strbuf_printf(&b, "UPDATE %s AS mt_t SET ", t->qname);
        for (int j = 0; j < nset; j++) {
            char *c = ident(conn, rel->cols[cols[j]].name);
            strbuf_printf(&b, "%s%s = mt_v.p%d", j ? ", " : "", c, j + 1);
            PQfreemem(c);
        }
        strbuf_printf(&b, " FROM ");
    } else {
        strbuf_printf(&b, "DELETE FROM %s AS mt_t USING ", t->qname);
    }
    values_of(t, cols, np, rows, &b);
    key_join(conn, rel, nset, &b);
    free(cols);
    return b.s;
}
