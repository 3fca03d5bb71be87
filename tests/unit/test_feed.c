/* The feed between a backend thread and the UI: snapshots handed over
 * whole, errors keeping the last good data's time, focus and wake-ups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/feed.h"

typedef struct script {
    int published;
    char seen_focus[160];
    uint64_t focus_gen;
} script;

/* A backend that publishes one snapshot, fails, then waits for a focus
 * change and records it. */
static void run(mt_feed *f, void *p)
{
    script *s = p;
    mt_snapshot *snap = mt_snapshot_new();
    snap->taken_ms = 1234;
    mt_feed_publish(f, snap);
    s->published = 1;
    mt_feed_error(f, "apiserver unreachable: %s", "connection refused");
    char ns[64], name[64];
    uint64_t g0 = mt_feed_focus(f, ns, sizeof ns, name, sizeof name);
    while (mt_feed_wait(f, 5000)) {
        uint64_t g = mt_feed_focus(f, ns, sizeof ns, name, sizeof name);
        if (g != g0) {
            snprintf(s->seen_focus, sizeof s->seen_focus, "%s/%s", ns, name);
            s->focus_gen = g;
            g0 = g;
        }
    }
}

static bool readable(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

static void test_publish_error_focus(void **st)
{
    script s = {0};
    mt_feed *f = mt_feed_new("test", run, &s, NULL);
    char err[256];
    assert_true(mt_feed_start(f, err, sizeof err));
    assert_true(readable(mt_feed_fd(f), 2000));
    mt_feed_health h;
    /* Wait until both the snapshot and the error have arrived. */
    mt_snapshot *got = NULL;
    for (int i = 0; i < 200; i++) {
        mt_snapshot *x = mt_feed_take(f, &h);
        if (x) {
            mt_snapshot_free(got);
            got = x;
        }
        if (got && h.error[0])
            break;
        usleep(10000);
    }
    assert_non_null(got);
    assert_int_equal(got->taken_ms, 1234);
    assert_string_equal(h.label, "test");
    assert_int_equal(h.last_ok_ms, 1234); /* the error keeps the last good time */
    assert_string_equal(h.error, "apiserver unreachable: connection refused");
    assert_true(h.failing_since_ms > 0);
    assert_int_equal(h.published, 1);
    mt_snapshot_free(got);
    /* Nothing new: take returns NULL and the fd is drained. */
    assert_null(mt_feed_take(f, &h));
    assert_false(readable(mt_feed_fd(f), 50));
    /* Focus wakes the backend at once (its wait is 5 s). */
    mt_feed_set_focus(f, "prod", "orders");
    for (int i = 0; i < 200 && !s.seen_focus[0]; i++)
        usleep(5000);
    assert_string_equal(s.seen_focus, "prod/orders");
    mt_feed_free(f); /* stops the thread promptly despite the 5 s wait */
}

static void run_publisher(mt_feed *f, void *p)
{
    (void)p;
    for (int i = 0; i < 1000 && !mt_feed_stopping(f); i++) {
        mt_snapshot *s = mt_snapshot_new();
        s->taken_ms = i;
        mt_feed_publish(f, s);
    }
    while (mt_feed_wait(f, 1000))
        ;
}

static void test_latest_wins_no_leak(void **st)
{
    mt_feed *f = mt_feed_new("burst", run_publisher, NULL, NULL);
    char err[256];
    assert_true(mt_feed_start(f, err, sizeof err));
    mt_feed_health h;
    int64_t last = -1;
    for (int i = 0; i < 400 && last != 999; i++) {
        mt_snapshot *s = mt_feed_take(f, &h);
        if (s) {
            assert_true(s->taken_ms > last); /* never goes back in time */
            last = s->taken_ms;
            mt_snapshot_free(s);
        }
        usleep(2000);
    }
    assert_int_equal(last, 999);
    assert_int_equal(h.published, 1000);
    mt_feed_free(f);
}

/* A backend that offers a runner's kept readings for three tasks, then
 * waits: the UI is told, takes them in the order offered, and a ring
 * offered after the last take goes with the feed. */
static void run_offerer(mt_feed *f, void *p)
{
    (void)p;
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        mt_hist *one = calloc(1, sizeof *one);
        assert_non_null(one);
        snprintf(one->name, sizeof one->name, "%s", names[i]);
        mt_hist_add(one, 1796140000000LL, 1.0f, 2.0f);
        mt_feed_offer_history(f, one);
    }
    while (mt_feed_wait(f, 5000))
        ;
}

static void test_histories_offered(void **st)
{
    (void)st;
    mt_feed *f = mt_feed_new("kept", run_offerer, NULL, NULL);
    char err[256];
    assert_true(mt_feed_start(f, err, sizeof err));
    const char *order[] = {"a", "b", "c"};
    size_t got = 0;
    for (int i = 0; i < 200 && got < 3; i++) {
        if (!readable(mt_feed_fd(f), 50))
            continue;
        mt_snapshot_free(mt_feed_take(f, NULL)); /* drains the fd */
        size_t n;
        mt_hist **v = mt_feed_take_histories(f, &n);
        for (size_t k = 0; k < n; k++) {
            assert_string_equal(v[k]->name, order[got + k]);
            assert_non_null(v[k]->slot);
            mt_hist_release(v[k]);
        }
        free(v);
        got += n;
    }
    assert_int_equal(got, 3);
    size_t n;
    assert_null(mt_feed_take_histories(f, &n));
    assert_int_equal(n, 0);
    mt_feed_offer_history(f, calloc(1, sizeof(mt_hist))); /* freed with the feed */
    mt_feed_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_error_focus),
        cmocka_unit_test(test_latest_wins_no_leak),
        cmocka_unit_test(test_histories_offered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
