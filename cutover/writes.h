/* Gate 3's enforcement on the source: the database read-only for new
 * sessions (ALTER DATABASE ... SET default_transaction_read_only), and the
 * chosen roles' sessions ended; the migration's own are never touched (the
 * walsender and every "migtop..." application). The undo runs in a
 * session that turns read-only off for itself first. Blocking: run it off
 * the UI thread. */
#ifndef MIGTOP_CUTOVER_WRITES_H
#define MIGTOP_CUTOVER_WRITES_H

#include <stdbool.h>
#include <stddef.h>

#include "pgprobe/conn.h"

/* on: read-only, and the sessions of roles ("{a,b}", may be "{}") ended,
 * *ended their number; off: the setting reset. False with err set. */
bool cut_readonly_set(const pgp_endpoint *src, bool on, const char *roles,
                      const volatile bool *cancel, int *ended, char *err, size_t errlen);

#endif
