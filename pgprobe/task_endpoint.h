/* What a task records of an endpoint the user wrote in any libpq form
 * (conn.h): kbcli's host, port, database, user and password. When the
 * server answers from here, the values libpq connected with (a URI's
 * percent-encoding undone, a service's settings, the password it found in
 * ~/.pgpass or PGPASSFILE); when it does not (a cluster-internal address),
 * the text's own, with the password from PGPASSWORD or the password file.
 * A password is never needed on a command line. */
#ifndef MIGTOP_PGPROBE_TASK_ENDPOINT_H
#define MIGTOP_PGPROBE_TASK_ENDPOINT_H

#include <stdbool.h>

#include "model/arena.h"
#include "model/flags.h"
#include "pgprobe/conn.h"

/* typed: a password typed at a prompt (NULL: none). connect false: the
 * server is not tried (a Kubernetes task's endpoints are the cluster's,
 * often out of reach here). *conn gets the open connection when the
 * server answered (NULL otherwise; caller PQfinish).
 * False with err: a malformed endpoint, a wrong or missing password
 * (PGP_ERR_PASSWORD, PGP_ERR_NO_PASSWORD: the caller may ask for one), or
 * values that name no host. */
bool pgp_task_endpoint(arena *a, const char *flag, const char *text, const char *typed,
                       bool connect, int timeout_s, mt_endpoint_arg *out, PGconn **conn,
                       pgp_error *err);

/* The password for host:port/db/user in a libpq password file (path NULL:
 * $PGPASSFILE, else ~/.pgpass), as libpq matches it (first match, '*'
 * wildcards, '\' escapes); NULL when none (arena memory). */
const char *pgp_pgpass_lookup(arena *a, const char *path, const char *host, const char *port,
                              const char *db, const char *user);

/* At create: a task with CDC publishes its tables, and the source then
 * refuses UPDATE and DELETE on any of them without a replica identity.
 * False with err naming them and the fix. */
bool pgp_check_publishable(PGconn *src, const mt_objects *o, char *err, size_t errlen);

/* At create: migration tables that already hold rows on the sink. Those
 * rows are not the migration's (a typo in the sink's address would point
 * init-data at another database's tables), so with policy NULL or "fail"
 * this is false with err naming each table and its rows, and the choice;
 * "truncate" and "append" are the user's word and pass. */
bool pgp_check_sink_rows(PGconn *src, PGconn *sink, const mt_objects *o, const char *policy,
                         char *err, size_t errlen);

#endif
