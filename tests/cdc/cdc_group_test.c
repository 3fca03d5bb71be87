/* How long the apply holds a group of source transactions open
 * (engine/cdc_session.h): a millisecond once caught up with the source,
 * 20 ms while a backlog drains, and 20 ms when the source's WAL end is
 * not known or too old to tell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/cdc_session.h"

#define NOW_US (1795640400LL * 1000000)
#define LIVE_US 1000
#define BACKLOG_US 20000

static void test_caught_up_is_short(void **state)
{
    (void)state;
    /* The stream has passed the WAL end the source reported 0.9 s ago. */
    assert_int_equal(cdc_group_hold_us(0x5000, 0x4F00, NOW_US - 900000, NOW_US), LIVE_US);
    assert_int_equal(cdc_group_hold_us(0x5000, 0x5000, NOW_US - 10, NOW_US), LIVE_US);
}

static void test_backlog_is_long(void **state)
{
    (void)state;
    /* 30 s of WAL still to come: large groups drain faster. */
    assert_int_equal(cdc_group_hold_us(0x1000, 0x9000000, NOW_US - 500000, NOW_US), BACKLOG_US);
    assert_int_equal(cdc_group_hold_us(0x4FFF, 0x5000, NOW_US, NOW_US), BACKLOG_US);
}

static void test_unknown_or_stale_is_long(void **state)
{
    (void)state;
    /* Not read yet (the metrics' source connection is down or new). */
    assert_int_equal(cdc_group_hold_us(0x5000, 0, 0, NOW_US), BACKLOG_US);
    assert_int_equal(cdc_group_hold_us(0x5000, 0x4000, 0, NOW_US), BACKLOG_US);
    /* Read 3 s ago or more: a runner stopped meanwhile (SIGSTOP, a
     * suspended VM) cannot tell what piled up since. */
    assert_int_equal(cdc_group_hold_us(0x5000, 0x4000, NOW_US - 3000000, NOW_US), BACKLOG_US);
    assert_int_equal(cdc_group_hold_us(0x5000, 0x4000, NOW_US - 60000000, NOW_US), BACKLOG_US);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caught_up_is_short),
        cmocka_unit_test(test_backlog_is_long),
        cmocka_unit_test(test_unknown_or_stale_is_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
