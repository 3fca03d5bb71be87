/* Sorting what is usually in order already: a snapshot made of parts kept
 * by name, a task list redrawn every second in the snapshot's order. */
#ifndef MIGTOP_ORDER_H
#define MIGTOP_ORDER_H

#include <stddef.h>

/* qsort(base, n, size, cmp), unless the elements are in order already:
 * then n - 1 compares and nothing moved. */
void mt_sort_unless_sorted(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *));

#endif
