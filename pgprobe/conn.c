/* Deadline-bound connects, queries and error classification (see conn.h;
 * endpoints are in endpoint.c). */
#include "pgprobe/conn.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/flags.h"

static const struct {
    const char *id, *hint;
} KINDS[] = {
    [PGP_OK] = {"ok", ""},
    [PGP_ERR_SYNTAX] = {"bad-endpoint",
                        "write user:password@host:port/db, a postgresql:// URI or host=... "
                        "dbname=... key/value pairs"},
    [PGP_ERR_PASSWORD] = {"wrong-password",
                          "check the password (and that the role exists: with password "
                          "authentication the server does not say which)"},
    [PGP_ERR_NO_PASSWORD] = {"no-password",
                             "give the password in the endpoint or in ~/.pgpass (PGPASSFILE)"},
    [PGP_ERR_HBA] = {"no-hba-entry",
                     "add a pg_hba.conf line for this client, user and database, then "
                     "SELECT pg_reload_conf()"},
    [PGP_ERR_UNREACHABLE] = {"unreachable",
                             "check host and port, that the server listens there "
                             "(listen_addresses) and that no firewall is in between"},
    [PGP_ERR_TIMEOUT] = {"timeout", "the host did not answer in time: check the address, "
                                    "routing and firewall"},
    [PGP_ERR_NO_DATABASE] = {"no-database", "check the database name or CREATE DATABASE it"},
    [PGP_ERR_NO_ROLE] = {"no-role", "check the user name or CREATE ROLE it"},
    [PGP_ERR_NO_LOGIN] = {"no-login", "ALTER ROLE ... LOGIN"},
    [PGP_ERR_NO_REPLICATION] = {"no-replication-privilege", "ALTER ROLE ... REPLICATION"},
    [PGP_ERR_TOO_OLD] = {"server-too-old",
                         "logical replication needs PostgreSQL 10 or later"},
    [PGP_ERR_TLS] = {"tls", "check sslmode and the certificates (sslrootcert, sslcert, "
                            "sslkey), or whether the server has ssl = on"},
    [PGP_ERR_TOO_MANY] = {"too-many-connections",
                          "raise max_connections / max_wal_senders or close idle sessions"},
    [PGP_ERR_CONN_LOST] = {"connection-lost", "the server closed the connection"},
    [PGP_ERR_QUERY] = {"query-failed", ""},
    [PGP_ERR_OTHER] = {"error", ""},
};

const char *pgp_errcode_id(pgp_errcode c)
{
    return c <= PGP_ERR_OTHER ? KINDS[c].id : "error";
}

const char *pgp_errcode_hint(pgp_errcode c)
{
    return c <= PGP_ERR_OTHER ? KINDS[c].hint : "";
}

void pgp_error_set(pgp_error *err, pgp_errcode code, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    err->sqlstate[0] = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* Replace every occurrence of the password by "***" and join lines, so a
 * message can be shown or logged as it is. */
void pgp_scrub_line(char *dst, size_t n, const char *src, const char *password)
{
    size_t o = 0, plen = password ? strlen(password) : 0;
    while (*src && o + 1 < n) {
        if (plen >= 1 && !strncmp(src, password, plen)) {
            for (const char *s = "***"; *s && o + 1 < n; s++)
                dst[o++] = *s;
            src += plen;
            continue;
        }
        char ch = *src++;
        if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        if (ch == ' ' && o && dst[o - 1] == ' ')
            continue;
        dst[o++] = ch;
    }
    while (o && dst[o - 1] == ' ')
        o--;
    dst[o] = 0;
}

/* ---- errors ---- */

static pgp_errcode classify(const char *m, const char **sqlstate)
{
    static const struct {
        const char *needle;
        pgp_errcode code;
        const char *sqlstate;
    } RULES[] = {
        {"password authentication failed", PGP_ERR_PASSWORD, "28P01"},
        {"no password supplied", PGP_ERR_NO_PASSWORD, ""},
        {"fe_sendauth: no password", PGP_ERR_NO_PASSWORD, ""},
        {"no pg_hba.conf entry", PGP_ERR_HBA, "28000"},
        {"pg_hba.conf rejects", PGP_ERR_HBA, "28000"},
        {"does not exist", PGP_ERR_OTHER, ""}, /* refined below */
        {"is not permitted to log in", PGP_ERR_NO_LOGIN, "28000"},
        {"must be superuser or replication role", PGP_ERR_NO_REPLICATION, "42501"},
        {"permission denied to start WAL sender", PGP_ERR_NO_REPLICATION, "42501"},
        {"too many connections", PGP_ERR_TOO_MANY, "53300"},
        {"remaining connection slots are reserved", PGP_ERR_TOO_MANY, "53300"},
        {"number of requested standby connections exceeds", PGP_ERR_TOO_MANY, "53300"},
        {"timeout expired", PGP_ERR_TIMEOUT, ""},
        {"Connection refused", PGP_ERR_UNREACHABLE, ""},
        {"No route to host", PGP_ERR_UNREACHABLE, ""},
        {"Network is unreachable", PGP_ERR_UNREACHABLE, ""},
        {"could not translate host name", PGP_ERR_UNREACHABLE, ""},
        {"Name or service not known", PGP_ERR_UNREACHABLE, ""},
        {"No such file or directory", PGP_ERR_UNREACHABLE, ""}, /* a Unix socket */
        {"SSL", PGP_ERR_TLS, ""},
        {"certificate", PGP_ERR_TLS, ""},
        {"GSSAPI", PGP_ERR_TLS, ""},
    };
    *sqlstate = "";
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++) {
        if (!strstr(m, RULES[i].needle))
            continue;
        if (RULES[i].code == PGP_ERR_OTHER) {
            if (strstr(m, "FATAL:  database ") || strstr(m, "FATAL: database ")) {
                *sqlstate = "3D000";
                return PGP_ERR_NO_DATABASE;
            }
            if (strstr(m, "FATAL:  role ") || strstr(m, "FATAL: role ")) {
                *sqlstate = "28000";
                return PGP_ERR_NO_ROLE;
            }
            continue;
        }
        *sqlstate = RULES[i].sqlstate;
        return RULES[i].code;
    }
    return PGP_ERR_OTHER;
}

void pgp_error_from_conn(PGconn *c, const char *doing, const char *password, pgp_error *err)
{
    if (!err)
        return;
    const char *raw = c ? PQerrorMessage(c) : "out of memory";
    char m[600];
    pgp_scrub_line(m, sizeof m, raw && *raw ? raw : "unknown error", password);
    const char *ss;
    pgp_errcode code = classify(raw ? raw : "", &ss);
    /* libpq's "connection to server at ... failed: FATAL:  ..." keeps the
     * address, which is what the user needs; drop only the severity noise. */
    pgp_error_set(err, code, "%s: %s", doing, m);
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", ss);
}

/* ---- connect ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The keywords libpq gets: ours first, then the endpoint's own (a user's
 * connect_timeout, application_name come later and win), except
 * replication, which is the caller's choice and goes last. keys and vals
 * have room for PGP_MAX_KEYWORDS + 8. */
/* migtop's own sessions stay writable on a source the cutover made
 * read-only (default_transaction_read_only at the database level), so
 * terminate, sequences and validation still work there. A user's own
 * options (a service's, say) are kept before it. */
#define OWN_OPTIONS "-c default_transaction_read_only=off"

static void conn_keywords(const pgp_endpoint *ep, const char *application_name, const char *tmo,
                          bool replication, const char **keys, const char **vals,
                          char *opts, size_t optslen)
{
    size_t n = 0;
    const char *theirs = pgp_endpoint_get(ep, "options");
    snprintf(opts, optslen, "%s%s" OWN_OPTIONS, theirs ? theirs : "", theirs ? " " : "");
    keys[n] = "options", vals[n++] = opts;
    keys[n] = "connect_timeout", vals[n++] = tmo;
    /* A link that dies under a query is noticed in about 30 s, not the
     * kernel's two hours. */
    keys[n] = "keepalives_idle", vals[n++] = "10";
    keys[n] = "keepalives_interval", vals[n++] = "5";
    keys[n] = "keepalives_count", vals[n++] = "3";
    if (application_name)
        keys[n] = "application_name", vals[n++] = application_name;
    for (size_t i = 0; i < ep->n; i++) {
        if (!strcmp(ep->keys[i], "replication") || !strcmp(ep->keys[i], "options"))
            continue;
        keys[n] = ep->keys[i], vals[n++] = ep->vals[i];
    }
    if (replication)
        keys[n] = "replication", vals[n++] = "database";
    keys[n] = vals[n] = NULL;
}

/* PQconnectPoll until connected, the deadline, or *cancel; false with err
 * (the connection is the caller's to finish either way). */
static bool poll_connect(PGconn *c, int timeout_s, const volatile bool *cancel, const char *doing,
                         const char *password, pgp_error *err)
{
    double deadline = now_s() + timeout_s;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED) {
            pgp_error_from_conn(c, doing, password, err);
            return false;
        }
        double left = deadline - now_s();
        if (left <= 0) {
            pgp_error_set(err, PGP_ERR_TIMEOUT, "%s: no answer within %d s", doing, timeout_s);
            return false;
        }
        if (cancel && *cancel) {
            pgp_error_set(err, PGP_ERR_OTHER, "%s: cancelled", doing);
            return false;
        }
        struct pollfd p = {.fd = PQsocket(c),
                           .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
        int ms = (int)(left * 1000) + 1;
        if (cancel && ms > 100)
            ms = 100;
        int rc = p.fd >= 0 ? poll(&p, 1, ms) : 1;
        if (rc < 0 && errno != EINTR) {
            pgp_error_set(err, PGP_ERR_OTHER, "%s: poll: %s", doing, strerror(errno));
            return false;
        }
        if (rc > 0)
            st = PQconnectPoll(c);
    }
    return true;
}

PGconn *pgp_connect_cancelable(const pgp_endpoint *ep, const char *application_name,
                               int timeout_s, bool replication, const volatile bool *cancel,
                               pgp_error *err)
{
    if (err)
        *err = (pgp_error){0};
    if (timeout_s <= 0)
        timeout_s = 10;
    const char *keys[PGP_MAX_KEYWORDS + 8], *vals[PGP_MAX_KEYWORDS + 8];
    char tmo[16];
    snprintf(tmo, sizeof tmo, "%d", timeout_s);
    char opts[1200];
    conn_keywords(ep, application_name, tmo, replication, keys, vals, opts, sizeof opts);
    const char *password = pgp_endpoint_get(ep, "password");
    char label[300];
    {
        pgp_endpoint tmp;
        pgp_endpoint_copy(&tmp, ep);
        snprintf(label, sizeof label, "%s%s", pgp_endpoint_label(&tmp),
                 replication ? " (replication)" : "");
        pgp_endpoint_free(&tmp);
    }
    char doing[400];
    snprintf(doing, sizeof doing, "--%s %s", ep->flag, label);
    PGconn *c = PQconnectStartParams(keys, vals, 0);
    if (!c || PQstatus(c) == CONNECTION_BAD) {
        pgp_error_from_conn(c, doing, password, err);
        PQfinish(c);
        return NULL;
    }
    if (!poll_connect(c, timeout_s, cancel, doing, password, err)) {
        PQfinish(c);
        return NULL;
    }
    int v = PQserverVersion(c);
    if (v < 100000) {
        pgp_error_set(err, PGP_ERR_TOO_OLD,
                      "%s: server version %d.%d is too old: migtop needs PostgreSQL 10 or "
                      "later (logical replication)",
                      doing, v / 10000, v / 100 % 100);
        PQfinish(c);
        return NULL;
    }
    return c;
}

PGconn *pgp_connect(const pgp_endpoint *ep, const char *application_name, int timeout_s,
                    bool replication, pgp_error *err)
{
    return pgp_connect_cancelable(ep, application_name, timeout_s, replication, NULL, err);
}

/* ---- queries ---- */

void pgp_error_from_result(PGconn *c, const PGresult *r, pgp_error *err)
{
    if (!err)
        return;
    const char *m = r ? PQresultErrorMessage(r) : "";
    if (!m || !*m)
        m = PQerrorMessage(c);
    if (!strncmp(m, "ERROR:  ", 8) || !strncmp(m, "FATAL:  ", 8))
        m += 8;
    const char *ss = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    /* The server ending the session (57P0x: terminated, shutting down) or
     * a connection exception (08xxx) is a lost connection even while
     * libpq has not yet seen the socket close. */
    bool lost = PQstatus(c) == CONNECTION_BAD ||
                (ss && (!strncmp(ss, "08", 2) || !strncmp(ss, "57P0", 4)));
    pgp_error_set(err, lost ? PGP_ERR_CONN_LOST : PGP_ERR_QUERY, "%s", "");
    pgp_scrub_line(err->msg, sizeof err->msg, m && *m ? m : "query failed", NULL);
    snprintf(err->sqlstate, sizeof err->sqlstate, "%s", ss ? ss : "");
}

PGresult *pgp_query(PGconn *c, const char *sql, int nparams, const char *const *params,
                    pgp_error *err)
{
    PGresult *r = nparams ? PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0)
                          : PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        pgp_error_from_result(c, r, err);
        PQclear(r);
        return NULL;
    }
    return r;
}

static bool sqlstate_is(const PGresult *r, const char *code)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s && !strcmp(s, code);
}

bool pgp_prepare(PGconn *c, const char *name, const char *sql, int nparams, pgp_error *err)
{
    PGresult *r = PQprepare(c, name, sql, nparams, NULL);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_COMMAND_OK || sqlstate_is(r, "42P05"); /* duplicate_prepared_statement */
    if (!ok)
        pgp_error_from_result(c, r, err);
    PQclear(r);
    return ok;
}

PGresult *pgp_query_prepared(PGconn *c, const char *name, const char *sql, int nparams,
                             const char *const *params, pgp_error *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *r = PQexecPrepared(c, name, nparams, params, NULL, NULL, 0);
        ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
            return r;
        bool unknown = sqlstate_is(r, "26000"); /* invalid_sql_statement_name */
        if (!unknown || attempt) {
            pgp_error_from_result(c, r, err);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        if (!pgp_prepare(c, name, sql, nparams, err))
            return NULL;
    }
    return NULL;
}

bool pgp_exec(PGconn *c, const char *sql, pgp_error *err)
{
    PGresult *r = pgp_query(c, sql, 0, NULL, err);
    PQclear(r);
    return r != NULL;
}

char *pgp_query_value(PGconn *c, const char *sql, int nparams, const char *const *params,
                      char *buf, size_t buflen, pgp_error *err)
{
    PGresult *r = pgp_query(c, sql, nparams, params, err);
    if (!r)
        return NULL;
    snprintf(buf, buflen, "%s",
             PQntuples(r) && PQnfields(r) && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return buf;
}

/* PostgreSQL's reserved and type/function-name keywords (PG 15): names
 * that must be quoted even when written in lower case. */
static const char *const RESERVED[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
    "column", "concurrently", "constraint", "create", "cross", "current_catalog",
    "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
    "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
    "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having",
    "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral",
    "leading", "left", "like", "limit", "localtime", "localtimestamp", "natural", "not",
    "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing",
    "primary", "references", "returning", "right", "select", "session_user", "similar", "some",
    "symmetric", "system_user", "table", "tablesample", "then", "to", "trailing", "true",
    "union", "unique", "user", "using", "variadic", "verbose", "when", "where", "window", "with",
};

/* As quote_ident(): plain lower-case names stay as they are, so the
 * statements a user is asked to run read naturally. */
static bool needs_quotes(const char *name)
{
    if (!*name || !((*name >= 'a' && *name <= 'z') || *name == '_'))
        return true;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return true;
    for (size_t i = 0; i < sizeof RESERVED / sizeof RESERVED[0]; i++)
        if (!strcmp(name, RESERVED[i]))
            return true;
    return false;
}

char *pgp_quote_ident(PGconn *c, const char *name)
{
    if (!needs_quotes(name)) {
        char *plain = strdup(name);
        if (!plain)
            abort();
        return plain;
    }
    char *q = PQescapeIdentifier(c, name, strlen(name));
    if (!q)
        abort();
    char *out = strdup(q);
    PQfreemem(q);
    if (!out)
        abort();
    return out;
}

char *pgp_quote_qualified(PGconn *c, const char *schema, const char *name)
{
    char *s = pgp_quote_ident(c, schema), *t = pgp_quote_ident(c, name);
    size_t n = strlen(s) + strlen(t) + 2;
    char *out = malloc(n);
    if (!out)
        abort();
    snprintf(out, n, "%s.%s", s, t);
    free(s);
    free(t);
    return out;
}
