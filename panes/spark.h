/* Values over time, drawn in text: a sparkline (one row, eighth blocks)
 * and a small chart (a few rows, its scale labelled), both with an ASCII
 * fallback for terminals without UTF-8. A value < 0 is "no reading" and
 * draws as a gap. */
#ifndef MIGTOP_SPARK_H
#define MIGTOP_SPARK_H

#include "model/arena.h"
#include "panes/doc.h"

/* The largest value of v, at least floor_max. */
float spark_max(const float *v, int n, float floor_max);
/* One character per value, scaled to max (0 to the full block). */
const char *spark_line(arena *a, const float *v, int n, float max);
/* rows rows of bars, oldest left, the scale on the left ("12s", "0") and
 * the time under it ("-10m" ... "now"); label_w columns for the labels. */
void spark_chart(doc *d, const char *title, const float *v, int n, float max, const char *unit,
                 int rows, int span_s);

#endif
