/* CDC position lines in step logs. The add-on's CDC log has lines with the
 * word `current_position` (the guide greps for it) whose exact layout is
 * not published, and the local engine writes lines in the same spirit; so
 * LSNs and timestamps are recognised by form anywhere on such a line. */
#ifndef MIGTOP_LOGPOS_H
#define MIGTOP_LOGPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/fmt.h"

typedef struct mt_logpos {
    uint64_t lsn;
    bool has_lsn;
    mt_time ts; /* the source timestamp, or the line's own time */
    bool has_ts, ts_had_zone;
} mt_logpos;

/* True when the line is a position line (contains current_position). */
bool mt_log_is_position(const char *line, size_t len);
/* Parses a position line: the first LSN on it, and the timestamp that
 * follows a "timestamp" word if there is one, else the last timestamp on
 * the line. tz: the zone assumed for a timestamp without one. */
bool mt_log_position(const char *line, size_t len, long tz, mt_logpos *out);

#endif
