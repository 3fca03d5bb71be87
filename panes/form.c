#include "panes/form.h"

#include <stdio.h>
#include <string.h>

#include "model/flags.h"
#include "panes/doc.h"

/* Labels take this many columns (less on a narrow screen). */
#define LABEL_W 16

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return true;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && ((hay[i] | 0x20) == (needle[i] | 0x20) ||
                                   hay[i] == needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

bool form_item_visible(const form_field *f, int i)
{
    if (!f->filter[0])
        return true;
    const form_item *it = &f->items[i];
    if (contains_ci(it->label, f->filter))
        return true;
    if (it->depth > 0) { /* a table whose schema matches stays */
        for (int p = i - 1; p >= 0; p--)
            if (f->items[p].depth == 0)
                return contains_ci(f->items[p].label, f->filter);
        return false;
    }
    for (int c = i + 1; c < f->n_items && f->items[c].depth > 0; c++)
        if (contains_ci(f->items[c].label, f->filter))
            return true;
    return false;
}

/* Byte length of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* A text value in w columns with the cursor shown when focused: the part
 * before the cursor is cut from the left so the cursor stays in view. */
static void draw_value(WINDOW *win, int y, int x, int w, const form_field *f, bool focused)
{
    char masked[FORM_VALUE_MAX];
    const char *v = f->value;
    size_t cur = f->cursor;
    if (f->kind == F_PASSWORD) { /* one '*' per character, never the text */
        size_t m = 0, chars_before = 0;
        for (size_t i = 0; i < f->len && m + 1 < sizeof masked; i += char_len(f->value + i)) {
            if (i < f->cursor)
                chars_before++;
            masked[m++] = '*';
        }
        masked[m] = '\0';
        v = masked;
        cur = chars_before;
    } else if (f->secrets) { /* the text, but never a password inside it */
        snprintf(masked, sizeof masked, "%s", f->value);
        mt_mask_endpoint_secrets(masked);
        v = masked;
    }
    attr_t in = draw_role_attr(f->kind == F_PASSWORD ? P_PASSWORD : P_INPUT);
    draw_fill(win, y, x, w, in);
    if (!v[0] && !focused && f->hint) {
        draw_text(win, y, x, w, P_DIM, f->hint);
        return;
    }
    /* Skip characters from the left until the cursor fits. */
    size_t start = 0;
    char before[FORM_VALUE_MAX];
    for (;;) {
        size_t n = cur - start;
        memcpy(before, v + start, n);
        before[n] = '\0';
        if (draw_text_width(before) < w || start >= cur)
            break;
        start += char_len(v + start);
    }
    int used = draw_text_attr(win, y, x, w, in, before);
    if (!focused) {
        draw_text_attr(win, y, x + used, w - used, in, v + cur);
        return;
    }
    char at[8] = " ";
    size_t al = v[cur] ? char_len(v + cur) : 0;
    if (al) {
        memcpy(at, v + cur, al);
        at[al] = '\0';
    }
    int aw = draw_text_attr(win, y, x + used, w - used, in | A_REVERSE, at);
    if (al)
        draw_text_attr(win, y, x + used + aw, w - used - aw, in, v + cur + al);
}

static void draw_choice(WINDOW *win, int y, int x, int w, const form_field *f, bool focused)
{
    int used = 0;
    for (int i = 0; i < f->n_choices && used < w; i++) {
        char buf[160];
        bool sel = i == f->choice;
        snprintf(buf, sizeof buf, sel ? "[%s]" : " %s ", f->choices[i]);
        attr_t a = draw_role_attr(sel ? (focused ? P_SELECTED : P_HIGHLIGHT) : P_DIM);
        used += draw_text_attr(win, y, x + used, w - used, a, buf);
        used += draw_text(win, y, x + used, w - used, P_NORMAL, " ");
    }
}

/* The error under a field, wrapped over up to `rows` rows; returns the
 * rows used. */
static int draw_error(WINDOW *win, int y, int x, int w, int rows, const char *e)
{
    char buf[FORM_ERROR_MAX + 8];
    snprintf(buf, sizeof buf, "%s %s", draw_utf8() ? "\xe2\x9c\x97" : "!", e);
    arena tmp;
    arena_init(&tmp);
    doc d;
    doc_init(&d, &tmp);
    doc_wrap(&d, P_ERROR, "", buf, w);
    int n = d.n < rows ? d.n : rows;
    doc_draw(win, &d, y, x, n, w, 0, -1);
    arena_free(&tmp);
    return n;
}

/* Visible rows of a checklist, in order. */
static int visible_rows(const form_field *f, int *rows, int max)
{
    int n = 0;
    for (int i = 0; i < f->n_items && n < max; i++)
        if (form_item_visible(f, i))
            rows[n++] = i;
    return n;
}

static void draw_checklist(WINDOW *win, const form_field *f, bool focused, int y, int x, int h,
                           int w)
{
    int checked = 0, tables = 0;
    for (int i = 0; i < f->n_items; i++)
        if (f->items[i].depth > 0) {
            tables++;
            checked += f->items[i].checked;
        }
    char head[FORM_FILTER_MAX + 128];
    snprintf(head, sizeof head, "%s%s  %d of %d selected%s%s%s", focused ? "> " : "  ", f->label,
             checked, tables, f->filtering || f->filter[0] ? "  /" : "", f->filter,
             f->filtering ? "_" : "");
    draw_text(win, y, x, w, focused ? P_KEY : P_HEADER, head);
    if (f->error[0] && h > 1) {
        int used = draw_error(win, y + 1, x + 2, w - 2, 1, f->error);
        y += used;
        h -= used;
    }
    y++;
    h--;
    if (h <= 0)
        return;
    static int rows[4096];
    int n = visible_rows(f, rows, 4096);
    if (!n) {
        draw_text(win, y, x + 2, w - 2, P_DIM,
                  f->n_items ? "nothing matches the filter (Esc clears it)" : "(nothing to choose)");
        return;
    }
    int cur = 0;
    for (int i = 0; i < n; i++)
        if (rows[i] == f->item_cursor)
            cur = i;
    int top = cur >= h ? cur - h + 1 : 0;
    for (int r = 0; r < h && top + r < n; r++) {
        const form_item *it = &f->items[rows[top + r]];
        bool sel = focused && top + r == cur;
        char line[600];
        snprintf(line, sizeof line, "%*s[%c] %s", 2 + 4 * it->depth, "", it->checked ? 'x' : ' ',
                 it->label);
        attr_t a = sel ? draw_role_attr(P_SELECTED) : draw_role_attr(it->depth ? P_NORMAL : P_HEADER);
        draw_fill(win, y + r, x, w, sel ? a : A_NORMAL);
        int dw = it->detail ? draw_text_width(it->detail) : 0;
        int lw = w - (dw ? dw + 2 : 0);
        draw_text_attr(win, y + r, x, lw > 8 ? lw : w, a, line);
        if (dw && lw > 8)
            draw_text_attr(win, y + r, x + w - dw, dw, sel ? a : draw_role_attr(P_DIM), it->detail);
    }
}

/* Rows an error takes under a value of vw columns: one, or two when long. */
static int error_rows(const char *e, int vw)
{
    return !e[0] ? 0 : draw_text_width(e) + 2 > vw ? 2 : 1;
}

int form_height(const form *fm, int w)
{
    int rows = 0, vw = w - (w >= 60 ? LABEL_W : w / 4);
    for (int i = 0; i < fm->n; i++) {
        const form_field *f = &fm->fields[i];
        if (!f->hidden)
            rows += 1 + error_rows(f->error, vw);
    }
    return rows;
}

void form_draw(WINDOW *win, const form *fm, int y, int x, int h, int w)
{
    int lw = w >= 60 ? LABEL_W : w / 4;
    int row = y, end = y + h;
    const form_field *list = NULL;
    for (int i = 0; i < fm->n && row < end; i++) {
        const form_field *f = &fm->fields[i];
        bool focused = i == fm->focus;
        if (f->hidden)
            continue;
        if (f->kind == F_CHECKLIST) { /* drawn last, in the rows left */
            list = f;
            continue;
        }
        char label[96];
        snprintf(label, sizeof label, "%s%s", focused ? "> " : "  ", f->label);
        draw_text(win, row, x, lw - 1, focused ? P_KEY : P_NORMAL, label);
        int vx = x + lw, vw = w - lw;
        switch (f->kind) {
        case F_TEXT:
        case F_PASSWORD:
            draw_value(win, row, vx, vw, f, focused);
            break;
        case F_TOGGLE: {
            char buf[64];
            snprintf(buf, sizeof buf, "[%c]%s", f->on ? 'x' : ' ', f->locked ? " always on" : "");
            draw_text(win, row, vx, vw, focused ? P_SELECTED : (f->on ? P_OK : P_DIM), buf);
            break;
        }
        case F_CHOICE:
            draw_choice(win, row, vx, vw, f, focused);
            break;
        case F_CHECKLIST:
            break;
        }
        row++;
        if (f->error[0] && row < end)
            row += draw_error(win, row, vx, vw, end - row < 2 ? 1 : error_rows(f->error, vw),
                              f->error);
    }
    if (list && row < end)
        draw_checklist(win, list, list == &fm->fields[fm->focus], row, x, end - row, w);
}
