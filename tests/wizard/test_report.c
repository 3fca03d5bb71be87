/* The cutover report's readings and its HTML: the series keeps an hour
 * of readings by merging pairs (the lag's peak kept, so an outage is never
 * averaged away), a failed reading is a gap, and the page is one file
 * with its text escaped (a task or a reason holding markup shows as text,
 * never runs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cutover/report.h"

static char *html_of(const cut_log *l)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    cut_log_write_html(f, l);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static void test_points_merge_keeps_peak(void **state)
{
    (void)state;
    cut_log *l = calloc(1, sizeof *l);
    for (int i = 0; i < CUT_MAX_POINTS; i++)
        cut_log_point(l, 1000LL * i, i == 777 ? 90.0 : 0.5, 10);
    assert_int_equal(l->n_points, CUT_MAX_POINTS);
    cut_log_point(l, 1000LL * CUT_MAX_POINTS, 0.5, -1);
    assert_int_equal(l->n_points, CUT_MAX_POINTS / 2 + 1);
    float peak = 0;
    for (int i = 0; i < l->n_points; i++)
        peak = l->points[i].lag_s > peak ? l->points[i].lag_s : peak;
    assert_true(peak == 90.0f);
    /* In time order still, the newest last. */
    for (int i = 1; i < l->n_points; i++)
        assert_true(l->points[i].at_ms > l->points[i - 1].at_ms);
    assert_true(l->points[l->n_points - 1].writes_per_s < 0);
    free(l);
}

static void test_html_escapes_and_draws(void **state)
{
    (void)state;
    cut_log *l = calloc(1, sizeof *l);
    snprintf(l->task, sizeof l->task, "prod/<script>alert(1)</script>");
    snprintf(l->backend, sizeof l->backend, "local");
    l->started_ms = 1700000000000LL;
    l->ended_ms = l->started_ms + 60000;
    snprintf(l->outcome, sizeof l->outcome, "switched & done");
    l->gates[CG_VALIDATE].state = CGS_OVERRIDE;
    l->gates[CG_VALIDATE].decided_ms = l->started_ms + 50000;
    snprintf(l->gates[CG_VALIDATE].reason, sizeof l->gates[CG_VALIDATE].reason,
             "row <b>1</b> \"fixed\"");
    for (int i = 0; i < 60; i++)
        cut_log_point(l, l->started_ms + 1000LL * i, i == 30 ? -1 : i % 7, i < 40 ? 5 : 0);
    cut_log_event(l, "gate 6 overridden");
    char *h = html_of(l);
    assert_null(strstr(h, "<script>"));
    assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(h, "row &lt;b&gt;1&lt;/b&gt; &quot;fixed&quot;"));
    assert_non_null(strstr(h, "switched &amp; done"));
    assert_non_null(strstr(h, "<svg id=\"lag\""));
    assert_non_null(strstr(h, "<svg id=\"writes\""));
    /* The failed reading splits the lag's curve in two. */
    const char *lag = strstr(h, "<svg id=\"lag\""), *end = strstr(lag, "</svg>");
    int lines = 0;
    for (const char *p = lag; (p = strstr(p, "<polyline")) && p < end; p++)
        lines++;
    assert_int_equal(lines, 2);
    assert_non_null(strstr(h, "peak 6.00 s"));
    assert_non_null(strstr(h, "class=\"gate\"")); /* gate 6's decision marked */
    free(h);
    free(l);
}

static void test_html_without_readings(void **state)
{
    (void)state;
    cut_log *l = calloc(1, sizeof *l);
    snprintf(l->task, sizeof l->task, "t");
    char *h = html_of(l);
    assert_non_null(strstr(h, "no readings were taken"));
    assert_null(strstr(h, "<polyline"));
    free(h);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_merge_keeps_peak),
        cmocka_unit_test(test_html_escapes_and_draws),
        cmocka_unit_test(test_html_without_readings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
