/* The cutover gates' rules on readings made here (the readings pgprobe
 * returns, as values): lag bound and position, writes and who writes, the
 * stability countdown and its restarts, and the task-health gate on the
 * sample snapshot's tasks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../unit/test_sample.h"
#include "cutover/gates.h"

static cut_sampler quiet(void)
{
    cut_sampler s;
    memset(&s, 0, sizeof s);
    snprintf(s.slot.slot, sizeof s.slot.slot, "t1");
    s.have = true;
    s.slot_r = (pgp_slot_reading){.t = 1000, .exists = true, .active = true, .lag_s = 0.4,
                                  .lag_bytes = 120};
    s.advanced_t = 1000;
    s.act_r = (pgp_activity_reading){.writing = false, .no_writes_s = 12};
    return s;
}

static void test_lag(void **state)
{
    (void)state;
    cut_sampler s = quiet();
    cut_gate g = {0};
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_PASS);
    assert_non_null(strstr(g.reading, "lag 0.4 s"));
    assert_string_equal(g.todo, "");
    s.slot_r.lag_s = 7.5; /* over the bound */
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_non_null(strstr(g.todo, "under 5 s"));
    s.slot_r.lag_s = 1;
    s.slot_r.lag_s_lower_bound = true; /* "at least 1 s": not known to be near zero */
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_FAIL);
    s.slot_r.lag_s_lower_bound = false;
    s.advanced_t = 990; /* the position has not moved for 10 s */
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_non_null(strstr(g.reading, "not moving"));
    s.advanced_t = 1000;
    s.slot_r.active = false; /* nobody streams from the slot */
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_FAIL);
    s.slot_r.exists = false;
    cut_gate_lag(&s, 5, &g);
    assert_non_null(strstr(g.reading, "slot t1 is not on the source"));
    s.have = false;
    snprintf(s.err.msg, sizeof s.err.msg, "connection refused");
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_non_null(strstr(g.reading, "connection refused"));
}

static void test_override_sticks(void **state)
{
    (void)state;
    cut_sampler s = quiet();
    s.slot_r.lag_s = 30;
    cut_gate g = {.state = CGS_OVERRIDE};
    snprintf(g.reason, sizeof g.reason, "known");
    cut_gate_lag(&s, 5, &g);
    assert_int_equal(g.state, CGS_OVERRIDE); /* a reading never undoes a decision */
    assert_non_null(strstr(g.reading, "lag 30.0 s"));
}

static void test_writes(void **state)
{
    (void)state;
    cut_sampler s = quiet();
    cut_gate g = {0};
    cut_gate_writes(&s, &g);
    assert_int_equal(g.state, CGS_PASS);
    assert_non_null(strstr(g.reading, "quiet for 12 s"));
    s.act_r.writing = true;
    s.act_r.writing_sessions = 3;
    s.act_r.n_writers = 1;
    s.act_r.writers[0] = (pgp_writer_group){.role = "shop", .application = "checkout",
                                            .sessions = 3, .oldest_xact_s = 2};
    cut_gate_writes(&s, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_non_null(strstr(g.reading, "3 sessions writing"));
    assert_non_null(strstr(g.reading, "shop (checkout): 3 sessions"));
}

static void test_stability_countdown(void **state)
{
    (void)state;
    cut_sampler s = quiet();
    cut_stability st = {0};
    cut_gate g = {0};
    cut_gate_stable(&st, &s, 5, 6, 10000, &g);
    assert_int_equal(g.state, CGS_WAIT); /* just started: counting down, not failing */
    cut_gate_stable(&st, &s, 5, 6, 13000, &g);
    assert_non_null(strstr(g.reading, "stable for 3 of 6 s"));
    s.act_r.writing = true; /* a write: the countdown starts over */
    cut_gate_stable(&st, &s, 5, 6, 14000, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_int_equal(st.restarts, 1);
    assert_non_null(strstr(g.reading, "countdown restarted (1 time)"));
    cut_gate_stable(&st, &s, 5, 6, 15000, &g); /* still writing: not another restart */
    assert_int_equal(st.restarts, 1);
    s.act_r.writing = false;
    cut_gate_stable(&st, &s, 5, 6, 16000, &g);
    cut_gate_stable(&st, &s, 5, 6, 21000, &g);
    assert_int_equal(g.state, CGS_WAIT); /* 5 of 6 s */
    cut_gate_stable(&st, &s, 5, 6, 22000, &g);
    assert_int_equal(g.state, CGS_PASS);
    assert_non_null(strstr(g.reading, "stable for 6 of 6 s (restarted 1 time)"));
    cut_gate_stable(&st, &s, 5, 6, 90000, &g); /* long after: never "84 of 6 s" */
    assert_non_null(strstr(g.reading, "stable for 6 of 6 s"));
    s.slot_r.lag_s = 9; /* the lag counts too */
    cut_gate_stable(&st, &s, 5, 6, 23000, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_int_equal(st.restarts, 2);
    assert_non_null(strstr(st.last_break, "lag 9.0 s"));
}

static void test_healthy(void **state)
{
    (void)state;
    mt_snapshot *s = test_sample_snapshot();
    cut_gate g = {0};
    /* Sep 2026, when the sample was taken: the CDC pod's Pending rule depends on now. */
    int64_t now = s->taken_ms ? s->taken_ms : 1790000000000LL;
    cut_gate_healthy(s, mt_snapshot_task(s, "prod", "orders-running"), now, &g);
    assert_int_equal(g.state, CGS_PASS);
    assert_non_null(strstr(g.reading, "cdc Running"));
    cut_gate_healthy(s, mt_snapshot_task(s, "default", "orders-init"), now, &g);
    assert_int_equal(g.state, CGS_FAIL);
    cut_gate_healthy(s, mt_snapshot_task(s, "staging", "orders-precheck-failed"), now, &g);
    assert_int_equal(g.state, CGS_FAIL);
    assert_non_null(strstr(g.todo, "the task failed"));
    cut_gate_healthy(s, NULL, now, &g);
    assert_int_equal(g.state, CGS_FAIL);
    mt_snapshot_free(s);
}

static void test_stable_seconds(void **state)
{
    (void)state;
    unsetenv("MIGTOP_CUTOVER_STABLE_S");
    assert_int_equal(cut_stable_seconds(), 60);
    setenv("MIGTOP_CUTOVER_STABLE_S", "8", 1);
    assert_int_equal(cut_stable_seconds(), 8);
    setenv("MIGTOP_CUTOVER_STABLE_S", "-3", 1);
    assert_int_equal(cut_stable_seconds(), 60);
    unsetenv("MIGTOP_CUTOVER_STABLE_S");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lag),
        cmocka_unit_test(test_override_sticks),
        cmocka_unit_test(test_writes),
        cmocka_unit_test(test_stability_countdown),
        cmocka_unit_test(test_healthy),
        cmocka_unit_test(test_stable_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
