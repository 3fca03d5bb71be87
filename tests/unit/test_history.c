/* model/history: readings folded into 5-second slots, the buckets the
 * charts draw, the JSON a runner keeps, and a ring that wraps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/history.h"

#define T0 1796140000000LL /* a wall-clock ms on a slot boundary */

static void test_slots_and_buckets(void **state)
{
    (void)state;
    static mt_hist h;
    memset(&h, 0, sizeof h);
    /* 60 s of readings, one a second: lag = the second, rate 10 then 30. */
    for (int s = 0; s < 60; s++)
        mt_hist_add(&h, T0 + s * 1000, (float)s, s < 30 ? 10.0f : 30.0f);
    float lag[10], rate[10];
    mt_hist_buckets(&h, T0 + 60 * 1000, 60, 6, lag, rate); /* 10 s buckets */
    for (int b = 0; b < 6; b++) {
        assert_true(lag[b] >= (float)(b * 10 + 4) && lag[b] <= (float)(b * 10 + 10));
        assert_true(rate[b] > 0);
    }
    assert_true(rate[0] < 11.0f && rate[5] > 29.0f);
    /* Nothing before the readings: gaps, not zeros. */
    mt_hist_buckets(&h, T0 + 60 * 1000, 600, 10, lag, NULL);
    assert_true(lag[0] == MT_HIST_NONE);
    assert_true(lag[9] >= 0);
    /* An unknown lag does not count as 0. */
    static mt_hist u;
    memset(&u, 0, sizeof u);
    mt_hist_add(&u, T0, -1.0f, -1.0f);
    mt_hist_buckets(&u, T0 + 1000, 10, 1, lag, rate);
    assert_true(lag[0] == MT_HIST_NONE && rate[0] == MT_HIST_NONE);
    assert_null(u.slot); /* no reading, no ring: 1000 finished tasks cost little */
    mt_hist_clear(&h);
    mt_hist_clear(&u);
}

static void test_wraps(void **state)
{
    (void)state;
    static mt_hist h;
    memset(&h, 0, sizeof h);
    /* 20 minutes: the first five are written over by the last five. */
    for (int s = 0; s < 1200; s++)
        mt_hist_add(&h, T0 + s * 1000, s < 600 ? 100.0f : 1.0f, 1.0f);
    float lag[20];
    mt_hist_buckets(&h, T0 + 1200 * 1000, 900, 15, lag, NULL); /* the last 15 min */
    assert_true(lag[0] == 100.0f);  /* minutes 5..6: lag 100 */
    assert_true(lag[14] == 1.0f);
    mt_hist_buckets(&h, T0 + 1200 * 1000, 1200, 20, lag, NULL); /* older than kept */
    assert_true(lag[0] == MT_HIST_NONE);
    mt_hist_clear(&h);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    static mt_hist a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (int s = 0; s < 30; s++)
        mt_hist_add(&a, T0 + s * 1000, 2.0f, 50.0f);
    char *text = mt_hist_json(&a);
    assert_true(mt_hist_merge_json(&b, text));
    free(text);
    float la[3], lb[3], rb[3];
    mt_hist_buckets(&a, T0 + 30000, 30, 3, la, NULL);
    mt_hist_buckets(&b, T0 + 30000, 30, 3, lb, rb);
    for (int i = 0; i < 3; i++) {
        assert_true(la[i] == lb[i]);
        assert_true(rb[i] > 49.0f && rb[i] < 51.0f);
    }
    /* The ring's own newer slot stays; garbage is refused. */
    mt_hist_add(&b, T0 + 29000, 9.0f, 1.0f);
    text = mt_hist_json(&a);
    assert_true(mt_hist_merge_json(&b, text));
    free(text);
    mt_hist_buckets(&b, T0 + 30000, 5, 1, lb, NULL);
    assert_true(lb[0] == 9.0f);
    assert_false(mt_hist_merge_json(&b, "{\"slot_s\":60,\"slots\":[]}"));
    assert_false(mt_hist_merge_json(&b, "not json"));
    assert_false(mt_hist_merge_json(&b, NULL));
    assert_true(mt_hist_merge_json(&b, "{\"slot_s\":5,\"slots\":[[\"x\"],[-4,1,1],[1e30,1,1]]}"));
    static mt_hist c;
    assert_true(mt_hist_merge_json(&c, "{\"slot_s\":5,\"slots\":[[\"x\"]]}"));
    assert_null(c.slot); /* nothing valid in it: no ring */
    mt_hist_clear(&a);
    mt_hist_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_and_buckets),
        cmocka_unit_test(test_wraps),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
