/* The precheck report: every condition a PostgreSQL-to-PostgreSQL
 * migration needs, checked on the real source and sink before anything is
 * written. Each check says what it found and, when it is not ok, the
 * exact fix (a statement, a postgresql.conf line or a pg_hba.conf line).
 *
 *   pgp_precheck_input in = {.source = &src, .sink = &sink, .objects = &objs,
 *                            .task_name = "t1", .cdc = true};
 *   pgp_report rep;
 *   pgp_precheck_run(&in, &rep);          // never fails: failures are checks
 *   pgp_report_print_text(&rep, stdout);  // or pgp_report_json(&rep)
 *   bool bad = rep.n_fail > 0;
 *   pgp_report_free(&rep);
 *
 * Check ids are stable ("source.wal_level", "sink.extensions", ...) so the
 * engine's log, the JSON output and the tests can refer to them. */
#ifndef MIGTOP_PGPROBE_PRECHECK_H
#define MIGTOP_PGPROBE_PRECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/arena.h"
#include "model/task.h"
#include "pgprobe/conn.h"

typedef enum pgp_status { PGP_CHECK_OK, PGP_CHECK_WARN, PGP_CHECK_FAIL } pgp_status;

typedef struct pgp_check {
    const char *id;    /* "source.wal_level" */
    const char *title; /* "source wal_level is logical" */
    pgp_status status;
    const char *found; /* what the server says, one or more lines */
    const char *fix;   /* "" when ok; else statements / config lines, one per line */
} pgp_check;

typedef struct pgp_report {
    arena a; /* owns every string */
    pgp_check *v;
    size_t n, cap;
    size_t n_ok, n_warn, n_fail;
    /* What was learnt on the way, for callers that go on to migrate. */
    int source_version, sink_version; /* server_version_num, 0 if unknown */
} pgp_report;

typedef struct pgp_precheck_input {
    const pgp_endpoint *source, *sink;
    const mt_objects *objects;
    const char *task_name; /* leftovers are checked only when given */
    bool cdc;              /* the task streams changes (slots, replica identity...) */
    const char *template_name; /* for template refusals; NULL: KubeBlocks 5.0 pg2pg */
    int timeout_s;             /* per connection; <= 0: 10 */
    /* Sink tables that already hold rows: "fail" (NULL: the default) fails
     * the check, "truncate" or "append" makes it a warning. */
    const char *sink_tables;
    /* The pg_dump init-struct will run (local engine), its major version:
     * checked against the source server's, which it must not be older
     * than. 0: no structure step, no check. */
    int dump_major;
    const char *dump_path;
    /* This host and the slot names of the local tasks: what migtop left
     * on either server that no task owns is named (pgprobe/orphans.h).
     * host NULL: not looked for. */
    const char *host;
    const char *const *known_slots;
    size_t n_known_slots;
} pgp_precheck_input;

void pgp_report_init(pgp_report *r);
void pgp_report_free(pgp_report *r);
/* Adds a check; found and fix are printf formats, fix may be NULL. */
pgp_check *pgp_report_add(pgp_report *r, const char *id, const char *title, pgp_status st,
                          const char *fix, const char *found_fmt, ...)
    __attribute__((format(printf, 6, 7)));
const pgp_check *pgp_report_find(const pgp_report *r, const char *id);
const char *pgp_status_name(pgp_status s); /* "ok", "warn", "fail" */

/* Runs every check; connection failures become failing checks. */
void pgp_precheck_run(const pgp_precheck_input *in, pgp_report *out);

/* Text for a terminal: one line per check, found and fix indented below.
 * color: ANSI colours for the status word. */
void pgp_report_print_text(const pgp_report *r, FILE *f, bool color);
/* {"ok":bool,"summary":{"ok":n,"warn":n,"fail":n},"checks":[{id,title,status,found,fix}]};
 * malloc'd, free(). */
char *pgp_report_json(const pgp_report *r);

#endif
