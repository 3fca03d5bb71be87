/* What the validation gate (6) can mend on the sink before the switch:
 * large objects that changed on the source after init-data (logical
 * decoding does not carry them) copied again, and the materialized views
 * of the migrated schemas refreshed so they hold the rows CDC brought.
 * Both block their thread; the cutover wizard runs them as jobs. */
#ifndef MIGTOP_CUTOVER_REPAIR_H
#define MIGTOP_CUTOVER_REPAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "model/task.h"
#include "pgprobe/conn.h"
#include "pgprobe/lobs.h"

/* The oids a validation found changed or missing on the sink (malloc'd,
 * free()); NULL with *n 0 when there are none. */
unsigned *cut_lobs_to_copy(const pgp_lob_report *r, size_t *n);

/* Copies oids[0..n) from the source to the sink again, each replaced
 * whole; *copied counts them. Stops between objects when *cancel. */
bool cut_lobs_copy(const pgp_endpoint *src, const pgp_endpoint *sink, const unsigned *oids,
                   size_t n, const volatile bool *cancel, size_t *copied, char *err,
                   size_t errlen);

/* REFRESH MATERIALIZED VIEW of every materialized view on the sink in the
 * schemas the task migrates whole; *refreshed counts them. */
bool cut_matviews_refresh(const pgp_endpoint *sink, const mt_objects *o,
                          const volatile bool *cancel, size_t *refreshed, char *err,
                          size_t errlen);

#endif
