/* Copy progress of a task's data initialization, per table and overall,
 * as the local engine writes it beside the CR status (status.tables[] and
 * status.progress). Add-on tasks have none: n_tables is 0, has_overall
 * false. Every figure is an estimate against the source's statistics;
 * fields the status lacks read as -1 ("unknown"), never as 0. */
#ifndef MIGTOP_PROGRESS_H
#define MIGTOP_PROGRESS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/arena.h"

typedef struct mt_table_progress {
    const char *schema, *name;
    const char *status;        /* Waiting, Copying, Complete, Failed */
    double rows, bytes;        /* copied so far (bytes of the COPY stream) */
    double est_rows, est_bytes;
    double percent;            /* 0..100 */
    double bytes_per_s, rows_per_s;
    double eta_s;              /* -1: unknown */
    int parts, parts_done;
} mt_table_progress;

typedef struct mt_progress {
    mt_table_progress *tables;
    size_t n_tables;
    bool has_overall;
    double percent, rows, bytes, bytes_per_s, eta_s;
    int tables_done, tables_total;
} mt_progress;

/* Reads status.tables and status.progress (status may be NULL). Lenient:
 * an entry of the wrong shape is skipped, a missing figure is -1, so a
 * newer or older engine never makes the task unreadable. */
void mt_progress_parse(arena *a, const cJSON *status, mt_progress *out);

/* The fraction 0..1 a progress bar shows for a table. */
double mt_table_fraction(const mt_table_progress *t);

#endif
