/* The cutover report as one HTML page a person opens in a browser after
 * the night: no script, no external file (the charts are inline SVG), so
 * it can be mailed or attached to a ticket as it is. */
#include "cutover/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/fmt.h"

#define CHART_W 760
#define CHART_H 200
#define PAD_L 64
#define PAD_R 16
#define PAD_T 12
#define PAD_B 34

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void clock_of(int64_t ms, char *b, size_t n)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(b, n, "%H:%M:%S", &tm);
}

/* A round top for the axis (1, 2 or 5 times a power of ten). */
static double nice_top(double v)
{
    if (v <= 0)
        return 1;
    double p = pow(10, floor(log10(v)));
    double m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static double value_of(const cut_point *p, bool lag) { return lag ? p->lag_s : p->writes_per_s; }

typedef struct chart {
    const cut_log *l;
    bool lag;
    const char *title, *unit, *colour, *id;
    int64_t t0, t1;
} chart;

static double x_of(const chart *c, int64_t at)
{
    double span = (double)(c->t1 - c->t0);
    return PAD_L + (span > 0 ? (double)(at - c->t0) / span : 0) * (CHART_W - PAD_L - PAD_R);
}

static void axes(FILE *f, const chart *c, double top)
{
    double y0 = CHART_H - PAD_B, h = CHART_H - PAD_B - PAD_T;
    for (int i = 0; i <= 4; i++) {
        double y = y0 - h * i / 4;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", PAD_L,
                y, CHART_W - PAD_R, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"ylab\">%g</text>", PAD_L - 6, y + 4,
                top * i / 4);
    }
    fprintf(f, "<text x=\"12\" y=\"%d\" class=\"unit\" transform=\"rotate(-90 12 %d)\">%s</text>",
            CHART_H / 2, CHART_H / 2, c->unit);
    for (int i = 0; i <= 4; i++) {
        int64_t at = c->t0 + (c->t1 - c->t0) * i / 4;
        char b[16];
        clock_of(at, b, sizeof b);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xlab\"%s>%s</text>", x_of(c, at),
                CHART_H - PAD_B + 16, i == 4 ? " style=\"text-anchor:end\"" : "", b);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"unit\">UTC</text>", CHART_W - PAD_R - 24,
            CHART_H - 4);
}

/* Gate decisions as dashed lines: where on the curve each gate passed. */
static void gate_marks(FILE *f, const chart *c)
{
    double last_x = -100;
    int stack = 0; /* gates decided together: their numbers one under another */
    for (int i = 0; i < CG_N; i++) {
        int64_t at = c->l->gates[i].decided_ms;
        if (!at || at < c->t0 || at > c->t1)
            continue;
        double x = x_of(c, at);
        stack = x - last_x < 12 ? stack + 1 : 0;
        last_x = x;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"gate\"/>"
                   "<text x=\"%.1f\" y=\"%d\" class=\"glab\"%s>%d</text>",
                x, PAD_T, x, CHART_H - PAD_B, x > CHART_W - PAD_R - 10 ? x - 3 : x + 2,
                PAD_T + 10 + 11 * stack,
                x > CHART_W - PAD_R - 10 ? " style=\"text-anchor:end\"" : "", i + 1);
    }
}

static void curve(FILE *f, const chart *c, double top)
{
    double y0 = CHART_H - PAD_B, h = CHART_H - PAD_B - PAD_T;
    bool open = false;
    for (int i = 0; i < c->l->n_points; i++) {
        const cut_point *p = &c->l->points[i];
        double v = value_of(p, c->lag);
        if (v < 0) { /* not read: a gap, not a zero */
            if (open)
                fputs("\"/>", f);
            open = false;
            continue;
        }
        if (!open)
            fprintf(f, "<polyline class=\"line\" stroke=\"%s\" points=\"", c->colour);
        open = true;
        fprintf(f, "%.1f,%.1f ", x_of(c, p->at_ms), y0 - h * (v > top ? top : v) / top);
    }
    if (open)
        fputs("\"/>", f);
}

static void draw_chart(FILE *f, const chart *c)
{
    double max = 0, last = -1;
    int n = 0;
    for (int i = 0; i < c->l->n_points; i++) {
        double v = value_of(&c->l->points[i], c->lag);
        if (v >= 0) {
            max = v > max ? v : max;
            last = v;
            n++;
        }
    }
    fprintf(f, "<h3>%s</h3>\n", c->title);
    if (!n) {
        fputs("<p class=\"none\">no readings were taken</p>\n", f);
        return;
    }
    fprintf(f, "<p class=\"sum\">%d readings; peak %.2f %s, last %.2f %s</p>\n", n, max, c->unit,
            last, c->unit);
    double top = nice_top(max);
    fprintf(f, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
            c->id, CHART_W, CHART_H, CHART_W, CHART_H, c->title);
    axes(f, c, top);
    gate_marks(f, c);
    curve(f, c, top);
    fputs("</svg>\n", f);
}

static const char *const style =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:900px}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px;margin:18px 0 4px}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;"
    "text-align:left;vertical-align:top;font-size:13px}"
    "pre{margin:0;white-space:pre-wrap;font-size:12px}"
    ".pass{color:#1a7f37}.FAIL{color:#c62828;font-weight:bold}.override{color:#b26a00;"
    "font-weight:bold}.wait{color:#666}"
    ".grid{stroke:#ddd;stroke-width:1}.gate{stroke:#888;stroke-dasharray:4 3}"
    ".line{fill:none;stroke-width:2}"
    ".ylab{font-size:11px;text-anchor:end}.xlab{font-size:11px;text-anchor:middle}"
    ".unit{font-size:11px;fill:#555}.glab{font-size:10px;fill:#555}"
    ".sum,.none{font-size:13px;color:#555;margin:0}";

static void gates_table(FILE *f, const cut_log *l)
{
    fputs("<h2>Gates</h2>\n<table><tr><th>#</th><th>gate</th><th>state</th><th>decided (UTC)</th>"
          "<th>reading</th><th>override reason</th></tr>\n", f);
    for (int i = 0; i < CG_N; i++) {
        const cut_gate *g = &l->gates[i];
        char t[32] = "-";
        if (g->decided_ms)
            clock_of(g->decided_ms, t, sizeof t);
        const char *st = cut_state_name(g->state);
        fprintf(f, "<tr><td>%d</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td><pre>", i + 1,
                cut_gate_titles[i], st, st, t);
        esc(f, g->reading[0] ? g->reading : "(not read)");
        if (g->todo[0] && g->state != CGS_PASS) {
            fputs("\nTo do: ", f);
            esc(f, g->todo);
        }
        fputs("</pre></td><td>", f);
        esc(f, g->reason);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

void cut_log_write_html(FILE *f, const cut_log *l)
{
    char a[32], b[32];
    cut_time_text(l->started_ms, a, sizeof a);
    cut_time_text(l->ended_ms, b, sizeof b);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cutover of ", f);
    esc(f, l->task);
    fprintf(f, "</title><style>%s</style></head><body>\n<h1>Cutover of ", style);
    esc(f, l->task);
    fprintf(f, "</h1>\n<p>backend %s &middot; started %s &middot; ended %s</p>\n<p><b>", l->backend,
            a, b);
    esc(f, l->outcome);
    fputs("</b></p>\n<h2>Over the cutover</h2>\n", f);
    /* The whole cutover, so that every gate's decision is on the axis. */
    int64_t t0 = l->started_ms, t1 = l->ended_ms;
    if (l->n_points && (!t0 || l->points[0].at_ms < t0))
        t0 = l->points[0].at_ms;
    if (l->n_points && l->points[l->n_points - 1].at_ms > t1)
        t1 = l->points[l->n_points - 1].at_ms;
    if (t1 <= t0)
        t1 = t0 + 1000;
    chart lag = {l, true, "Replication lag (the slot, seconds)", "s", "#c62828", "lag", t0, t1};
    chart wr = {l, false, "Business writes on the source (transactions a second)", "tx/s",
                "#1565c0", "writes", t0, t1};
    draw_chart(f, &lag);
    draw_chart(f, &wr);
    fputs("<p class=\"sum\">Dashed lines: where each gate was passed or overridden (its "
          "number).</p>\n", f);
    gates_table(f, l);
    fputs("<h2>Log</h2>\n<table>\n", f);
    for (int i = 0; i < l->n_events; i++) {
        cut_time_text(l->events[i].at_ms, a, sizeof a);
        fprintf(f, "<tr><td>%s</td><td>", a);
        esc(f, l->events[i].text);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</body></html>\n", f);
}
