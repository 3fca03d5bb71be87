/* What migtop left on a server that no task owns any more: a replication
 * slot keeps WAL forever, a publication and an origin clutter. migtop
 * marks what it makes, so its own can be told from the KubeBlocks add-on's
 * (same names) and from another bastion host's: each publication gets
 * COMMENT ON PUBLICATION ... IS 'migtop task NAME in STATE_DIR on HOST',
 * and the task's slot is the publication's name without
 * "_publication_for_all_tables". CDC's origin on the sink is named
 * migtop_<slot>.
 *
 * An object is an orphan when its mark says this host and this state
 * directory (or a state directory that no longer exists on this host),
 * and no task of that name is there.
 *
 *   pgp_orphans o;
 *   pgp_orphans_find(src, PGP_SIDE_SOURCE, "bastion1", NULL, 0, &o, &err);
 *   pgp_orphans_find(sink, PGP_SIDE_SINK, "bastion1", known_slots, n, &o, &err);
 *   o.v[i].kind, .name, .task, .retained_bytes, .drop_sql
 *   pgp_orphans_free(&o); */
#ifndef MIGTOP_PGPROBE_ORPHANS_H
#define MIGTOP_PGPROBE_ORPHANS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/arena.h"
#include "pgprobe/conn.h"

#define PGP_MARK_PREFIX "migtop task "

typedef enum pgp_side { PGP_SIDE_SOURCE, PGP_SIDE_SINK } pgp_side;

typedef struct pgp_orphan {
    const char *kind;     /* "replication slot", "publication", "replication origin" */
    const char *name;
    const char *task;     /* the task it was made for */
    int64_t retained_bytes; /* a slot's WAL, -1 when not a slot or unknown */
    bool active;          /* a slot in use (by whom: holder) */
    const char *holder;
    const char *drop_sql; /* one or more statements */
} pgp_orphan;

typedef struct pgp_orphans {
    arena a;
    pgp_orphan *v;
    size_t n;
} pgp_orphans;

/* The mark a publication of task `name` gets (arena memory). */
const char *pgp_orphan_mark(arena *a, const char *task, const char *state_dir,
                            const char *host);

/* Orphans on one server. The source's marks are checked against the
 * task directories they name; on the sink, an origin is an orphan when no
 * task of this state directory has its slot (known: their slot names). */
bool pgp_orphans_find(PGconn *c, pgp_side side, const char *host, const char *const *known,
                      size_t n_known, pgp_orphans *out, pgp_error *err);
/* Runs o->drop_sql. */
bool pgp_orphan_drop(PGconn *c, const pgp_orphan *o, pgp_error *err);
void pgp_orphans_free(pgp_orphans *o);

#endif
