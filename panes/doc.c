#include "panes/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void doc_init(doc *d, arena *a)
{
    memset(d, 0, sizeof *d);
    d->a = a;
}

/* An array of used elements of size el moved into a new one of room n
 * in the arena (arena memory is never freed one piece at a time). */
static void *grown(arena *a, const void *old, int used, int n, size_t el)
{
    void *p = arena_alloc(a, (size_t)n * el);
    if (used)
        memcpy(p, old, (size_t)used * el);
    return p;
}

void doc_reserve_lines(doc *d, int n)
{
    if (n <= d->cap)
        return;
    d->lines = grown(d->a, d->lines, d->n, n, sizeof *d->lines);
    d->cap = n;
}

void doc_reserve_segs(doc *d, doc_line *l, int n)
{
    if (n <= l->cap)
        return;
    l->segs = grown(d->a, l->segs, l->n, n, sizeof *l->segs);
    l->cap = n;
}

doc_line *doc_add(doc *d)
{
    if (d->n == d->cap)
        doc_reserve_lines(d, d->cap ? d->cap * 2 : 64);
    doc_line *l = &d->lines[d->n++];
    memset(l, 0, sizeof *l);
    l->ref = -1;
    return l;
}

void doc_blank(doc *d) { doc_add(d); }

doc_seg *doc_put(doc *d, doc_line *l, pane_role r, const char *text)
{
    if (l->n == l->cap)
        doc_reserve_segs(d, l, l->cap ? l->cap * 2 : 8);
    doc_seg *s = &l->segs[l->n++];
    memset(s, 0, sizeof *s);
    s->text = text ? text : "";
    s->role = r;
    return s;
}

doc_seg *doc_putf(doc *d, doc_line *l, pane_role r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return doc_put(d, l, r, arena_strdup(d->a, buf));
}

doc_line *doc_text(doc *d, pane_role r, const char *text)
{
    doc_line *l = doc_add(d);
    doc_put(d, l, r, text);
    return l;
}

void doc_wrap(doc *d, pane_role r, const char *lead, const char *text, int width)
{
    int indent = draw_text_width(lead);
    int room = width - indent;
    if (room < 10)
        room = 10;
    const char *p = text ? text : "";
    bool first = true;
    do {
        /* Take as many bytes as fit; break at the last space if any. */
        size_t cut = 0, last_space = 0, i = 0;
        int cols = 0;
        while (p[i]) {
            size_t n = 1;
            while (((unsigned char)p[i + n] & 0xC0) == 0x80)
                n++;
            char one[8] = {0};
            memcpy(one, p + i, n < 7 ? n : 7);
            int w = draw_text_width(one);
            if (cols + w > room)
                break;
            cols += w;
            i += n;
            if (p[i] == ' ')
                last_space = i;
            cut = i;
        }
        if (p[cut] && last_space > 0)
            cut = last_space;
        if (cut == 0 && *p)
            cut = 1;
        doc_line *l = doc_add(d);
        doc_put(d, l, r, first ? lead : arena_printf(d->a, "%*s", indent, ""));
        doc_put(d, l, r, arena_strndup(d->a, p, cut));
        p += cut;
        while (*p == ' ')
            p++;
        first = false;
    } while (*p);
}

void doc_section(doc *d, const char *title, int width)
{
    doc_line *l = doc_add(d);
    doc_seg *s = doc_put(d, l, P_HEADER, arena_printf(d->a, " %s ", title));
    (void)s;
    int rest = width - draw_text_width(title) - 4;
    if (rest > 0) {
        /* The rule is drawn with draw_hline; mark it with a NULL-text seg. */
        doc_seg *rule = doc_put(d, l, P_BORDER, NULL);
        rule->text = NULL;
        rule->width = rest;
    }
}

static void draw_line(WINDOW *win, const doc_line *l, int y, int x, int w, bool selected)
{
    attr_t sel = selected ? draw_role_attr(P_SELECTED) : 0;
    if (selected)
        draw_fill(win, y, x, w, sel);
    int col = 0;
    for (int i = 0; i < l->n && col < w; i++) {
        const doc_seg *s = &l->segs[i];
        int room = w - col;
        attr_t a = selected ? sel : draw_role_attr(s->role);
        if (!s->text) { /* a section rule */
            int rw = s->width < room ? s->width : room;
            if (!selected)
                draw_hline(win, y, x + col, rw, s->role);
            col += rw;
            continue;
        }
        if (s->width > 0) {
            int cw = s->width < room ? s->width : room;
            int tw = draw_text_width(s->text);
            int pad = s->right && tw < cw ? cw - tw : 0;
            draw_text_attr(win, y, x + col + pad, cw - pad, a, s->text);
            col += cw;
        } else {
            col += draw_text_attr(win, y, x + col, room, a, s->text);
        }
    }
    if (l->progress && col + 3 < w) {
        int bw = w - col - 1;
        if (bw > 40)
            bw = 40;
        draw_progress(win, y, x + col + 1, bw, l->frac);
    }
}

void doc_draw(WINDOW *win, const doc *d, int y, int x, int h, int w, int top, int cursor)
{
    for (int i = 0; i < h; i++) {
        int li = top + i;
        if (li >= 0 && li < d->n)
            draw_line(win, &d->lines[li], y + i, x, w, li == cursor);
    }
}

int doc_next_selectable(const doc *d, int from, int dir)
{
    for (int i = from + dir; i >= 0 && i < d->n; i += dir)
        if (d->lines[i].selectable)
            return i;
    return from;
}
