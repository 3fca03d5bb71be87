/* One live-readings tick as the dashboard runs it: the slot reading and
 * the write-activity reading in a single round trip (libpq pipeline mode,
 * prepared statements), so a tick costs about one network round trip and
 * two cheap executions on the source.
 *
 *   pgp_live_read(&slot_probe, &activity_probe, conn, &slot, &activity, &err);
 *
 * The activity probe's exclude_pid is set from the slot's active_pid of
 * the previous tick (the walsender is the migration's own).
 *
 * A server that stops answering (a hung backend, a dead link) cannot hold
 * the caller: after sp->timeout_ms (default 5 s) the reading fails with
 * PGP_ERR_TIMEOUT, and the caller closes the connection and opens a new one. */
#ifndef MIGTOP_PGPROBE_LIVE_H
#define MIGTOP_PGPROBE_LIVE_H

#include "pgprobe/activity.h"
#include "pgprobe/slot.h"

bool pgp_live_read(pgp_slot_probe *sp, pgp_activity_probe *ap, PGconn *c,
                   pgp_slot_reading *slot, pgp_activity_reading *activity, pgp_error *err);

#endif
