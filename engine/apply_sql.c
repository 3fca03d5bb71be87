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

/* Whether the relation finds rows by a key (replica identity default with
 * a primary key, or an index) rather than by the whole old row. */
static bool keyed(const pgo_relation *rel)
{
    if (rel->replident == 'f')
        return false;
    for (int i = 0; i < rel->ncols; i++)
        if (rel->cols[i].key)
            return true;
    return false;
}

/* WHERE for Update/Delete. Keyed: key columns = the old key ('K') or, when
 * the key did not change, the new row's. Full: every column of the old
 * row ('O') not left out as unchanged TOAST, as text, one row by ctid. */
static void where_clause(PGconn *conn, const pgo_relation *rel, const char *qname,
                         const pgo_tuple *src, int *np, strbuf *b)
{
    if (keyed(rel)) {
        strbuf_printf(b, " WHERE ");
        int k = 0;
        for (int i = 0; i < rel->ncols; i++) {
            if (!rel->cols[i].key)
                continue;
            char *c = ident(conn, rel->cols[i].name);
            strbuf_printf(b, "%s%s = $%d", k++ ? " AND " : "", c, ++*np);
            PQfreemem(c);
        }
        return;
    }
    strbuf_printf(b, " WHERE ctid = (SELECT ctid FROM %s WHERE ", qname);
    int k = 0;
    for (int i = 0; i < rel->ncols; i++) {
        if (src->kinds[i] == 'u')
            continue;
        char *c = ident(conn, rel->cols[i].name);
        strbuf_printf(b, "%s%s::text IS NOT DISTINCT FROM $%d", k++ ? " AND " : "", c, ++*np);
        PQfreemem(c);
    }
    if (!k)
        strbuf_printf(b, "true");
    strbuf_printf(b, " LIMIT 1)");
}

static void insert_sql(PGconn *conn, const pgo_relation *rel, const char *qname, strbuf *b)
{
    strbuf cols = {0}, vals = {0}, set = {0}, keys = {0};
    for (int i = 0; i < rel->ncols; i++) {
        char *c = ident(conn, rel->cols[i].name);
        strbuf_printf(&cols, "%s%s", i ? ", " : "", c);
        strbuf_printf(&vals, "%s$%d", i ? ", " : "", i + 1);
        if (rel->cols[i].key)
            strbuf_printf(&keys, "%s%s", keys.n ? ", " : "", c);
        else
            strbuf_printf(&set, "%s%s = EXCLUDED.%s", set.n ? ", " : "", c, c);
        PQfreemem(c);
    }
    strbuf_printf(b, "INSERT INTO %s (%s) VALUES (%s)", qname, strbuf_str(&cols),
                  strbuf_str(&vals));
    if (keyed(rel)) {
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
char *apply_sql_shape(const pgo_msg *m)
{
    int n = m->rel->ncols;
    char *k = malloc((size_t)n * 2 + 4);
    if (!k)
        abort();
    size_t p = 0;
    k[p++] = (char)('0' + m->kind);
    k[p++] = m->old_kind ? m->old_kind : '-';
    for (int i = 0; i < n; i++) {
        k[p++] = m->new_tup.ncols ? (m->new_tup.kinds[i] == 'u' ? 'u' : 'v') : '-';
        k[p++] = m->old_tup.ncols ? (m->old_tup.kinds[i] == 'u' ? 'u' : 'v') : '-';
    }
    k[p] = 0;
    return k;
}

/* Parameters in the order the statement text numbered them. */
int apply_sql_params(const pgo_msg *m, const char **vals)
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
    bool k = keyed(rel);
    for (int i = 0; i < rel->ncols; i++) {
        if (k ? !rel->cols[i].key : src->kinds[i] == 'u')
            continue;
        vals[np++] = src->vals[i];
    }
    return np;
}

char *apply_sql_change(PGconn *conn, const pgo_msg *m, const char *qname, char *err, size_t errlen)
{
    const pgo_relation *rel = m->rel;
    strbuf b = {0};
    int np = 0;
    const pgo_tuple *src = m->old_kind ? &m->old_tup : &m->new_tup;
    if (m->kind != PGO_INSERT && !keyed(rel) && m->old_kind != 'O') {
        snprintf(err, errlen,
                 "%s.%s has no replica identity: an UPDATE or DELETE cannot find its row",
                 rel->nspname, rel->relname);
        return NULL;
    }
    if (m->kind != PGO_INSERT && keyed(rel))
        for (int i = 0; i < rel->ncols; i++)
            if (rel->cols[i].key && src->kinds[i] != 't' && src->kinds[i] != 'n') {
                snprintf(err, errlen,
                         "%s.%s: key column \"%s\" arrived as unchanged TOAST; its row cannot be "
                         "found",
                         rel->nspname, rel->relname, rel->cols[i].name);
                return NULL;
            }
    if (m->kind == PGO_INSERT) {
        insert_sql(conn, rel, qname, &b);
    } else if (m->kind == PGO_UPDATE) {
        strbuf_printf(&b, "UPDATE %s SET ", qname);
        for (int i = 0; i < rel->ncols; i++) {
            if (m->new_tup.kinds[i] == 'u')
                continue;
            char *c = ident(conn, rel->cols[i].name);
            strbuf_printf(&b, "%s%s = $%d", np ? ", " : "", c, np + 1);
            np++;
            PQfreemem(c);
        }
        where_clause(conn, rel, qname, src, &np, &b);
    } else {
        strbuf_printf(&b, "DELETE FROM %s", qname);
        where_clause(conn, rel, qname, src, &np, &b);
    }
    return b.s;
}
