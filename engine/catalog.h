/* What the migration objects mean on the source: the tables they select
 * (with size estimates for progress and splitting), and every catalog
 * object init-struct must recreate for them: their types (enums, domains,
 * composites, arrays' elements, recursively), sequences, defaults,
 * constraints, indexes, triggers and the functions those use, the
 * extensions providing their types, and their schemas. */
#ifndef MIGTOP_ENGINE_CATALOG_H
#define MIGTOP_ENGINE_CATALOG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/task.h"

typedef struct engine_table {
    char *schema, *name;
    char *qname;        /* "schema"."name", quoted */
    unsigned oid;
    int64_t relpages, reltuples, bytes; /* estimates from pg_class */
} engine_table;

/* Resolves the white list minus the black list into ordinary tables,
 * largest first. An explicitly named table that does not exist fails. */
bool engine_resolve_tables(PGconn *src, const mt_objects *o, engine_table **out, size_t *n,
                           char *err, size_t errlen);
void engine_tables_free(engine_table *t, size_t n);

/* One object to keep from pg_dump's table of contents. */
typedef struct engine_dep {
    unsigned classid, objid;
    char *owned_seq; /* "schema name" of a sequence, for SEQUENCE OWNED BY */
} engine_dep;

bool engine_struct_deps(PGconn *src, const engine_table *t, size_t n, engine_dep **out,
                        size_t *nout, char *err, size_t errlen);
void engine_deps_free(engine_dep *d, size_t n);

#endif
