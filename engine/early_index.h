/* A table's index builds started as soon as its copy ends, while other
 * tables still copy: post-data's indexes and index-backed constraints
 * (primary keys, unique, exclusion) of each table big enough to be worth
 * it, one entry at a time, by pg_restore of just that entry on a thread
 * of its own (one job, beside the copy's workers). When the copy ends
 * no new entry starts here; post-data builds the rest with all its jobs,
 * beside the one under way, and waits for it before the constraints
 * that need the indexes (foreign keys). The table whose copy is the
 * copy's last starts nothing here: post-data builds it at once.
 *
 * Only plain tables that go into a sink table of their own (not a
 * partition, not a partitioned target, not shared with other source
 * tables, not kept rows): their entries do not depend on other tables'
 * rows. A run again (after a crash) builds everything in post-data: an
 * index that exists already is kept (restore.h). */
#ifndef MIGTOP_ENGINE_EARLY_INDEX_H
#define MIGTOP_ENGINE_EARLY_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/catalog.h"
#include "engine/run_state.h"

typedef struct early_index early_index;

/* Reads list_name (the schema dump's chosen entries, in the task
 * directory) and the source's catalog through src; NULL when no entry can
 * start early (none is a plain table's, or the catalog cannot be read:
 * then post-data builds them all, as before). */
early_index *early_index_start(engine_runner *r, PGconn *src, const char *list_name);
/* Called by the copy's workers when every part of t is in (copy.h). */
void early_index_table_done(void *early, const engine_table *t, bool copy_ending);
/* The copy ended: no new entry starts here. */
void early_index_close(early_index *e);
/* Whether post-data leaves the entry with this dump id to the early
 * builds (built or under way). After early_index_close. */
bool early_index_took(early_index *e, unsigned dump_id);
/* Waits for the entry under way, frees e; false with its error. */
bool early_index_finish(early_index *e, char *err, size_t errlen);

#endif
