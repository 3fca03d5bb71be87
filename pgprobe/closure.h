/* Everything a migration's structure is made of, on the source: the
 * chosen tables (and their partitions and partitioned parents) with what
 * hangs off them (indexes, constraints, defaults, triggers, rules,
 * policies, owned sequences, statistics); for a schema chosen whole every
 * object in it (views, materialized views, functions, procedures,
 * aggregates, types, domains, collations, operators, sequences, text
 * search objects, the extensions installed in it); and, followed through
 * pg_depend, what all those need elsewhere: types, functions and
 * collations of other schemas, and the extensions whose members they use
 * (a DEFAULT's uuid_generate_v4(), a CHECK's function, a column's type).
 * Tables are never pulled in that were not chosen: an object that needs
 * one (a view over it, a foreign key to it) is blocked, named with the
 * table, and so is what depends on it. Shared by init-struct (which keeps
 * exactly these entries of pg_dump's table of contents) and the precheck
 * (which checks the extensions on the sink). */
#ifndef MIGTOP_PGPROBE_CLOSURE_H
#define MIGTOP_PGPROBE_CLOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/arena.h"
#include "model/task.h"
#include "pgprobe/conn.h"

typedef struct pgp_obj {
    unsigned classid, objid;
    const char *kind;     /* "table", "partitioned table", "view", "function", "extension"... */
    const char *name;     /* its identity: "public.t", "public.f(integer)", "pg_trgm" */
    const char *toc_line; /* a TOC entry without catalog id it makes: "TABLE ATTACH s p1 owner" */
    const char *needed_by; /* an extension: the first object that needs it */
} pgp_obj;

typedef struct pgp_skipped {
    const char *kind, *name, *why;
} pgp_skipped;

typedef struct pgp_closure {
    arena a;
    pgp_obj *v;   /* sorted by (classid, objid) */
    size_t n;
    const char **toc_lines; /* every toc_line, sorted */
    size_t n_toc_lines;
    pgp_skipped *skipped;
    size_t n_skipped;
} pgp_closure;

/* tables: the chosen tables' oids; schemas: the schemas chosen whole. */
bool pgp_closure_build(PGconn *src, const unsigned *tables, size_t n_tables,
                       const char *const *schemas, size_t n_schemas, pgp_closure *out,
                       pgp_error *err);
void pgp_closure_free(pgp_closure *c);
/* The object (classid, objid), or NULL when it is not part of it. */
const pgp_obj *pgp_closure_find(const pgp_closure *c, unsigned classid, unsigned objid);
bool pgp_closure_has_line(const pgp_closure *c, const char *line);
/* The schemas an mt_objects chooses whole, for pgp_closure_build (the
 * strings are o's). */
size_t pgp_whole_schemas(const mt_objects *o, const char **out, size_t max);

#endif
