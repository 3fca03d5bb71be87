#include "pgprobe/closure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const pgp_closure_sql;

static int by_id(const void *x, const void *y)
{
    const pgp_obj *a = x, *b = y;
    if (a->classid != b->classid)
        return a->classid < b->classid ? -1 : 1;
    return a->objid < b->objid ? -1 : a->objid > b->objid;
}

static int by_text(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static const char *opt(arena *a, const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : arena_strdup(a, PQgetvalue(r, row, col));
}

static char *id_array(const unsigned *v, size_t n)
{
    size_t cap = 3 + n * 12, o = 0;
    char *s = malloc(cap);
    if (!s)
        abort();
    s[o++] = '{';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%u", i ? "," : "", v[i]);
    s[o++] = '}';
    s[o] = 0;
    return s;
}

static char *text_array(const char *const *v, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(v[i]) + 3;
    char *s = malloc(cap), *p = s;
    if (!s)
        abort();
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *c = v[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = 0;
    return s;
}

static void take_rows(pgp_closure *c, const PGresult *r)
{
    int rows = PQntuples(r);
    c->v = arena_alloc(&c->a, sizeof *c->v * (size_t)(rows + 1));
    c->skipped = arena_alloc(&c->a, sizeof *c->skipped * (size_t)(rows + 1));
    c->toc_lines = arena_alloc(&c->a, sizeof *c->toc_lines * (size_t)(rows + 1));
    for (int i = 0; i < rows; i++) {
        if (PQgetvalue(r, i, 0)[0] == 's') {
            c->skipped[c->n_skipped++] = (pgp_skipped){opt(&c->a, r, i, 3), opt(&c->a, r, i, 4),
                                                       opt(&c->a, r, i, 7)};
            continue;
        }
        pgp_obj *o = &c->v[c->n++];
        o->classid = (unsigned)strtoul(PQgetvalue(r, i, 1), NULL, 10);
        o->objid = (unsigned)strtoul(PQgetvalue(r, i, 2), NULL, 10);
        o->kind = opt(&c->a, r, i, 3);
        o->name = opt(&c->a, r, i, 4);
        o->toc_line = opt(&c->a, r, i, 5);
        o->needed_by = opt(&c->a, r, i, 6);
        if (o->toc_line)
            c->toc_lines[c->n_toc_lines++] = o->toc_line;
    }
    qsort(c->v, c->n, sizeof *c->v, by_id);
    qsort(c->toc_lines, c->n_toc_lines, sizeof *c->toc_lines, by_text);
}

bool pgp_closure_build(PGconn *src, const unsigned *tables, size_t n_tables,
                       const char *const *schemas, size_t n_schemas, pgp_closure *out,
                       pgp_error *err)
{
    memset(out, 0, sizeof *out);
    arena_init(&out->a);
    char *p[2] = {id_array(tables, n_tables), text_array(schemas, n_schemas)};
    PGresult *r = pgp_query(src, pgp_closure_sql, 2, (const char *const *)p, err);
    free(p[0]);
    free(p[1]);
    if (!r)
        return false;
    take_rows(out, r);
    PQclear(r);
    return true;
}

void pgp_closure_free(pgp_closure *c)
{
    arena_free(&c->a);
    memset(c, 0, sizeof *c);
}

const pgp_obj *pgp_closure_find(const pgp_closure *c, unsigned classid, unsigned objid)
{
    pgp_obj key = {.classid = classid, .objid = objid};
    return c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, by_id) : NULL;
}

bool pgp_closure_has_line(const pgp_closure *c, const char *line)
{
    return c->n_toc_lines &&
           bsearch(&line, c->toc_lines, c->n_toc_lines, sizeof *c->toc_lines, by_text) != NULL;
}

size_t pgp_whole_schemas(const mt_objects *o, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n_white && n < max; i++) {
        const mt_schema_obj *s = &o->white[i];
        bool black = false; /* a schema on the black list is not chosen whole */
        for (size_t b = 0; b < o->n_black; b++)
            black |= !strcmp(o->black[b].schema, s->schema) &&
                     (o->black[b].is_all || !o->black[b].n_tables);
        if ((s->is_all || !s->n_tables) && !black)
            out[n++] = s->schema;
    }
    return n;
}
