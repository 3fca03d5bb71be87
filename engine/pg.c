#include "engine/pg.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"

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

PGresult *pg_query_within(PGconn *c, const char *sql, int n, const char *const *params,
                          int timeout_ms, char *err, size_t errlen)
{
    if (!PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0)) {
        pg_error(c, NULL, err, errlen);
        return NULL;
    }
    int64_t end = fmt_mono_ms() + timeout_ms;
    PGresult *last = NULL;
    for (;;) {
        while (!PQisBusy(c)) {
            PGresult *r = PQgetResult(c);
            if (!r) { /* the end of the results */
                ExecStatusType st = last ? PQresultStatus(last) : PGRES_FATAL_ERROR;
                if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
                    pg_error(c, last, err, errlen);
                    PQclear(last);
                    return NULL;
                }
                return last;
            }
            PQclear(last);
            last = r;
        }
        int64_t left = end - fmt_mono_ms();
        struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)(left < 1000 ? left : 1000)) < 0) {
            if (left > 0 && errno == EINTR)
                continue;
            snprintf(err, errlen, "no answer within %d s", timeout_ms / 1000);
            PQclear(last);
            return NULL;
        }
        if (!PQconsumeInput(c)) {
            pg_error(c, NULL, err, errlen);
            PQclear(last);
            return NULL;
        }
    }
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
