/* The local feed's look for what tasks gone left on their sources
 * (pgprobe/orphans.h), on a thread of its own so an unreachable server
 * never holds up the dashboard's data: once a minute, every source the
 * registry knows (engine/registry.h), passwords from ~/.pgpass or
 * PGPASSWORD only, three seconds to connect. Its findings go into every
 * snapshot as notices ("slot x of task gone t retains 1.2 GiB of WAL on
 * ...: migtop orphans --drop"). */
#ifndef MIGTOP_ENGINE_ORPHAN_SCAN_H
#define MIGTOP_ENGINE_ORPHAN_SCAN_H

#include "model/snapshot.h"

typedef struct orphan_scan orphan_scan;

/* changed (may be NULL) runs on the scan's thread when the findings
 * differ from the last ones. */
orphan_scan *orphan_scan_start(const char *state_dir, void (*changed)(void *ctx), void *ctx);
/* The last findings as the snapshot's notices. */
void orphan_scan_into(orphan_scan *o, mt_snapshot *s);
void orphan_scan_stop(orphan_scan *o);

#endif
