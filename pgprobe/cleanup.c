/* Cleanup check: the task's slot and publication after a terminate. */
#include "pgprobe/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/arena.h"
#include "model/task.h"

static const char *CLEANUP_SQL =
    "SELECT s.slot_name IS NOT NULL, coalesce(s.active, false), coalesce(s.database::text, ''),"
    "       coalesce(s.active_pid, 0), coalesce(a.application_name, ''),"
    "       coalesce(host(a.client_addr), ''), coalesce(a.usename::text, ''),"
    "       coalesce(a.backend_type, ''),"
    "       p.pubname IS NOT NULL, coalesce(pg_get_userbyid(p.pubowner)::text, '')"
    " FROM (SELECT 1) one"
    " LEFT JOIN pg_replication_slots s ON s.slot_name = $1"
    " LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid"
    " LEFT JOIN pg_publication p ON p.pubname = $2";

static void add(char **buf, size_t *len, const char *line)
{
    size_t n = strlen(line);
    *buf = realloc(*buf, *len + n + 2);
    if (!*buf)
        abort();
    memcpy(*buf + *len, line, n);
    (*buf)[*len + n] = '\n';
    *len += n + 1;
    (*buf)[*len] = 0;
}

bool pgp_cleanup_check(PGconn *c, const char *task_name, pgp_cleanup *out, pgp_error *err)
{
    memset(out, 0, sizeof *out);
    arena a;
    arena_init(&a);
    snprintf(out->slot, sizeof out->slot, "%s", mt_slot_name(&a, task_name));
    snprintf(out->publication, sizeof out->publication, "%s", mt_publication_name(&a, task_name));
    arena_free(&a);
    const char *params[2] = {out->slot, out->publication};
    PGresult *r = pgp_query(c, CLEANUP_SQL, 2, params, err);
    if (!r)
        return false;
    out->slot_exists = !strcmp(PQgetvalue(r, 0, 0), "t");
    out->slot_active = !strcmp(PQgetvalue(r, 0, 1), "t");
    snprintf(out->slot_database, sizeof out->slot_database, "%s", PQgetvalue(r, 0, 2));
    out->holder_pid = atoi(PQgetvalue(r, 0, 3));
    snprintf(out->holder_application, sizeof out->holder_application, "%s", PQgetvalue(r, 0, 4));
    snprintf(out->holder_client_addr, sizeof out->holder_client_addr, "%s", PQgetvalue(r, 0, 5));
    snprintf(out->holder_user, sizeof out->holder_user, "%s", PQgetvalue(r, 0, 6));
    snprintf(out->holder_type, sizeof out->holder_type, "%s", PQgetvalue(r, 0, 7));
    out->publication_exists = !strcmp(PQgetvalue(r, 0, 8), "t");
    snprintf(out->publication_owner, sizeof out->publication_owner, "%s", PQgetvalue(r, 0, 9));
    PQclear(r);
    out->clean = !out->slot_exists && !out->publication_exists;

    size_t len = 0;
    out->statements = calloc(1, 1);
    if (!out->statements)
        abort();
    char line[512];
    if (out->slot_exists) {
        if (out->slot_active && out->holder_pid) {
            snprintf(line, sizeof line, "SELECT pg_terminate_backend(%d);", out->holder_pid);
            add(&out->statements, &len, line);
        }
        char *lit = PQescapeLiteral(c, out->slot, strlen(out->slot));
        if (!lit)
            abort();
        snprintf(line, sizeof line, "SELECT pg_drop_replication_slot(%s);", lit);
        PQfreemem(lit);
        add(&out->statements, &len, line);
    }
    if (out->publication_exists) {
        char *id = pgp_quote_ident(c, out->publication);
        snprintf(line, sizeof line, "DROP PUBLICATION %s;", id);
        free(id);
        add(&out->statements, &len, line);
    }
    return true;
}

void pgp_cleanup_print(const pgp_cleanup *c, FILE *f)
{
    if (c->clean) {
        fprintf(f, "clean: no slot %s and no publication %s on the source\n", c->slot,
                c->publication);
        return;
    }
    if (c->slot_exists && c->slot_active)
        fprintf(f, "slot %s is still there and in use by pid %d (%s%s%s%s%s%s%s)\n", c->slot,
                c->holder_pid, *c->holder_type ? c->holder_type : "session",
                *c->holder_application ? ", application " : "", c->holder_application,
                *c->holder_client_addr ? ", from " : "", c->holder_client_addr,
                *c->holder_user ? ", user " : "", c->holder_user);
    else if (c->slot_exists)
        fprintf(f, "slot %s is still there (inactive, database %s): it keeps WAL on the source\n",
                c->slot, c->slot_database);
    else
        fprintf(f, "slot %s is gone\n", c->slot);
    if (c->publication_exists)
        fprintf(f, "publication %s is still there (owner %s)\n", c->publication,
                c->publication_owner);
    else
        fprintf(f, "publication %s is gone\n", c->publication);
    fprintf(f, "to drop what is left, on the source%s%s:\n%s", *c->slot_database ? " database " : "",
            c->slot_database, c->statements);
}

void pgp_cleanup_free(pgp_cleanup *c)
{
    free(c->statements);
    c->statements = NULL;
}
