#include "wizards/form.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

void form_init(form *fm, form_field *fields, int n, void *ctx)
{
    fm->fields = fields;
    fm->n = n;
    fm->ctx = ctx;
    fm->focus = 0;
    for (int i = 0; i < n; i++) {
        fields[i].len = strlen(fields[i].value);
        fields[i].cursor = fields[i].len;
        if (fields[i].kind == F_CHECKLIST && !fields[i].n_items)
            fields[i].item_cursor = -1;
    }
    if (n && fields[0].hidden)
        form_focus_move(fm, 1);
}

form_field *form_get(form *fm, const char *key)
{
    for (int i = 0; i < fm->n; i++)
        if (fm->fields[i].key && !strcmp(fm->fields[i].key, key))
            return &fm->fields[i];
    return NULL;
}

const char *form_value(form *fm, const char *key)
{
    form_field *f = form_get(fm, key);
    return f ? f->value : "";
}

bool form_check_field(form *fm, form_field *f)
{
    f->error[0] = '\0';
    if (f->hidden || !f->validate)
        return true;
    if (f->validate(f, fm->ctx, f->error, sizeof f->error))
        return true;
    if (!f->error[0])
        snprintf(f->error, sizeof f->error, "%s is not valid", f->label);
    return false;
}

bool form_check(form *fm)
{
    int first_bad = -1;
    for (int i = 0; i < fm->n; i++)
        if (!form_check_field(fm, &fm->fields[i]) && first_bad < 0)
            first_bad = i;
    if (first_bad >= 0)
        fm->focus = first_bad;
    return first_bad < 0;
}

void form_focus_move(form *fm, int dir)
{
    for (int step = 1; step <= fm->n; step++) {
        int i = ((fm->focus + dir * step) % fm->n + fm->n) % fm->n;
        if (!fm->fields[i].hidden) {
            fm->focus = i;
            return;
        }
    }
}

void form_set_text(form *fm, form_field *f, const char *s)
{
    snprintf(f->value, sizeof f->value, "%s", s ? s : "");
    f->len = f->cursor = strlen(f->value);
    form_check_field(fm, f);
}

/* --- text editing --------------------------------------------------- */

static bool is_cont(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

static size_t prev_char(const form_field *f, size_t at)
{
    if (!at)
        return 0;
    do
        at--;
    while (at && is_cont(f->value[at]));
    return at;
}

static size_t next_char(const form_field *f, size_t at)
{
    if (at >= f->len)
        return f->len;
    do
        at++;
    while (at < f->len && is_cont(f->value[at]));
    return at;
}

static void cut(form_field *f, size_t from, size_t to)
{
    memmove(f->value + from, f->value + to, f->len - to + 1);
    f->len -= to - from;
    f->cursor = from;
    /* What was cut of a password does not linger past the new end. */
    memset(f->value + f->len, 0, sizeof f->value - f->len);
}

static bool edit_text(form_field *f, int ch)
{
    switch (ch) {
    case KEY_LEFT: f->cursor = prev_char(f, f->cursor); return true;
    case KEY_RIGHT: f->cursor = next_char(f, f->cursor); return true;
    case KEY_HOME: case CTRL('a'): f->cursor = 0; return true;
    case KEY_END: case CTRL('e'): f->cursor = f->len; return true;
    case KEY_BACKSPACE: case 127: case 8:
        if (f->cursor)
            cut(f, prev_char(f, f->cursor), f->cursor);
        return true;
    case KEY_DC: case CTRL('d'):
        if (f->cursor < f->len)
            cut(f, f->cursor, next_char(f, f->cursor));
        return true;
    case CTRL('u'): cut(f, 0, f->cursor); return true;
    case CTRL('k'): cut(f, f->cursor, f->len); return true;
    case CTRL('w'): {
        size_t at = f->cursor;
        while (at && f->value[at - 1] == ' ')
            at--;
        while (at && f->value[at - 1] != ' ')
            at--;
        cut(f, at, f->cursor);
        return true;
    }
    default:
        break;
    }
    /* Printable bytes, UTF-8 sequences arrive one byte at a time. */
    if (ch >= 32 && ch < 256 && ch != 127) {
        if (f->len + 1 >= sizeof f->value)
            return true;
        memmove(f->value + f->cursor + 1, f->value + f->cursor, f->len - f->cursor + 1);
        f->value[f->cursor++] = (char)ch;
        f->len++;
        return true;
    }
    return false;
}

/* --- checklist ------------------------------------------------------ */

void form_items_clear(form_field *f)
{
    for (int i = 0; i < f->n_items; i++) {
        free(f->items[i].label);
        free(f->items[i].detail);
    }
    free(f->items);
    f->items = NULL;
    f->n_items = 0;
    f->item_cursor = -1;
}

void form_item_add(form_field *f, const char *label, const char *detail, int depth, bool checked)
{
    form_item *n = realloc(f->items, sizeof *n * (size_t)(f->n_items + 1));
    if (!n)
        abort();
    f->items = n;
    form_item *it = &n[f->n_items++];
    it->label = strdup(label ? label : "");
    it->detail = detail ? strdup(detail) : NULL;
    it->depth = depth;
    it->checked = checked;
    if (f->item_cursor < 0)
        f->item_cursor = 0;
}

static int parent_of(const form_field *f, int i)
{
    while (i >= 0 && f->items[i].depth > 0)
        i--;
    return i;
}

void form_item_set(form_field *f, int i, bool on)
{
    if (i < 0 || i >= f->n_items)
        return;
    f->items[i].checked = on;
    if (f->items[i].depth == 0) {
        for (int c = i + 1; c < f->n_items && f->items[c].depth > 0; c++)
            f->items[c].checked = on;
        return;
    }
    int p = parent_of(f, i);
    if (p < 0)
        return;
    bool all = true;
    for (int c = p + 1; c < f->n_items && f->items[c].depth > 0; c++)
        all = all && f->items[c].checked;
    f->items[p].checked = all;
}

/* A row that selects only itself: a table, or a schema without tables (a
 * schema row shown for a matching table must not take its hidden ones). */
static bool list_leaf(const form_field *f, int i)
{
    return f->items[i].depth > 0 || i + 1 >= f->n_items || f->items[i + 1].depth == 0;
}

static void list_move(form_field *f, int dir, int count)
{
    int at = f->item_cursor;
    for (int moved = 0; moved < count;) {
        int i = at + dir;
        while (i >= 0 && i < f->n_items && !form_item_visible(f, i))
            i += dir;
        if (i < 0 || i >= f->n_items)
            break;
        at = i;
        moved++;
    }
    f->item_cursor = at;
}

/* Puts the cursor on a visible row after the filter changed. */
static void list_settle(form_field *f)
{
    if (f->item_cursor >= 0 && f->item_cursor < f->n_items &&
        form_item_visible(f, f->item_cursor))
        return;
    f->item_cursor = -1;
    for (int i = 0; i < f->n_items; i++)
        if (form_item_visible(f, i)) {
            f->item_cursor = i;
            return;
        }
}

static bool edit_filter(form_field *f, int ch)
{
    size_t n = strlen(f->filter);
    if (ch == 27) {
        f->filter[0] = '\0';
        f->filtering = false;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        f->filtering = false;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        while (n && is_cont(f->filter[n - 1]))
            n--;
        if (n)
            f->filter[n - 1] = '\0';
        else
            f->filtering = false;
    } else if (ch >= 32 && ch < 256 && n + 1 < sizeof f->filter) {
        f->filter[n] = (char)ch;
        f->filter[n + 1] = '\0';
    } else {
        return ch != '\t' && ch != KEY_BTAB; /* other keys do nothing while filtering */
    }
    list_settle(f);
    return true;
}

static bool edit_list(form_field *f, int ch)
{
    if (f->filtering)
        return edit_filter(f, ch);
    switch (ch) {
    case KEY_DOWN: case 'j': list_move(f, 1, 1); return true;
    case KEY_UP: case 'k': list_move(f, -1, 1); return true;
    case KEY_NPAGE: list_move(f, 1, 10); return true;
    case KEY_PPAGE: list_move(f, -1, 10); return true;
    case KEY_HOME: case 'g': f->item_cursor = -1; list_settle(f); return true;
    case KEY_END: case 'G': list_move(f, 1, f->n_items); return true;
    case ' ':
        if (f->item_cursor >= 0)
            form_item_set(f, f->item_cursor, !f->items[f->item_cursor].checked);
        return true;
    case 'a': { /* every visible table, or none if they all are */
        bool all = true;
        for (int i = 0; i < f->n_items; i++)
            if (list_leaf(f, i) && form_item_visible(f, i))
                all = all && f->items[i].checked;
        for (int i = 0; i < f->n_items; i++)
            if (list_leaf(f, i) && form_item_visible(f, i))
                form_item_set(f, i, !all);
        return true;
    }
    case '/': f->filtering = true; return true;
    case 27:
        if (f->filter[0]) { /* Esc clears a kept filter before it leaves */
            f->filter[0] = '\0';
            list_settle(f);
            return true;
        }
        return false;
    default: return false;
    }
}

bool form_key(form *fm, int ch)
{
    if (!fm->n)
        return false;
    form_field *f = &fm->fields[fm->focus];
    bool handled = false;
    switch (f->kind) {
    case F_TEXT:
    case F_PASSWORD:
        if (ch != KEY_UP && ch != KEY_DOWN && ch != '\t' && ch != KEY_BTAB)
            handled = edit_text(f, ch);
        break;
    case F_TOGGLE:
        if (ch == ' ' || ch == KEY_LEFT || ch == KEY_RIGHT) {
            if (!f->locked)
                f->on = !f->on;
            handled = true;
        }
        break;
    case F_CHOICE:
        if (ch == ' ' || ch == KEY_RIGHT || ch == 'l') {
            f->choice = (f->choice + 1) % (f->n_choices ? f->n_choices : 1);
            handled = true;
        } else if (ch == KEY_LEFT || ch == 'h') {
            f->choice = f->choice ? f->choice - 1 : (f->n_choices ? f->n_choices - 1 : 0);
            handled = true;
        }
        break;
    case F_CHECKLIST:
        handled = edit_list(f, ch);
        break;
    }
    if (handled) {
        form_check_field(fm, f);
        return true;
    }
    if (ch == '\t' || ch == KEY_DOWN) {
        form_focus_move(fm, 1);
        return true;
    }
    if (ch == KEY_BTAB || ch == KEY_UP) {
        form_focus_move(fm, -1);
        return true;
    }
    return false;
}

void form_wipe(form *fm)
{
    for (int i = 0; i < fm->n; i++) {
        form_field *f = &fm->fields[i];
        if (f->kind == F_PASSWORD) {
            /* volatile: the compiler may not drop a wipe of memory it
             * considers dead. */
            volatile char *p = f->value;
            for (size_t k = 0; k < sizeof f->value; k++)
                p[k] = 0;
            f->len = f->cursor = 0;
        }
        if (f->kind == F_CHECKLIST)
            form_items_clear(f);
    }
}
