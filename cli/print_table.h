/* kubectl/kbcli-style plain tables: a header row, columns left-aligned and
 * separated by three spaces, no trailing blanks. */
#ifndef MIGTOP_PRINT_TABLE_H
#define MIGTOP_PRINT_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct ptable {
    size_t ncols, nrows, cap;
    char **cells; /* nrows * ncols, malloc'd copies */
} ptable;

void ptable_init(ptable *t, size_t ncols);
/* Adds one row of ncols strings (NULL prints as ""). */
void ptable_row(ptable *t, const char *const *cells);
void ptable_print(const ptable *t, FILE *out);
void ptable_free(ptable *t);

#endif
