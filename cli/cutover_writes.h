/* `migtop cutover NAME --pause-writes` and `--resume-writes`: gate 3's
 * pause (cutover/writes.h) for runbooks and a second engineer. Each prints
 * what it did and returns the exit code. */
#ifndef MIGTOP_CLI_CUTOVER_WRITES_H
#define MIGTOP_CLI_CUTOVER_WRITES_H

#include <stdbool.h>

#include "cli/args.h"
#include "pgprobe/conn.h"

/* Lists the sessions that can write, pauses, then watches the source's
 * writes for up to timeout_s: 0 once they stopped, 1 if they did not. */
int cutover_pause_writes(cli *c, const char *task, const pgp_endpoint *src, const char *dir,
                         int timeout_s);
/* Puts back the database's own setting; after a switch only with
 * after_switch (it says what writing there again means). */
int cutover_resume_writes(cli *c, const char *task, const pgp_endpoint *src, const char *dir,
                          bool after_switch);

#endif
