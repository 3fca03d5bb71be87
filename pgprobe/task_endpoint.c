#include "pgprobe/task_endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/strbuf.h"
#include "pgprobe/identity.h"
#include "pgprobe/objects.h"

/* One field of a password-file line, '\\' escapes undone; advances *p
 * past its ':'. */
static const char *pgpass_field(arena *a, const char **p)
{
    strbuf b = {0};
    const char *s = *p;
    for (; *s && *s != ':' && *s != '\n' && *s != '\r'; s++) {
        if (*s == '\\' && s[1] && s[1] != '\n')
            s++;
        strbuf_put(&b, s, 1);
    }
    if (*s == ':')
        s++;
    *p = s;
    const char *out = arena_strdup(a, strbuf_str(&b));
    strbuf_free(&b);
    return out;
}

static bool field_matches(const char *pattern, const char *value)
{
    return !strcmp(pattern, "*") || !strcmp(pattern, value);
}

const char *pgp_pgpass_lookup(arena *a, const char *path, const char *host, const char *port,
                              const char *db, const char *user)
{
    char def[4200];
    if (!path || !*path)
        path = getenv("PGPASSFILE");
    if (!path || !*path) {
        const char *home = getenv("HOME");
        if (!home)
            return NULL;
        snprintf(def, sizeof def, "%s/.pgpass", home);
        path = def;
    }
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    const char *want[4] = {host && *host ? host : "localhost", port && *port ? port : "5432",
                           db && *db ? db : user, user};
    char line[4096];
    const char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        const char *p = line;
        bool match = true;
        for (int i = 0; i < 4; i++)
            match = field_matches(pgpass_field(a, &p), want[i]) && match;
        const char *pw = pgpass_field(a, &p);
        if (match && *pw)
            found = pw;
    }
    fclose(f);
    return found;
}

/* From the live connection: what libpq really used. */
static void from_conn(arena *a, PGconn *c, mt_endpoint_arg *out)
{
    out->host = arena_strdup(a, PQhost(c));
    out->port = atoi(PQport(c));
    out->database = arena_strdup(a, PQdb(c));
    out->user = arena_strdup(a, PQuser(c));
    out->password = arena_strdup(a, PQpass(c) ? PQpass(c) : "");
}

/* From the text alone, for a server that cannot be reached from here. */
static bool from_text(arena *a, const char *flag, const pgp_endpoint *ep, bool need_password,
                      mt_endpoint_arg *out, pgp_error *err)
{
    const char *host = pgp_endpoint_get(ep, "host"), *port = pgp_endpoint_get(ep, "port");
    const char *user = pgp_endpoint_get(ep, "user"), *db = pgp_endpoint_get(ep, "dbname");
    const char *pw = pgp_endpoint_get(ep, "password");
    if (!host || !*host || host[0] == '/' || !user || !*user) {
        pgp_error_set(err, PGP_ERR_SYNTAX, "--%s: cannot be reached from here, and the endpoint "
                      "does not name its %s itself (a service's or the environment's settings "
                      "are only known by connecting): write host, port, user and database",
                      flag, !host || !*host || host[0] == '/' ? "host" : "user");
        return false;
    }
    out->host = arena_strdup(a, host);
    out->port = port && *port ? atoi(port) : 5432;
    out->user = arena_strdup(a, user);
    out->database = arena_strdup(a, db ? db : "");
    if (!pw || !*pw)
        pw = getenv("PGPASSWORD");
    if (!pw || !*pw)
        pw = pgp_pgpass_lookup(a, pgp_endpoint_get(ep, "passfile"), host, port, db, user);
    out->password = arena_strdup(a, pw ? pw : "");
    if (need_password && !*out->password) {
        pgp_error_set(err, PGP_ERR_NO_PASSWORD, "--%s: no password for %s@%s (not in the "
                      "endpoint, PGPASSWORD or the password file)", flag, user, host);
        return false;
    }
    return true;
}

bool pgp_task_endpoint(arena *a, const char *flag, const char *text, const char *typed,
                       bool connect, int timeout_s, mt_endpoint_arg *out, PGconn **conn,
                       pgp_error *err)
{
    memset(out, 0, sizeof *out);
    *conn = NULL;
    pgp_endpoint ep;
    if (!pgp_endpoint_parse(&ep, flag, text, err)) {
        pgp_endpoint_free(&ep);
        return false;
    }
    if (typed && *typed)
        pgp_endpoint_set(&ep, "password", typed);
    PGconn *c = connect ? pgp_connect(&ep, "migtop create", timeout_s, false, err) : NULL;
    bool ok = true;
    if (c) {
        from_conn(a, c, out);
        *conn = c;
    } else if (connect && (err->code == PGP_ERR_PASSWORD || err->code == PGP_ERR_NO_PASSWORD ||
                           err->code == PGP_ERR_SYNTAX)) {
        ok = false;
    } else {
        ok = from_text(a, flag, &ep, !connect, out, err);
    }
    pgp_endpoint_free(&ep);
    char e2[512];
    if (ok && !mt_valid_password(out->password, e2, sizeof e2)) {
        pgp_error_set(err, PGP_ERR_SYNTAX, "--%s: %s", flag, e2);
        ok = false;
    }
    if (ok) {
        bool v6 = strchr(out->host, ':') != NULL;
        out->address = arena_printf(a, "%s%s%s:%d", v6 ? "[" : "", out->host, v6 ? "]" : "",
                                    out->port);
    } else if (*conn) {
        PQfinish(*conn);
        *conn = NULL;
    }
    return ok;
}

bool pgp_check_publishable(PGconn *src, const mt_objects *o, char *err, size_t errlen)
{
    pgp_tables t;
    pgp_error e = {0};
    if (!pgp_tables_resolve(src, o, &t, &e)) {
        snprintf(err, errlen, "reading the migration objects on the source: %s", e.msg);
        return false;
    }
    char *oids = pgp_tables_oid_array(&t);
    strbuf found = {0}, fix = {0};
    int n = pgp_missing_identity(src, oids, 20, &found, &fix, &e);
    if (n < 0)
        snprintf(err, errlen, "checking the tables' replica identity: %s", e.msg);
    else if (n > 0)
        snprintf(err, errlen, "refused: %d table(s) have no primary key or replica identity, and "
                 "once published the source itself would refuse their UPDATE and DELETE (its "
                 "application would break): %s. Fix on the source: %s", n, strbuf_str(&found),
                 strbuf_str(&fix));
    free(oids);
    strbuf_free(&found);
    strbuf_free(&fix);
    pgp_tables_free(&t);
    return n == 0;
}

static const char *HELD_SQL =
    "WITH t AS (SELECT x->>0 AS s, x->>1 AS n FROM jsonb_array_elements($1::jsonb) x)"
    " SELECT quote_ident(ns.nspname) || '.' || quote_ident(c.relname), " PGP_SQL_ROWS_HELD
    " FROM t JOIN pg_namespace ns ON ns.nspname = t.s"
    " JOIN pg_class c ON c.relnamespace = ns.oid AND c.relname = t.n AND c.relkind IN ('r', 'p')"
    " ORDER BY 1";

bool pgp_check_sink_rows(PGconn *src, PGconn *sink, const mt_objects *o, const char *policy,
                         char *err, size_t errlen)
{
    if (policy && strcmp(policy, "fail"))
        return true;
    pgp_tables t;
    pgp_error e = {0};
    if (!pgp_tables_resolve(src, o, &t, &e)) {
        snprintf(err, errlen, "reading the migration objects on the source: %s", e.msg);
        return false;
    }
    char *json = pgp_tables_names_json(&t);
    pgp_tables_free(&t);
    const char *p[1] = {json};
    PGresult *r = pgp_query(sink, HELD_SQL, 1, p, &e);
    free(json);
    if (!r) {
        snprintf(err, errlen, "reading the sink's tables: %s", e.msg);
        return false;
    }
    strbuf found = {0};
    int n = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        long long held = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        if (!held)
            continue;
        char rows[48];
        if (held > 0)
            snprintf(rows, sizeof rows, "~%lld rows", held);
        else
            snprintf(rows, sizeof rows, "holds rows, not analysed");
        if (n++ < 10)
            strbuf_printf(&found, "%s%s (%s)", found.n ? ", " : "", PQgetvalue(r, i, 0), rows);
    }
    PQclear(r);
    if (n > 10)
        strbuf_printf(&found, " and %d more", n - 10);
    if (n)
        snprintf(err, errlen, "refused: %d table(s) already hold rows on the sink, which are not "
                 "the migration's: %s. Check the sink's address; then give --sink-tables "
                 "truncate to empty them (each one logged) or --sink-tables append to keep "
                 "them", n, strbuf_str(&found));
    strbuf_free(&found);
    return n == 0;
}
