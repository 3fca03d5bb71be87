/* init-struct's account of itself: the closure of what the migration
 * objects need (pgprobe/closure.h) built for the task, and, once its
 * entries of the dump are chosen, a summary by kind ("22 tables (2
 * partitioned), 7 views, 1 materialized view, 11 functions ...") with
 * every object it does not migrate named with why, in its log and in the
 * task's status, so nothing is left out without a word. */
#ifndef MIGTOP_ENGINE_STRUCT_REPORT_H
#define MIGTOP_ENGINE_STRUCT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run_state.h"
#include "pgprobe/closure.h"

#define STRUCT_KINDS 40

typedef struct struct_tally {
    const char *kind[STRUCT_KINDS];
    int count[STRUCT_KINDS];
    int n;
} struct_tally;

void struct_tally_add(struct_tally *t, const char *kind);
/* The closure for the task's tables and the schemas it chooses whole. */
bool struct_closure(engine_runner *r, PGconn *src, pgp_closure *out, char *err, size_t errlen);
/* The summary and the skipped objects into the log and the status. */
void struct_report(engine_runner *r, const pgp_closure *c, const struct_tally *t, long kept);

#endif
