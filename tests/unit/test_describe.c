/* kbcli describe rules, derived from a snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/describe.h"
#include "test_sample.h"

#define NOW TEST_SAMPLE_NOW


static void test_running(void **st)
{
    mt_snapshot *s = test_sample_snapshot();
    arena a;
    arena_init(&a);
    mt_describe d;
    mt_describe_build(&a, s, mt_snapshot_task(s, "prod", "orders-running"), NOW, 0, &d);
    assert_string_equal(d.display_status, "Running");
    assert_string_equal(d.source, "migrator:****@10.1.0.5:5432/orders");
    assert_string_equal(d.sink, "postgres:****@pg-orders-postgresql.prod.svc:5432/orders");
    assert_null(strstr(d.source, "Pa55"));
    assert_string_equal(d.objects, "public.orders,public.order_items,billing");
    assert_non_null(d.tmpl);
    assert_string_equal(d.tmpl->description, "PostgreSQL ==> PostgreSQL");
    assert_int_equal(d.n_init, 3);
    assert_string_equal(d.init[0].step, "precheck");
    assert_string_equal(d.init[1].step, "init-struct");
    assert_string_equal(d.init[2].step, "init-data");
    assert_string_equal(d.init[2].status, "Complete");
    assert_true(d.has_cdc);
    assert_int_equal(d.n_cdc, 1);
    assert_string_equal(d.cdc[0].status, "Running");
    assert_int_equal(d.n_metrics, 2);
    assert_string_equal(d.metrics[0].key, "source_position");
    assert_true(d.has_position);
    assert_string_equal(d.position_key, "source_position");
    assert_true(d.has_source_ts);
    assert_false(d.source_ts_had_zone);
    assert_int_equal(NOW - d.source_ts, 3);
    int64_t lag;
    assert_true(mt_task_ts_lag(d.task, NOW + 10, 0, &lag));
    assert_int_equal(lag, 13);
    /* Pod in UTC+8: the same wall-clock text is 8 hours earlier in UTC. */
    assert_true(mt_task_ts_lag(d.task, NOW, 8 * 3600, &lag));
    assert_int_equal(lag, 8 * 3600 + 3);
    arena_free(&a);
    mt_snapshot_free(s);
}

static void test_jobs_sorted_by_number(void **st)
{
    mt_snapshot *s = test_sample_snapshot();
    /* Reverse the jobs so the server order is wrong; 10 must sort after 2. */
    for (size_t i = 0; i < s->n_jobs / 2; i++) {
        mt_job t = s->jobs[i];
        s->jobs[i] = s->jobs[s->n_jobs - 1 - i];
        s->jobs[s->n_jobs - 1 - i] = t;
    }
    assert_int_equal(mt_job_order("x-job-10"), 10);
    assert_int_equal(mt_job_order("x-job-2"), 2);
    assert_int_equal(mt_job_order("nodash"), 0);
    assert_int_equal(mt_job_order("x-abc"), 0);
    arena a;
    arena_init(&a);
    mt_describe d;
    mt_describe_build(&a, s, mt_snapshot_task(s, "default", "orders-init"), NOW, 0, &d);
    assert_int_equal(d.n_init, 0); /* 2 jobs but 3 steps: kbcli prints no rows */
    assert_true(d.init_mismatch);
    mt_describe_build(&a, s, mt_snapshot_task(s, "prod", "orders-running"), NOW, 0, &d);
    assert_int_equal(d.n_init, 3);
    assert_true(d.init[0].created < d.init[2].created); /* job-0 was created first */
    arena_free(&a);
    mt_snapshot_free(s);
}

static void test_cdc_pending_then_failed(void **st)
{
    mt_snapshot *s = test_sample_snapshot();
    arena a;
    arena_init(&a);
    mt_describe d;
    const mt_task *t = mt_snapshot_task(s, "prod", "legacy-sync");
    /* statefulset replicas 1 > available 0, pod Running, sts 8 days old. */
    mt_describe_build(&a, s, t, NOW, 0, &d);
    assert_string_equal(d.display_status, "Terminating");
    assert_int_equal(d.n_cdc, 1);
    assert_string_equal(d.cdc[0].status, "Failed");
    /* Same but the statefulset is 5 minutes old: Pending. */
    for (size_t i = 0; i < s->n_sts; i++)
        if (!strcmp(s->sts[i].meta.name, "legacy-sync-cdc"))
            s->sts[i].meta.created = NOW - 300;
    mt_describe_build(&a, s, t, NOW, 0, &d);
    assert_string_equal(d.cdc[0].status, "Pending");
    arena_free(&a);
    mt_snapshot_free(s);
}

static void test_failed_and_done(void **st)
{
    mt_snapshot *s = test_sample_snapshot();
    arena a;
    arena_init(&a);
    mt_describe d;
    const mt_task *f = mt_snapshot_task(s, "staging", "orders-precheck-failed");
    assert_true(mt_task_failed(f));
    mt_describe_build(&a, s, f, NOW, 0, &d);
    assert_int_equal(d.n_init, 0); /* 1 job, 3 steps */
    const mt_task *done = mt_snapshot_task(s, "default", "archive-copy");
    mt_describe_build(&a, s, done, NOW, 0, &d);
    assert_false(d.has_cdc);
    assert_int_equal(d.n_metrics, 0);
    assert_string_equal(d.objects, "archive");
    assert_false(mt_task_failed(done));
    int64_t lag;
    assert_false(mt_task_ts_lag(done, NOW, 0, &lag));
    arena_free(&a);
    mt_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running),
        cmocka_unit_test(test_jobs_sorted_by_number),
        cmocka_unit_test(test_cdc_pending_then_failed),
        cmocka_unit_test(test_failed_and_done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
