/* A document: the lines a pane shows, each a run of styled segments. A
 * pane builds its document from the snapshot each frame (cheap: a few
 * hundred lines at most) and the generic scroller draws any part of it,
 * so scrolling, selection and clipping are written once for all panes. */
#ifndef MIGTOP_DOC_H
#define MIGTOP_DOC_H

#include <stdbool.h>

#include "model/arena.h"
#include "panes/draw.h"

typedef struct doc_seg {
    const char *text;
    pane_role role;
    int width; /* fixed column width (padded/clipped); 0 = natural */
    bool right; /* right-align inside width */
} doc_seg;

typedef struct doc_line {
    doc_seg *segs;
    int n, cap;
    bool selectable; /* the cursor can stop here */
    int ref;         /* what the line stands for (e.g. a task index); -1 none */
    bool progress;   /* draw a progress bar after the segments */
    double frac;
} doc_line;

typedef struct doc {
    arena *a;
    doc_line *lines;
    int n, cap;
} doc;

void doc_init(doc *d, arena *a);
doc_line *doc_add(doc *d);
/* Room for n lines, or n segments on line l, at once: a table of 1000
 * rows of 21 segments otherwise grows each line's array 8, 16, 32 (1.3 MB
 * where 0.5 MB is used). */
void doc_reserve_lines(doc *d, int n);
void doc_reserve_segs(doc *d, doc_line *l, int n);
void doc_blank(doc *d);
doc_seg *doc_put(doc *d, doc_line *l, pane_role r, const char *text);
doc_seg *doc_putf(doc *d, doc_line *l, pane_role r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A one-segment line. */
doc_line *doc_text(doc *d, pane_role r, const char *text);
/* Text wrapped at spaces to width columns, the first line prefixed by
 * `lead` (in the same role), continuation lines indented to match. */
void doc_wrap(doc *d, pane_role r, const char *lead, const char *text, int width);
/* A section title: "── Title ───────" across width. */
void doc_section(doc *d, const char *title, int width);

/* Draws lines [top, top+h) at (y, x) in w columns; the line at `cursor`
 * (or none if -1) is drawn selected. */
void doc_draw(WINDOW *win, const doc *d, int y, int x, int h, int w, int top, int cursor);
/* Index of the next selectable line from `from` in direction dir (+1/-1),
 * or `from` if there is none. */
int doc_next_selectable(const doc *d, int from, int dir);

#endif
