#include "cutover/writes.h"

#include <stdio.h>
#include <stdlib.h>

bool cut_readonly_set(const pgp_endpoint *src, bool on, const char *roles,
                      const volatile bool *cancel, int *ended, char *err, size_t errlen)
{
    pgp_error e = {0};
    *ended = 0;
    PGconn *c = pgp_connect_cancelable(src, "migtop cutover", 10, false, cancel, &e);
    if (!c) {
        snprintf(err, errlen, "[%s] %s", pgp_errcode_id(e.code), e.msg);
        return false;
    }
    char *db = pgp_quote_ident(c, PQdb(c));
    char sql[1024];
    snprintf(sql, sizeof sql, on ? "ALTER DATABASE %s SET default_transaction_read_only = on"
                                 : "ALTER DATABASE %s RESET default_transaction_read_only",
             db);
    free(db);
    bool ok = pgp_exec(c, "SET default_transaction_read_only = off", &e) && pgp_exec(c, sql, &e);
    if (ok && on && roles && roles[0] && roles[1] != '}') {
        const char *params[1] = {roles};
        PGresult *r = pgp_query(c,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND usename = ANY($1::text[]) "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "AND application_name NOT LIKE 'migtop%'", 1, params, &e);
        ok = r != NULL;
        if (r) {
            *ended = atoi(PQgetvalue(r, 0, 0));
            PQclear(r);
        }
    }
    if (!ok)
        snprintf(err, errlen, "[%s] %s", pgp_errcode_id(e.code), e.msg);
    PQfinish(c);
    return ok;
}
