/* model/history: readings folded into 5-second slots, the buckets the
 * charts draw, the JSON a runner keeps, a ring that wraps, and a runner's
 * kept readings offered to the dashboard's rings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static mt_snapshot *tasks(const char *names_json_items)
{
    char text[2048], err[256];
    snprintf(text, sizeof text, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[%s]}",
             names_json_items);
    mt_snapshot *s = mt_snapshot_parse(text, strlen(text), err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    return s;
}

#define TASK(n) "{\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\",\"kind\":\"MigrationTask\"," \
                "\"metadata\":{\"name\":\"" n "\"},\"spec\":{\"template\":\"t\"," \
                "\"taskType\":\"cdc\"}}"

static mt_hist *kept_ring(const char *name, int64_t from_ms, int secs, float lag)
{
    mt_hist *one = calloc(1, sizeof *one);
    assert_non_null(one);
    snprintf(one->name, sizeof one->name, "%s", name);
    for (int s = 0; s < secs; s++)
        mt_hist_add(one, from_ms + s * 1000, lag, 5.0f);
    return one;
}

static void offer1(mt_hist_set *h, mt_hist *one, int64_t now_ms)
{
    mt_hist_offer(h, &one, 1, now_ms);
}

/* A runner's kept readings offered to the dashboard's rings (from the
 * feed's thread): into a task's ring at once when the set has the task,
 * at the next recording that has it when not yet, never over the ring's
 * own more recent slots; let go after a minute when no recording has the
 * task. */
static void test_offered(void **state)
{
    (void)state;
    mt_hist_set h = {0};
    int64_t now = T0 + 600 * 1000;
    mt_snapshot *s = tasks(TASK("a"));
    mt_hist_record(&h, s, now, 0);
    assert_int_equal(h.n, 1);
    offer1(&h, kept_ring("a", now - 300 * 1000, 60, 7.0f), now); /* known: at once */
    assert_int_equal(h.n_offered, 0);
    float lag[10];
    mt_hist_buckets(mt_hist_find(&h, "", "a"), now, 600, 10, lag, NULL);
    assert_true(lag[5] == 7.0f); /* 5 minutes ago */
    assert_true(lag[0] == MT_HIST_NONE);
    /* Its own slot, as recent, stays. */
    mt_hist_add(h.v[0], now - 1000, 2.0f, 1.0f);
    offer1(&h, kept_ring("a", now - 1000, 1, 99.0f), now);
    mt_hist_buckets(mt_hist_find(&h, "", "a"), now, 5, 1, lag, NULL);
    assert_true(lag[0] == 2.0f);
    /* b is offered before any recording has it: kept, then merged. */
    offer1(&h, kept_ring("b", now - 120 * 1000, 30, 3.0f), now);
    offer1(&h, kept_ring("gone", now - 120 * 1000, 30, 3.0f), now);
    assert_int_equal(h.n_offered, 2);
    mt_snapshot_free(s);
    s = tasks(TASK("a") "," TASK("b"));
    mt_hist_record(&h, s, now + 2000, 0);
    assert_int_equal(h.n, 2);
    assert_int_equal(h.n_offered, 1); /* "gone" waits */
    mt_hist_buckets(mt_hist_find(&h, "", "b"), now + 2000, 600, 10, lag, NULL);
    assert_true(lag[8] == 3.0f);
    mt_hist_record(&h, s, now + 59000, 0);
    assert_int_equal(h.n_offered, 1);
    mt_hist_record(&h, s, now + 63000, 0);
    assert_int_equal(h.n_offered, 0); /* a minute and no task: let go */
    /* Worth offering only with a slot of the last 15 minutes. */
    mt_hist *old = kept_ring("a", now - 1000 * 1000, 10, 1.0f), none = {0};
    assert_false(mt_hist_recent(old, now));
    assert_true(mt_hist_recent(old, now - 900 * 1000));
    assert_false(mt_hist_recent(&none, now));
    mt_hist_release(old);
    /* Offered ones not taken yet go with the set. */
    offer1(&h, kept_ring("later", now, 1, 1.0f), now);
    mt_snapshot_free(s);
    mt_hist_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_and_buckets),
        cmocka_unit_test(test_wraps),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_offered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
