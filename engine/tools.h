/* Running PostgreSQL's client programs (pg_dump, pg_restore) as child
 * processes: which installation to use, its major version, and a run
 * helper that captures stdout/stderr into files for the step's log. */
#ifndef MIGTOP_ENGINE_TOOLS_H
#define MIGTOP_ENGINE_TOOLS_H

#include <stdbool.h>
#include <stddef.h>

/* Full path of a client program: $MIGTOP_PG_BINDIR, else the newest
 * /usr/lib/postgresql/N/bin that has it, else the bare name (PATH). */
void engine_tool_path(const char *prog, char *out, size_t outlen);
/* Major version of a client program ("pg_dump (PostgreSQL) 15.4" -> 15);
 * 0 with err when it cannot be run. */
int engine_tool_major(const char *path, char *err, size_t errlen);
/* Runs argv (argv[0] a path) with extra "K=V" environment entries
 * (NULL-terminated, may be NULL), stdout and stderr to the given files
 * (NULL: /dev/null). Returns the exit status, or -1 with err. The child
 * is killed when *stop becomes true (checked every 100 ms). */
int engine_tool_run(char *const argv[], const char *const *extra_env, const char *out_path,
                    const char *err_path, const _Atomic bool *stop, char *err,
                    size_t errlen);

#endif
