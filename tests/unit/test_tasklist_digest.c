/* The task list's digest (panes/tasklist.h): the dashboard keeps the
 * list's document while the snapshot and the digest stay, so the digest
 * must change with everything the list shows that a second, a key or a
 * reading can change, and stay put when nothing shown changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "panes/tasklist.h"
#include "test_sample.h"

#define NOW TEST_SAMPLE_NOW

/* Two tasks finished long ago: nothing on their rows moves by the second. */
static mt_snapshot *finished(void)
{
    const char *text =
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
        "{\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\",\"kind\":\"MigrationTask\","
        "\"metadata\":{\"name\":\"old-a\",\"namespace\":\"ns\",\"creationTimestamp\":"
        "\"2026-09-01T00:00:00Z\"},\"spec\":{\"template\":\"t\",\"taskType\":\"initialization\"},"
        "\"status\":{\"taskStatus\":\"Done\"}},"
        "{\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\",\"kind\":\"MigrationTask\","
        "\"metadata\":{\"name\":\"old-b\",\"namespace\":\"ns\",\"creationTimestamp\":"
        "\"2026-09-02T00:00:00Z\"},\"spec\":{\"template\":\"t\",\"taskType\":\"initialization\"},"
        "\"status\":{\"taskStatus\":\"Failed\"}}]}";
    char err[512];
    mt_snapshot *s = mt_snapshot_parse(text, strlen(text), err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    return s;
}

static tasklist_opts opts_at(mt_time now)
{
    return (tasklist_opts){.filter = "", .now = now, .lag_warn_s = 30, .sort = TS_NONE,
                           .now_ms = (int64_t)now * 1000};
}

/* The document's text, every segment in order, for comparing two builds. */
static void doc_text_of(const mt_snapshot *s, const tasklist_opts *o, int width, char *out,
                        size_t n)
{
    arena a;
    arena_init(&a);
    doc d;
    doc_init(&d, &a);
    tasklist_build(&d, s, o, width);
    size_t off = 0;
    for (int i = 0; i < d.n; i++) {
        for (int k = 0; k < d.lines[i].n; k++)
            fmt_append(out, n, &off, "%s|%d|", d.lines[i].segs[k].text ? d.lines[i].segs[k].text : "",
                       (int)d.lines[i].segs[k].role);
        fmt_append(out, n, &off, "\n");
    }
    arena_free(&a);
}

static void test_idle_rows_keep_their_digest(void **st)
{
    (void)st;
    mt_snapshot *s = finished();
    /* Ages of days: the same text a second later, and the same document. */
    tasklist_opts o = opts_at(NOW), later = opts_at(NOW + 1);
    assert_true(tasklist_digest(s, &o, 120) == tasklist_digest(s, &later, 120));
    static char a[8192], b[8192];
    doc_text_of(s, &o, 120, a, sizeof a);
    doc_text_of(s, &later, 120, b, sizeof b);
    assert_string_equal(a, b);
    /* A day later the ages read otherwise. */
    tasklist_opts next_day = opts_at(NOW + 86400);
    assert_true(tasklist_digest(s, &o, 120) != tasklist_digest(s, &next_day, 120));
    mt_snapshot_free(s);
}

static void test_live_lag_changes_it_each_second(void **st)
{
    (void)st;
    mt_snapshot *s = test_sample_snapshot(); /* orders-running streams: its lag is read from the clock */
    tasklist_opts o = opts_at(NOW), later = opts_at(NOW + 1);
    static char a[16384], b[16384];
    doc_text_of(s, &o, 160, a, sizeof a);
    doc_text_of(s, &later, 160, b, sizeof b);
    assert_string_not_equal(a, b);
    assert_true(tasklist_digest(s, &o, 160) != tasklist_digest(s, &later, 160));
    mt_snapshot_free(s);
}

static void test_keys_and_width_change_it(void **st)
{
    (void)st;
    mt_snapshot *s = finished();
    tasklist_opts o = opts_at(NOW);
    uint64_t base = tasklist_digest(s, &o, 120);
    assert_true(base != tasklist_digest(s, &o, 80)); /* a resize */
    tasklist_opts f = o;
    f.filter = "old-a";
    assert_true(base != tasklist_digest(s, &f, 120));
    tasklist_opts by = o;
    by.sort = TS_AGE;
    uint64_t age = tasklist_digest(s, &by, 120);
    assert_true(base != age);
    by.sort_desc = true;
    assert_true(age != tasklist_digest(s, &by, 120));
    tasklist_opts warn = o;
    warn.lag_warn_s = 5;
    assert_true(base != tasklist_digest(s, &warn, 120));
    mt_snapshot_free(s);
}

static void test_readings_change_it(void **st)
{
    (void)st;
    mt_snapshot *s = finished();
    tasklist_opts o = opts_at(NOW);
    mt_hist_set h = {0};
    o.hist = &h;
    mt_hist_record(&h, s, o.now_ms, 0);
    uint64_t none = tasklist_digest(s, &o, 120);
    /* A runner's kept readings arrive for old-a: its trend is drawn now. */
    mt_hist *kept = calloc(1, sizeof *kept);
    assert_non_null(kept);
    snprintf(kept->ns, sizeof kept->ns, "ns");
    snprintf(kept->name, sizeof kept->name, "old-a");
    mt_hist_add(kept, o.now_ms - 60000, 4.0f, 10.0f);
    mt_hist_offer(&h, &kept, 1, o.now_ms);
    assert_true(none != tasklist_digest(s, &o, 120));
    mt_hist_free(&h);
    mt_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_rows_keep_their_digest),
        cmocka_unit_test(test_live_lag_changes_it_each_second),
        cmocka_unit_test(test_keys_and_width_change_it),
        cmocka_unit_test(test_readings_change_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
