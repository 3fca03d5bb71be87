/* The CDC log's position line is read by the same parser as the add-on's
 * (model/logpos.h): the LSN and the source timestamp come back out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/cdc_metrics.h"
#include "model/logpos.h"

static void test_line_parses(void **state)
{
    (void)state;
    char text[300], line[400];
    /* 2026-11-25 21:00:00 UTC, with microseconds the line leaves out. */
    int64_t ts = 1795640400LL * 1000000 + 123456;
    cdc_position_line(text, sizeof text, 0x2A1F00C3D8ULL, ts, 0.25, 17, 42);
    snprintf(line, sizeof line, "2026-11-25T21:00:03.000Z INFO %s", text);
    mt_logpos p;
    assert_true(mt_log_is_position(line, strlen(line)));
    assert_true(mt_log_position(line, strlen(line), 0, &p));
    assert_true(p.has_lsn);
    assert_true(p.lsn == 0x2A1F00C3D8ULL);
    assert_true(p.has_ts);
    assert_true(p.ts_had_zone);
    assert_int_equal((long long)p.ts, 1795640400LL);
    assert_non_null(strstr(text, "current_position: 2A/1F00C3D8, timestamp: 2026-11-25 21:00:00 UTC"));
}

static void test_unknown_time(void **state)
{
    (void)state;
    char text[300];
    cdc_position_line(text, sizeof text, 0x1000, 0, 0, 0, 0);
    mt_logpos p;
    assert_true(mt_log_position(text, strlen(text), 0, &p));
    assert_true(p.has_lsn && p.lsn == 0x1000);
    assert_false(p.has_ts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_parses),
        cmocka_unit_test(test_unknown_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
