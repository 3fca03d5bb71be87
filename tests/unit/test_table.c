/* Tables fitted to the terminal width, and documents wrapped: what the
 * panes lay out, checked without a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <string.h>

#include "panes/table.h"
#include "panes/tasklist.h"

static const table_col cols[] = {
    {"NAME", 6, 0, true, false},
    {"STATUS", 6, 0, false, false},
    {"EXTRA", 5, 5, true, false},
    {"LAG", 3, 1, false, true},
};

/* The text of a doc line with segment widths applied, as drawn. */
static int line_width(const doc_line *l)
{
    int w = 0;
    for (int i = 0; i < l->n; i++)
        w += l->segs[i].width ? l->segs[i].width : draw_text_width(l->segs[i].text ? l->segs[i].text : "");
    return w;
}

static void fill(table *t)
{
    int r = table_row(t, 0);
    table_cell(t, r, 0, P_NORMAL, "orders-running-long-name");
    table_cell(t, r, 1, P_OK, "Running");
    table_cell(t, r, 2, P_DIM, "some extra wide information here");
    table_cell(t, r, 3, P_OK, "3.0s");
}

static void test_wide_shows_all(void **st)
{
    arena a;
    arena_init(&a);
    doc d;
    doc_init(&d, &a);
    table t;
    table_init(&t, &d, cols, 4, 1);
    fill(&t);
    table_emit(&t, 200, true);
    assert_int_equal(d.n, 2);
    for (int c = 0; c < 4; c++)
        assert_true(t.shown[c]);
    assert_int_equal(t.width[0], 24);
    arena_free(&a);
}

static void test_narrow_drops_extras_first(void **st)
{
    arena a;
    arena_init(&a);
    doc d;
    doc_init(&d, &a);
    table t;
    table_init(&t, &d, cols, 4, 1);
    fill(&t);
    table_emit(&t, 50, true);
    assert_false(t.shown[2]); /* EXTRA, priority 5, goes first */
    assert_true(t.shown[0] && t.shown[1] && t.shown[3]);
    assert_int_equal(t.width[0], 24); /* the name is not cut */
    assert_true(line_width(&d.lines[1]) <= 50);
    arena_free(&a);
}

static void test_very_narrow_shrinks_flex(void **st)
{
    arena a;
    arena_init(&a);
    doc d;
    doc_init(&d, &a);
    table t;
    table_init(&t, &d, cols, 4, 1);
    fill(&t);
    table_emit(&t, 20, true);
    assert_false(t.shown[2]);
    assert_false(t.shown[3]); /* LAG (priority 1) dropped too */
    assert_true(t.width[0] >= 6 && t.width[0] < 24);
    arena_free(&a);
}

static void test_wrap(void **st)
{
    arena a;
    arena_init(&a);
    doc d;
    doc_init(&d, &a);
    doc_wrap(&d, P_ERROR, "error: ", "precheck failed: source wal_level is replica, logical is required", 30);
    assert_true(d.n >= 3);
    for (int i = 0; i < d.n; i++)
        assert_true(line_width(&d.lines[i]) <= 30);
    assert_string_equal(d.lines[0].segs[0].text, "error: ");
    assert_string_equal(d.lines[1].segs[0].text, "       "); /* indented */
    arena_free(&a);
}

static void test_match(void **st)
{
    assert_true(tasklist_match("Orders-Running", "running"));
    assert_true(tasklist_match("x", ""));
    assert_false(tasklist_match("orders", "ordersx"));
    assert_false(tasklist_match(NULL, "a"));
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    draw_set_utf8(true);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wide_shows_all),
        cmocka_unit_test(test_narrow_drops_extras_first),
        cmocka_unit_test(test_very_narrow_shrinks_flex),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
