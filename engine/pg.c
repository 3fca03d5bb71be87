#include "engine/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_error(PGconn *c, const PGresult *r, char *err, size_t errlen)
{
    const char *m = r ? PQresultErrorMessage(r) : "";
    if (!m || !*m)
        m = c ? PQerrorMessage(c) : "no connection";
    /* "ERROR:  relation ... \nDETAIL: ..." -> one line. */
    if (!strncmp(m, "ERROR:  ", 8))
        m += 8;
    size_t n = 0;
    while (m[n] && n + 1 < errlen) {
        err[n] = m[n] == '\n' ? ' ' : m[n];
        n++;
    }
    while (n && err[n - 1] == ' ')
        n--;
    if (errlen)
        err[n < errlen ? n : errlen - 1] = 0;
}

const char *pg_sqlstate(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

bool pg_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        pg_error(c, r, err, errlen);
    PQclear(r);
    return ok;
}

PGresult *pg_query(PGconn *c, const char *sql, int n, const char *const *params, char *err,
                   size_t errlen)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        pg_error(c, r, err, errlen);
        PQclear(r);
        return NULL;
    }
    return r;
}

char *pg_qualified(PGconn *c, const char *schema, const char *name)
{
    char *s = PQescapeIdentifier(c, schema, strlen(schema));
    char *t = PQescapeIdentifier(c, name, strlen(name));
    if (!s || !t)
        abort();
    size_t n = strlen(s) + strlen(t) + 2;
    char *out = malloc(n);
    if (!out)
        abort();
    snprintf(out, n, "%s.%s", s, t);
    PQfreemem(s);
    PQfreemem(t);
    return out;
}

char *pg_text_array(const char *const *items, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(items[i]) + 3;
    char *out = malloc(cap), *p = out;
    if (!out)
        abort();
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = items[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = 0;
    return out;
}
