#include "panes/table.h"

#include <string.h>

#define GAP 2

void table_init(table *t, doc *d, const table_col *cols, int ncols, int max_rows)
{
    memset(t, 0, sizeof *t);
    t->d = d;
    t->cols = cols;
    t->ncols = ncols > 16 ? 16 : ncols;
    t->cap = max_rows > 0 ? max_rows : 1;
    t->cells = arena_alloc(d->a, (size_t)t->cap * (size_t)t->ncols * sizeof *t->cells);
    t->roles = arena_alloc(d->a, (size_t)t->cap * (size_t)t->ncols * sizeof *t->roles);
    t->refs = arena_alloc(d->a, (size_t)t->cap * sizeof *t->refs);
}

int table_row(table *t, int ref)
{
    if (t->nrows == t->cap)
        return t->nrows - 1; /* caller sized it; never overflow */
    int r = t->nrows++;
    for (int c = 0; c < t->ncols; c++) {
        t->cells[r * t->ncols + c] = "";
        t->roles[r * t->ncols + c] = P_NORMAL;
    }
    t->refs[r] = ref;
    return r;
}

void table_cell(table *t, int row, int col, pane_role r, const char *text)
{
    if (row < 0 || row >= t->nrows || col < 0 || col >= t->ncols)
        return;
    t->cells[row * t->ncols + col] = text ? text : "";
    t->roles[row * t->ncols + col] = r;
}

static int total_width(const table *t)
{
    int sum = 0, n = 0;
    for (int c = 0; c < t->ncols; c++)
        if (t->shown[c]) {
            sum += t->width[c];
            n++;
        }
    return sum + (n > 1 ? (n - 1) * GAP : 0);
}

static void fit(table *t, int width)
{
    for (int c = 0; c < t->ncols; c++) {
        int w = draw_text_width(t->cols[c].header);
        for (int r = 0; r < t->nrows; r++) {
            int cw = draw_text_width(t->cells[r * t->ncols + c]);
            if (cw > w)
                w = cw;
        }
        t->width[c] = w;
        t->shown[c] = true;
    }
    /* Drop the least important columns while the natural widths do not
     * fit: a name shown whole beats an extra column shown cut. */
    while (total_width(t) > width) {
        int drop = -1;
        for (int c = 0; c < t->ncols; c++)
            if (t->shown[c] && t->cols[c].priority > 0 &&
                (drop < 0 || t->cols[c].priority > t->cols[drop].priority))
                drop = c;
        if (drop < 0)
            break; /* only essential columns left: shrink and clip */
        t->shown[drop] = false;
    }
    /* Shrink flexible columns, widest first, until the table fits. */
    while (total_width(t) > width) {
        int widest = -1;
        for (int c = 0; c < t->ncols; c++)
            if (t->shown[c] && t->cols[c].flex && t->width[c] > t->cols[c].min &&
                (widest < 0 || t->width[c] > t->width[widest]))
                widest = c;
        if (widest < 0)
            break;
        t->width[widest]--;
    }
}

void table_emit(table *t, int width, bool header)
{
    fit(t, width);
    /* Find the last shown column: it is not padded, so a clipped table
     * still uses every column of a narrow terminal. */
    int last = -1, shown = 0;
    for (int c = 0; c < t->ncols; c++)
        if (t->shown[c]) {
            last = c;
            shown++;
        }
    int segs = shown ? 2 * shown - 1 : 1; /* each cell but the last, and its gap */
    doc_reserve_lines(t->d, t->d->n + t->nrows + (header ? 1 : 0));
    if (header) {
        doc_line *l = doc_add(t->d);
        doc_reserve_segs(t->d, l, segs);
        for (int c = 0; c < t->ncols; c++) {
            if (!t->shown[c])
                continue;
            doc_seg *s = doc_put(t->d, l, P_HEADER, t->cols[c].header);
            s->width = c == last ? 0 : t->width[c] + GAP;
        }
    }
    for (int r = 0; r < t->nrows; r++) {
        doc_line *l = doc_add(t->d);
        doc_reserve_segs(t->d, l, segs);
        l->ref = t->refs[r];
        l->selectable = t->refs[r] >= 0;
        for (int c = 0; c < t->ncols; c++) {
            if (!t->shown[c])
                continue;
            doc_seg *s = doc_put(t->d, l, t->roles[r * t->ncols + c], t->cells[r * t->ncols + c]);
            if (c != last) {
                s->width = t->width[c];
                s->right = t->cols[c].right;
                doc_seg *gap = doc_put(t->d, l, P_NORMAL, "");
                gap->width = GAP;
            } else if (t->cols[c].right) {
                s->width = t->width[c];
                s->right = true;
            }
        }
    }
}
