/* The task detail: kbcli describe's sections (Summary, Config, Template,
 * Initialization, CDC, CDC Metrics) plus the live lag and data age. */
#ifndef MIGTOP_DETAIL_H
#define MIGTOP_DETAIL_H

#include "model/describe.h"
#include "model/history.h"
#include "panes/doc.h"

typedef struct detail_opts {
    mt_time now;
    int64_t now_ms;      /* the same instant in ms, for the live lag */
    int64_t data_age_ms; /* now - the snapshot's time; <0 unknown */
    const char *pod_tz_name; /* e.g. "UTC", "UTC+8": the zone assumed */
    int lag_warn_s;
    const mt_hist *hist; /* the task's lag and rate over time (NULL: none) */
} detail_opts;

/* Emits the detail into `left`; when `right` is given (a wide terminal),
 * the initialization and CDC sections go there, side by side. */
void detail_build(doc *left, doc *right, const mt_describe *d, const detail_opts *o,
                  int width);

#endif
