#include "model/order.h"

#include <stdlib.h>

void mt_sort_unless_sorted(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *))
{
    size_t i = 1;
    while (i < n && cmp((char *)base + (i - 1) * size, (char *)base + i * size) <= 0)
        i++;
    if (i < n)
        qsort(base, n, size, cmp);
}
