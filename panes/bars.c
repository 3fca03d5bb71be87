#include "panes/bars.h"

#include "panes/doc.h"

#include <stdio.h>
#include <string.h>

void bars_draw_top(WINDOW *w, int y, int width, const bar_info *b)
{
    attr_t a = draw_role_attr(P_TITLE);
    draw_fill(w, y, 0, width, a);
    char left[512];
    snprintf(left, sizeof left, " migtop %s %s%s", draw_utf8() ? "\xe2\x94\x82" : "|",
             b->view ? b->view : "", b->readonly ? "  [read-only]" : "");
    int cw = b->clock ? draw_text_width(b->clock) + 1 : 0;
    int used = draw_text_attr(w, y, 0, width - cw, a, left);
    if (b->source && used + 4 < width - cw) {
        char src[300];
        snprintf(src, sizeof src, "  %s", b->source);
        int room = width - cw - used - 1;
        int sw = draw_text_width(src);
        draw_text_attr(w, y, used + (sw < room ? room - sw : 0), room, a, src);
    }
    if (b->clock && cw <= width)
        draw_text_attr(w, y, width - cw, cw, a, b->clock);
}

int64_t bars_data_age(const bar_info *b, char *buf, size_t n)
{
    if (!b->health || !b->health->last_ok_ms) {
        snprintf(buf, n, "no data yet");
        return -1;
    }
    int64_t age = b->now_ms - b->health->last_ok_ms;
    if (age < 0)
        age = 0;
    char d[32];
    fmt_duration_ms(age, d, sizeof d);
    snprintf(buf, n, "updated %s ago", d);
    return age;
}

int bars_draw_banner(WINDOW *w, int y, int width, const bar_info *b)
{
    if (!b->health || !b->health->error[0])
        return 0;
    char age[64], since[32], lead[64], line[900];
    bars_data_age(b, age, sizeof age);
    fmt_duration_ms(b->now_ms - b->health->failing_since_ms, since, sizeof since);
    snprintf(lead, sizeof lead, " %s failing for %s: ", draw_utf8() ? "\xe2\x9a\xa0" : "!", since);
    snprintf(line, sizeof line, "%s | showing the last good data (%s)", b->health->error, age);
    /* The error is what the engineer needs: wrap it over up to 3 rows
     * rather than cut it. */
    arena tmp;
    arena_init(&tmp);
    doc d;
    doc_init(&d, &tmp);
    doc_wrap(&d, P_ERROR, lead, line, width);
    int rows = d.n < 3 ? d.n : 3;
    for (int i = 0; i < rows; i++)
        draw_fill(w, y + i, 0, width, draw_role_attr(P_ERROR));
    doc_draw(w, &d, y, 0, rows, width, 0, -1);
    arena_free(&tmp);
    return rows;
}

#define BARS_MESSAGE_ROWS 4

/* The message wrapped to the width, in d. */
static void wrap_message(doc *d, int width, const bar_info *b)
{
    doc_wrap(d, b->message_is_error ? P_ERROR : P_STATUS_BAR, "", b->message, width);
}

int bars_status_rows(int width, const bar_info *b)
{
    if (b->prompt || !b->message || !*b->message || draw_text_width(b->message) <= width)
        return 1;
    arena tmp;
    arena_init(&tmp);
    doc d;
    doc_init(&d, &tmp);
    wrap_message(&d, width, b);
    int cap = b->max_status_rows > 0 && b->max_status_rows < BARS_MESSAGE_ROWS
                  ? b->max_status_rows
                  : BARS_MESSAGE_ROWS;
    int rows = d.n < 1 ? 1 : d.n > cap ? cap : d.n;
    arena_free(&tmp);
    return rows;
}

/* A message too long for one row: wrapped, the key hints left out. */
static void draw_long_message(WINDOW *w, int y, int width, int rows, const bar_info *b)
{
    arena tmp;
    arena_init(&tmp);
    doc d;
    doc_init(&d, &tmp);
    wrap_message(&d, width, b);
    attr_t a = b->message_is_error ? draw_role_attr(P_ERROR) : draw_role_attr(P_STATUS_BAR);
    for (int i = 0; i < rows; i++)
        draw_fill(w, y - rows + 1 + i, 0, width, a);
    doc_draw(w, &d, y - rows + 1, 0, rows, width, 0, -1);
    arena_free(&tmp);
}

void bars_draw_status(WINDOW *w, int y, int width, const bar_info *b)
{
    attr_t a = draw_role_attr(P_STATUS_BAR);
    int rows = bars_status_rows(width, b);
    if (rows > 1) {
        draw_long_message(w, y, width, rows, b);
        return;
    }
    draw_fill(w, y, 0, width, a);
    if (b->prompt) {
        int used = draw_text_attr(w, y, 0, width, a | A_BOLD, b->prompt);
        used += draw_text_attr(w, y, used, width - used - 1, draw_role_attr(P_INPUT),
                               b->input ? b->input : "");
        if (b->input_hint && *b->input_hint && used + 3 < width)
            draw_text_attr(w, y, used + 2, width - used - 3, draw_role_attr(P_DIM), b->input_hint);
        return;
    }
    char age[64];
    int64_t ms = bars_data_age(b, age, sizeof age);
    int used = 0;
    if (b->message && *b->message) {
        used = draw_text_attr(w, y, 0, width,
                              b->message_is_error ? draw_role_attr(P_ERROR) : a, b->message);
    } else {
        attr_t aa = ms < 0 || ms > 30000 ? draw_role_attr(P_WARN) : a;
        used = draw_text_attr(w, y, 0, width, aa, " ");
        used += draw_text_attr(w, y, used, width - used, aa, age);
    }
    if (b->hints) {
        int hw = draw_text_width(b->hints);
        if (used + hw + 2 <= width)
            draw_text_attr(w, y, width - hw - 1, hw, draw_role_attr(P_KEY) | a, b->hints);
    }
}
