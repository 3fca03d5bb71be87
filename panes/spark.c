#include "panes/spark.h"

#include <stdio.h>
#include <string.h>

#include "model/fmt.h"
#include "panes/draw.h"

/* Eighths: " " then U+2581..U+2588; ASCII: the same steps as marks. */
static const char *const BLOCKS[9] = {" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                      "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                      "\xe2\x96\x87", "\xe2\x96\x88"};
static const char *const ASCII[9] = {" ", "_", "_", ".", "-", "-", "=", "#", "#"};

static const char *block(int eighths)
{
    eighths = eighths < 0 ? 0 : eighths > 8 ? 8 : eighths;
    return draw_utf8() ? BLOCKS[eighths] : ASCII[eighths];
}

float spark_max(const float *v, int n, float floor_max)
{
    float m = floor_max;
    for (int i = 0; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

/* A value as eighths of rows rows (0 .. rows*8); a reading of 0 still
 * shows as the lowest mark, so "no lag" and "no reading" differ. */
static int level(float v, float max, int rows)
{
    if (v < 0 || max <= 0)
        return -1;
    int e = (int)(v / max * (float)(rows * 8) + 0.5f);
    return e < 1 ? 1 : e > rows * 8 ? rows * 8 : e;
}

const char *spark_line(arena *a, const float *v, int n, float max)
{
    char *out = arena_alloc(a, (size_t)n * 3 + 1), *p = out;
    for (int i = 0; i < n; i++) {
        int e = level(v[i], max, 1);
        const char *b = e < 0 ? " " : block(e);
        size_t len = strlen(b);
        memcpy(p, b, len);
        p += len;
    }
    *p = '\0';
    return out;
}

static void scale_label(char *b, size_t n, float v, const char *unit)
{
    if (!strcmp(unit, "s")) {
        fmt_duration_ms((int64_t)(v * 1000.0f), b, n);
        return;
    }
    if (v >= 10000)
        snprintf(b, n, "%.0fk%s", v / 1000.0f, unit);
    else
        snprintf(b, n, "%.0f%s", v, unit);
}

void spark_chart(doc *d, const char *title, const float *v, int n, float max, const char *unit,
                 int rows, int span_s)
{
    enum { LABEL_W = 7 };
    doc_line *l = doc_add(d);
    doc_put(d, l, P_DIM, title);
    for (int r = rows - 1; r >= 0; r--) {
        l = doc_add(d);
        char lab[32] = "";
        if (r == rows - 1)
            scale_label(lab, sizeof lab, max, unit);
        else if (r == 0)
            snprintf(lab, sizeof lab, "0");
        doc_putf(d, l, P_DIM, "%*s %s", LABEL_W - 2, lab, draw_utf8() ? "\xe2\x94\xa4" : "|");
        char *row = arena_alloc(d->a, (size_t)n * 3 + 1), *p = row;
        for (int i = 0; i < n; i++) {
            int e = level(v[i], max, rows);
            const char *b = e < 0 ? " " : block(e - r * 8);
            size_t len = strlen(b);
            memcpy(p, b, len);
            p += len;
        }
        *p = '\0';
        doc_put(d, l, P_HIGHLIGHT, row);
    }
    l = doc_add(d);
    char left[16];
    snprintf(left, sizeof left, "-%dm", span_s / 60);
    int gap = n - (int)strlen(left) - 3;
    doc_putf(d, l, P_DIM, "%*s%s%*s%s", LABEL_W, "", left, gap > 1 ? gap : 1, "", "now");
}
