/* The parallel copy of init-data: workers that each hold a source
 * connection inside a REPEATABLE READ transaction on the exported
 * snapshot and a sink connection, and stream COPY TO STDOUT into COPY
 * FROM STDIN one row buffer at a time (PQgetCopyData -> PQputCopyData),
 * so no table is ever held in memory. Large tables are cut into ctid
 * (block) ranges that several workers copy at once; a table copied in
 * one part is truncated and filled in one sink transaction with COPY
 * FREEZE. Tables of built-in types travel in COPY's binary format, which
 * spares both servers the text conversion. */
#ifndef MIGTOP_ENGINE_COPY_H
#define MIGTOP_ENGINE_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run_state.h"

typedef struct copy_chunk {
    const engine_table *table;
    engine_table_progress *prog;
    const char *cols; /* "a", "b": the columns both sides copy, in order */
    long lo, hi;      /* block range [lo, hi); hi < 0: to the end; lo < 0: whole table */
    int part, parts;
    bool binary;      /* COPY in binary format (built-in types, same major version) */
    bool freeze;      /* the only part of its table: TRUNCATE + COPY FREEZE in one
                       * sink transaction */
    bool lobs;        /* large objects with oids in [lo, hi) (hi 0: no end), lobs.h */
} copy_chunk;

/* Called on a worker's thread when every part of a table is in;
 * copy_ending: its last chunk was the copy's last to end. */
typedef struct copy_hook {
    void (*table_done)(void *ctx, const engine_table *t, bool copy_ending);
    void *ctx;
} copy_hook;

/* Copies every chunk with `jobs` workers on the snapshot r->snapshot.
 * On failure err names the table, the part and how far it got. */
bool engine_copy_chunks(engine_runner *r, copy_chunk *chunks, size_t n, int jobs,
                        copy_hook hook, char *err, size_t errlen);

#endif
