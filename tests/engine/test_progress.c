/* Copy progress from the runner's status.json to the model the detail
 * pane draws: the engine writes per-table and overall figures
 * (engine/status.c), the model reads them back (model/progress.c), and a
 * status of the wrong shape never makes the task unreadable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/status.h"
#include "engine/taskdir.h"
#include "model/jsonx.h"
#include "model/progress.h"

static cJSON *read_status(const char *dir)
{
    char path[4200], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, ENGINE_STATUS_FILE);
    size_t len;
    char *text = engine_read_file(path, &len, err, sizeof err);
    assert_non_null(text);
    cJSON *j = jx_parse(text, len, err, sizeof err);
    free(text);
    assert_non_null(j);
    return j;
}

static engine_table_progress *tables(void)
{
    engine_table_progress *t = calloc(3, sizeof *t);
    const char *names[3] = {"big", "Order \"Lines\"", "empty"};
    for (int i = 0; i < 3; i++) {
        t[i].schema = strdup(i == 1 ? "Sales Dept" : "public");
        t[i].name = strdup(names[i]);
        t[i].parts = 1;
    }
    /* big: half its estimated rows copied, 4 s in. */
    t[0].est_rows = 1000;
    t[0].est_bytes = 8 << 20;
    atomic_store(&t[0].rows, 500);
    atomic_store(&t[0].bytes, 3 << 20);
    atomic_store(&t[0].state, 1);
    atomic_store(&t[0].start_ms, fmt_now_ms() - 4000);
    /* Order "Lines": done. */
    t[1].est_rows = 10;
    t[1].est_bytes = 8192;
    atomic_store(&t[1].rows, 12);
    atomic_store(&t[1].bytes, 900);
    atomic_store(&t[1].state, 2);
    atomic_store(&t[1].parts_done, 1);
    atomic_store(&t[1].start_ms, fmt_now_ms() - 2000);
    atomic_store(&t[1].finish_ms, fmt_now_ms() - 1000);
    /* empty: not started, no statistics. */
    return t;
}

static void test_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/migtop-progress-XXXXXX";
    assert_non_null(mkdtemp(dir));
    bool enabled[ES_N] = {false, true, true, true, false};
    engine_status st;
    engine_status_init(&st, dir, enabled);
    engine_status_step(&st, ES_INIT_DATA, SS_RUNNING, NULL);
    engine_status_set_tables(&st, tables(), 3);
    char err[256];
    assert_true(engine_status_write(&st, err, sizeof err));

    cJSON *j = read_status(dir);
    arena a;
    arena_init(&a);
    mt_progress p;
    mt_progress_parse(&a, j, &p);
    assert_int_equal(p.n_tables, 3);
    const mt_table_progress *big = &p.tables[0], *lines = &p.tables[1], *empty = &p.tables[2];
    assert_string_equal(big->name, "big");
    assert_string_equal(big->status, "Copying");
    /* Rows against reltuples: 500 of 1000. */
    assert_true(big->percent > 49.9 && big->percent < 50.1);
    assert_true(big->rows == 500 && big->bytes == 3 << 20);
    /* 3 MiB in about 4 s, and about as long again to go. */
    assert_true(big->bytes_per_s > 600000 && big->bytes_per_s < 900000);
    assert_true(big->eta_s >= 3 && big->eta_s <= 5);
    assert_string_equal(lines->schema, "Sales Dept");
    assert_string_equal(lines->name, "Order \"Lines\"");
    assert_string_equal(lines->status, "Complete");
    assert_true(lines->percent == 100);
    assert_true(mt_table_fraction(lines) == 1.0);
    assert_true(lines->eta_s < 0); /* done: no ETA */
    assert_string_equal(empty->status, "Waiting");
    assert_true(empty->percent == 0 && empty->bytes_per_s < 0);
    assert_true(mt_table_fraction(empty) == 0.0);
    assert_true(p.has_overall);
    assert_int_equal(p.tables_done, 1);
    assert_int_equal(p.tables_total, 3);
    /* Weighted by size: big (8 MiB) half done dominates. */
    assert_true(p.percent > 45 && p.percent < 55);

    arena_free(&a);
    cJSON_Delete(j);
    engine_status_free(&st);
    assert_true(engine_remove_tree(dir, err, sizeof err));
}

static void test_lenient(void **state)
{
    (void)state;
    const char *text =
        "{\"tables\": [42, {\"schema\": \"s\"}, {\"schema\": \"s\", \"name\": \"t\","
        " \"percent\": 250, \"rows\": \"many\", \"etaSeconds\": -3},"
        " {\"schema\": \"s\", \"name\": \"u\", \"status\": \"Copying\", \"percent\": 12.5}],"
        " \"progress\": \"soon\"}";
    char err[128];
    cJSON *j = jx_parse(text, strlen(text), err, sizeof err);
    assert_non_null(j);
    arena a;
    arena_init(&a);
    mt_progress p;
    mt_progress_parse(&a, j, &p);
    assert_int_equal(p.n_tables, 2); /* the number and the nameless entry are skipped */
    assert_string_equal(p.tables[0].name, "t");
    assert_string_equal(p.tables[0].status, "?");
    assert_true(p.tables[0].percent == 100); /* clamped */
    assert_true(p.tables[0].rows < 0 && p.tables[0].eta_s < 0); /* unknown, not 0 */
    assert_true(mt_table_fraction(&p.tables[1]) == 0.125);
    assert_false(p.has_overall);
    mt_progress_parse(&a, NULL, &p);
    assert_int_equal(p.n_tables, 0);
    arena_free(&a);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_lenient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
