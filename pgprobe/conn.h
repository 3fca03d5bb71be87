/* pgprobe connections: one endpoint type for every way a user names a
 * PostgreSQL server, a connect that honours a deadline without blocking
 * on a socket (so it can run off the UI thread and still give up on
 * time), and failures sorted into distinct, actionable kinds.
 *
 * API summary
 * -----------
 *   pgp_endpoint ep;
 *   pgp_error err;
 *   if (!pgp_endpoint_parse(&ep, "source", text, &err)) -> err.msg says what is wrong
 *       text may be any of:
 *         kbcli form     user:password@host:port/db   (model/flags.h parser)
 *         libpq URI      postgresql://user@host:5432/db?sslmode=require
 *         conninfo       host=h port=5432 dbname=db user=u sslmode=verify-full
 *         service        service=NAME  (pg_service.conf), or "" to use only the
 *                        environment (PGHOST, PGSERVICE, PGPASSFILE ...)
 *       A missing password is looked up by libpq in ~/.pgpass / PGPASSFILE.
 *   pgp_endpoint_set(&ep, "dbname", "other");   override or add a keyword
 *   pgp_endpoint_get(&ep, "user")               a keyword's value or NULL
 *   pgp_endpoint_label(&ep)                     "user@host:port/db", never the password
 *   PGconn *c = pgp_connect(&ep, "migtop precheck", 10, false, &err);
 *       NULL on failure with err.code (pgp_errcode) and err.msg (one line,
 *       password scrubbed). replication=true opens a replication=database
 *       connection (walsender; IDENTIFY_SYSTEM etc.). Servers older than
 *       PostgreSQL 10 are refused with PGP_ERR_TOO_OLD naming the version.
 *   PGresult *r = pgp_query(c, sql, nparams, params, &err);   caller PQclear; NULL on error
 *   bool ok = pgp_exec(c, sql, &err);
 *   pgp_query_prepared(c, "name", sql, n, params, &err)   prepared once per backend
 *   char *v = pgp_query_value(c, sql, nparams, params, buf, buflen, &err);  first cell
 *   pgp_quote_ident(c, "My Table") -> malloc'd "\"My Table\"" (free()); "t1" stays t1
 *   pgp_endpoint_free(&ep);
 *
 * All functions are thread-safe as long as each PGconn is used by one
 * thread at a time. Nothing here prints; callers show err.msg. */
#ifndef MIGTOP_PGPROBE_CONN_H
#define MIGTOP_PGPROBE_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/arena.h"

/* Why a connection or a query failed. Each kind has its own message and
 * fix, so the user is told which of the several usual suspects it is. */
typedef enum pgp_errcode {
    PGP_OK = 0,
    PGP_ERR_SYNTAX,        /* the endpoint text itself is malformed */
    PGP_ERR_PASSWORD,      /* 28P01: password authentication failed */
    PGP_ERR_NO_PASSWORD,   /* the server wants a password and none was given or found */
    PGP_ERR_HBA,           /* 28000: no pg_hba.conf entry (or rejected by one) */
    PGP_ERR_UNREACHABLE,   /* connection refused, no route, unknown host */
    PGP_ERR_TIMEOUT,       /* no answer before the deadline */
    PGP_ERR_NO_DATABASE,   /* 3D000: database does not exist */
    PGP_ERR_NO_ROLE,       /* 28000: role does not exist (trust/peer auth only;
                              with password auth the server says "password failed") */
    PGP_ERR_NO_LOGIN,      /* 28000: role is not permitted to log in */
    PGP_ERR_NO_REPLICATION,/* 42501: a replication connection by a role without REPLICATION */
    PGP_ERR_TOO_OLD,       /* server older than PostgreSQL 10 */
    PGP_ERR_TLS,           /* SSL/TLS negotiation or certificate problem */
    PGP_ERR_TOO_MANY,      /* 53300: too many connections / no free walsender */
    PGP_ERR_CONN_LOST,     /* the connection broke during a query */
    PGP_ERR_QUERY,         /* a query failed; sqlstate says why */
    PGP_ERR_OTHER,
} pgp_errcode;

typedef struct pgp_error {
    pgp_errcode code;
    char sqlstate[6]; /* "" when not known (libpq gives none for connection failures) */
    char msg[768];    /* one line, no password, starts with what was being done */
} pgp_error;

/* "wrong-password", "no-hba-entry", ...: a stable id for JSON and tests. */
const char *pgp_errcode_id(pgp_errcode c);
/* A short hint for the kind: what to change so it works. "" if none. */
const char *pgp_errcode_hint(pgp_errcode c);

#define PGP_MAX_KEYWORDS 48

typedef struct pgp_endpoint {
    arena a; /* owns every string below */
    const char *keys[PGP_MAX_KEYWORDS + 1]; /* NULL-terminated, for PQconnectStartParams */
    const char *vals[PGP_MAX_KEYWORDS + 1];
    size_t n;
    const char *form; /* "kbcli", "uri", "conninfo", "environment" */
    const char *flag; /* the flag name it came from, for messages */
} pgp_endpoint;

bool pgp_endpoint_parse(pgp_endpoint *ep, const char *flag, const char *text, pgp_error *err);
/* Set (or replace) one libpq keyword. NULL value removes it. */
void pgp_endpoint_set(pgp_endpoint *ep, const char *key, const char *val);
const char *pgp_endpoint_get(const pgp_endpoint *ep, const char *key);
/* user@host:port/db with libpq's defaults for the missing parts; no password. */
const char *pgp_endpoint_label(pgp_endpoint *ep);
/* A copy (own arena) so a caller can override keywords without touching the original. */
void pgp_endpoint_copy(pgp_endpoint *dst, const pgp_endpoint *src);
void pgp_endpoint_free(pgp_endpoint *ep);

/* Connects with PQconnectStartParams + PQconnectPoll and poll(), giving up
 * after timeout_s seconds (<= 0: 10). replication opens a
 * replication=database walsender connection. */
PGconn *pgp_connect(const pgp_endpoint *ep, const char *application_name, int timeout_s,
                    bool replication, pgp_error *err);

/* Like pgp_connect, but gives up early when *cancel becomes true (checked
 * every 100 ms); cancel may be NULL. */
PGconn *pgp_connect_cancelable(const pgp_endpoint *ep, const char *application_name,
                               int timeout_s, bool replication, const volatile bool *cancel,
                               pgp_error *err);

/* Queries: any status other than TUPLES_OK / COMMAND_OK fails with
 * PGP_ERR_QUERY (sqlstate set) or PGP_ERR_CONN_LOST. */
PGresult *pgp_query(PGconn *c, const char *sql, int nparams, const char *const *params,
                    pgp_error *err);
bool pgp_exec(PGconn *c, const char *sql, pgp_error *err);
/* A statement run often (live readings): prepared once per backend under
 * `name`, then executed without parsing or planning. Prepares on demand
 * (also after a reconnect, when the server no longer knows it). */
PGresult *pgp_query_prepared(PGconn *c, const char *name, const char *sql, int nparams,
                             const char *const *params, pgp_error *err);
/* PREPARE; an existing statement of that name counts as success. */
bool pgp_prepare(PGconn *c, const char *name, const char *sql, int nparams, pgp_error *err);
/* The first cell of the first row into buf ("" when there is no row or it
 * is NULL); returns buf, or NULL on error. */
char *pgp_query_value(PGconn *c, const char *sql, int nparams, const char *const *params,
                      char *buf, size_t buflen, pgp_error *err);

/* Identifier quoting as quote_ident() does it (quotes only when needed:
 * upper case, spaces, quotes, reserved words); malloc'd, free(). */
char *pgp_quote_ident(PGconn *c, const char *name);
char *pgp_quote_qualified(PGconn *c, const char *schema, const char *name);

/* Fills err from a failed connection: classification by SQLSTATE where the
 * server sent one, else by libpq's message. Exposed for tests. */
void pgp_error_from_conn(PGconn *c, const char *doing, const char *password, pgp_error *err);
/* Fills err from a failed query result (or the connection's message when
 * r is NULL): PGP_ERR_QUERY with the SQLSTATE, or PGP_ERR_CONN_LOST. */
void pgp_error_from_result(PGconn *c, const PGresult *r, pgp_error *err);
/* src as one line (newlines and tabs folded) with every occurrence of the
 * password (may be NULL) replaced by "***", so it can be shown or logged. */
void pgp_scrub_line(char *dst, size_t n, const char *src, const char *password);
void pgp_error_set(pgp_error *err, pgp_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
