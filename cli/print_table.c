#include "cli/print_table.h"

#include <stdlib.h>
#include <string.h>

void ptable_init(ptable *t, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
}

void ptable_row(ptable *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
        if (!t->cells)
            abort();
    }
    for (size_t c = 0; c < t->ncols; c++) {
        char *s = strdup(cells[c] ? cells[c] : "");
        if (!s)
            abort();
        t->cells[t->nrows * t->ncols + c] = s;
    }
    t->nrows++;
}

/* Display width of UTF-8 text: one column per code point (names and
 * statuses are ASCII; this only keeps odd input from breaking columns). */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

void ptable_print(const ptable *t, FILE *out)
{
    size_t *w = calloc(t->ncols, sizeof *w);
    if (!w)
        abort();
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->ncols; c++) {
            size_t cw = width(t->cells[r * t->ncols + c]);
            if (cw > w[c])
                w[c] = cw;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        /* Trailing empty cells print nothing, so no line ends in blanks. */
        size_t last = t->ncols;
        while (last > 0 && !t->cells[r * t->ncols + last - 1][0])
            last--;
        for (size_t c = 0; c < last; c++) {
            const char *s = t->cells[r * t->ncols + c];
            fputs(s, out);
            if (c + 1 < last)
                fprintf(out, "%*s", (int)(w[c] - width(s) + 3), "");
        }
        fputc('\n', out);
    }
    free(w);
}

void ptable_free(ptable *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
