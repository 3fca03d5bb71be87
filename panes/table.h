/* Tables as kbcli and kubectl print them, fitted to the terminal: each
 * column takes its natural width; when the terminal is narrow the least
 * important columns are dropped first, then flexible ones shrink (their
 * cells end in an ellipsis); a wide terminal gives room back to them. */
#ifndef MIGTOP_TABLE_H
#define MIGTOP_TABLE_H

#include "panes/doc.h"

typedef struct table_col {
    const char *header;
    int min;      /* never narrower (when shown) */
    int priority; /* 0 = always shown; larger = dropped earlier */
    bool flex;    /* may shrink to min and takes spare width */
    bool right;
} table_col;

typedef struct table {
    const table_col *cols;
    int ncols, nrows;
    const char **cells; /* nrows * ncols */
    pane_role *roles;   /* nrows * ncols */
    int *refs;          /* per row: doc_line.ref; selectable when >= 0 */
    int width[16];
    bool shown[16];
    int cap;
    doc *d;
} table;

void table_init(table *t, doc *d, const table_col *cols, int ncols, int max_rows);
/* Adds a row; returns its index. Cells default to "" and role P_NORMAL. */
int table_row(table *t, int ref);
void table_cell(table *t, int row, int col, pane_role r, const char *text);
/* Fits the columns to `width` and emits the header and rows into the doc. */
void table_emit(table *t, int width, bool header);

#endif
