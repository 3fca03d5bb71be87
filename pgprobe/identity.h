/* Tables whose UPDATE and DELETE logical replication cannot carry: no
 * primary key with the default replica identity, or REPLICA IDENTITY
 * NOTHING. Worse, once such a table is in a publication the source itself
 * refuses its UPDATEs and DELETEs ("cannot update table ... because it
 * does not have a replica identity and publishes updates"): the
 * precheck fails on them, and no task publishes one. */
#ifndef MIGTOP_PGPROBE_IDENTITY_H
#define MIGTOP_PGPROBE_IDENTITY_H

#include <stddef.h>

#include "model/strbuf.h"
#include "pgprobe/conn.h"

/* Among the tables oids ("{oid,...}"): found gets a line per table
 * ("public.t: no primary key"), fix its statement (a unique index on NOT
 * NULL columns as the identity, else a primary key or FULL), at most max
 * lines each ("... and N more" after). Returns their number; -1 with err
 * on a query failure. */
int pgp_missing_identity(PGconn *c, const char *oids, size_t max, strbuf *found, strbuf *fix,
                         pgp_error *err);

#endif
