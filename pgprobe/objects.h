/* What --migration-object selects on a server: the tables (white list
 * minus black list, ordinary and partitioned, extension members left out)
 * and the named schemas or tables that do not exist there. Shared by the
 * precheck, the sequence plan and validation, so they all agree on one
 * reading of the objects. */
#ifndef MIGTOP_PGPROBE_OBJECTS_H
#define MIGTOP_PGPROBE_OBJECTS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/task.h"
#include "pgprobe/conn.h"

typedef struct pgp_table {
    char *schema, *name;
    char *qname;       /* "schema"."name" quoted for SQL */
    unsigned oid;
    char relkind;      /* 'r' ordinary, 'p' partitioned */
    int64_t reltuples; /* estimate, -1 if never analyzed */
    int64_t bytes;     /* pg_relation_size */
} pgp_table;

typedef struct pgp_tables {
    pgp_table *v;
    size_t n;
    char **missing;    /* "schema" or "schema.table" named but absent */
    size_t n_missing;
} pgp_tables;

/* Selected tables in schema, name order. Fails only on a query error:
 * absent names go to missing, and an empty selection is n == 0. */
bool pgp_tables_resolve(PGconn *c, const mt_objects *o, pgp_tables *out, pgp_error *err);
void pgp_tables_free(pgp_tables *t);
/* "{oid,oid,...}": a text array literal of the tables' oids, for
 * $1::oid[] parameters; malloc'd. */
char *pgp_tables_oid_array(const pgp_tables *t);
/* [["schema", "name"], ...]: the tables by name, for another server
 * (where the oids mean nothing); malloc'd. */
char *pgp_tables_names_json(const pgp_tables *t);

/* The rows a table (pg_class alias c) holds, as the statistics estimate
 * them: -1 when never analysed but not empty on disk, 0 when empty. */
#define PGP_SQL_ROWS_HELD                                                                    \
    "CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint"                                    \
    "     WHEN (SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree(c.oid) p) > 0" \
    "          OR (c.relkind = 'r' AND pg_relation_size(c.oid) > 0) THEN -1"                \
    "     ELSE 0 END"

#endif
