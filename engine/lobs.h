/* Large objects: when the migration's tables reference them (a column of
 * type oid or lo), init-data copies every large object of the source with
 * its oid, owner and contents, streamed in pieces (never whole in
 * memory), in oid ranges the copy workers take beside the tables. Logical
 * decoding does not carry large objects: what changes after init-data is
 * not streamed (the precheck, the task's status and the cutover's
 * validation say so). */
#ifndef MIGTOP_ENGINE_LOBS_H
#define MIGTOP_ENGINE_LOBS_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/catalog.h"

typedef struct lob_plan {
    int64_t count, bytes;  /* on the source, in the snapshot */
    unsigned *bounds;      /* parts: oids [bounds[i], bounds[i+1]) */
    int parts;
    char refs[512];        /* "public.images.data, ..." the columns that reference them */
} lob_plan;

/* Whether the tables reference large objects and, when they do, how many
 * there are and their parts (src is inside the snapshot). */
bool engine_lobs_plan(PGconn *src, const engine_table *t, size_t n, int max_parts,
                      lob_plan *out, char *err, size_t errlen);
void engine_lobs_plan_free(lob_plan *p);

/* Copies the large objects with oid in [from, to) (to 0: no end); *done
 * counts them and *bytes their size as it goes. */
bool engine_copy_lobs(PGconn *src, PGconn *sink, unsigned from, unsigned to,
                      _Atomic int64_t *done, _Atomic int64_t *bytes, const atomic_bool *stop,
                      char *err, size_t errlen);

/* Copies the large objects oids[0..n) again (the cutover's validation
 * found them changed or missing on the sink), each replaced whole, in a
 * snapshot of its own on the source. stop may be NULL. */
bool engine_copy_lob_list(PGconn *src, PGconn *sink, const unsigned *oids, size_t n,
                          _Atomic int64_t *done, _Atomic int64_t *bytes, const atomic_bool *stop,
                          char *err, size_t errlen);

/* The pseudo-table a large-object part is copied as (progress, messages). */
extern const engine_table engine_lobs_table;

#endif
