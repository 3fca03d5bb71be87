/* After a terminate: are the task's slot and publication gone from the
 * source? If not, who holds them, and the statements that drop them.
 * A slot left behind keeps WAL forever and can fill the source's disk.
 *
 *   pgp_cleanup c;
 *   pgp_cleanup_check(conn, "my-task", &c, &err);
 *   if (!c.clean) { pgp_cleanup_print(&c, stdout); }   // c.statements to run
 *   pgp_cleanup_free(&c);
 */
#ifndef MIGTOP_PGPROBE_CLEANUP_H
#define MIGTOP_PGPROBE_CLEANUP_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "pgprobe/conn.h"

typedef struct pgp_cleanup {
    char slot[128], publication[192];
    bool slot_exists, slot_active;
    char slot_database[128];
    /* the session holding an active slot */
    int holder_pid;
    char holder_application[64], holder_client_addr[64], holder_user[64], holder_type[32];
    bool publication_exists;
    char publication_owner[64];
    bool clean;         /* neither is left */
    char *statements;   /* malloc'd, one statement a line, "" when clean */
} pgp_cleanup;

/* Connected to the task's source database (publications live per database). */
bool pgp_cleanup_check(PGconn *c, const char *task_name, pgp_cleanup *out, pgp_error *err);
void pgp_cleanup_print(const pgp_cleanup *c, FILE *f);
void pgp_cleanup_free(pgp_cleanup *c);

#endif
