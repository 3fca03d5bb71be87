/* What the migration objects mean on the source: the tables whose rows
 * init-data copies (with size estimates for progress and splitting), and
 * where those rows go on the sink. What init-struct creates for them is
 * pgprobe/closure.h. */
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
    /* Where its rows go on the sink (engine_resolve_targets): the table of
     * the same name, or the sink's table of its partition root when the
     * sink has no such partition. */
    char *target;       /* quoted; NULL until resolved */
    bool target_partitioned; /* a partitioned table: no TRUNCATE ONLY, no FREEZE */
    bool target_shared;      /* other source tables go there too: no FREEZE */
    bool target_keep_rows;   /* its rows stay (--sink-tables append): no FREEZE */
} engine_table;

/* Resolves the white list minus the black list into ordinary tables,
 * largest first. An explicitly named table that does not exist fails. */
bool engine_resolve_tables(PGconn *src, const mt_objects *o, engine_table **out, size_t *n,
                           char *err, size_t errlen);
void engine_tables_free(engine_table *t, size_t n);
/* Its rows alone fill its sink table (not partitioned, not shared with
 * other source tables, no rows kept there): the copy may truncate and
 * FREEZE it, its indexes may be built as soon as its copy ends. */
bool engine_table_fills_target(const engine_table *t);

/* Each table's target on the sink (see engine_table). A table that has
 * none (neither itself nor its partition root exists on the sink) fails,
 * naming it. */
bool engine_resolve_targets(PGconn *src, PGconn *sink, engine_table *t, size_t n, char *err,
                            size_t errlen);

#endif
