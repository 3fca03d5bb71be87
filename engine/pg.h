/* The engine's one way to run SQL: each call returns bool (or a result)
 * and fills err with the server's message on one line, so every caller
 * reports failures the same way. */
#ifndef MIGTOP_ENGINE_PG_H
#define MIGTOP_ENGINE_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* A command; any result status other than COMMAND_OK/TUPLES_OK fails. */
bool pg_exec(PGconn *c, const char *sql, char *err, size_t errlen);
/* A query with text parameters; returns the result (caller PQclear) or NULL. */
PGresult *pg_query(PGconn *c, const char *sql, int n, const char *const *params, char *err,
                   size_t errlen);
/* The same, giving up after timeout_ms without an answer (a peer that
 * hangs without closing): NULL with err saying so, and the connection is
 * then unusable (PQfinish it). */
PGresult *pg_query_within(PGconn *c, const char *sql, int n, const char *const *params,
                          int timeout_ms, char *err, size_t errlen);
/* The connection's last error as one line (no trailing newline). */
void pg_error(PGconn *c, const PGresult *r, char *err, size_t errlen);
/* SQLSTATE of a failed result, "" if none. */
const char *pg_sqlstate(const PGresult *r);
/* "schema"."name" quoted as an identifier; malloc'd. */
char *pg_qualified(PGconn *c, const char *schema, const char *name);
/* A text[] literal {"a","b"} for a parameter; malloc'd. */
char *pg_text_array(const char *const *items, size_t n);

#endif
