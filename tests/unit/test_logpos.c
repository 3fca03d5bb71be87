/* Position lines in CDC logs, recognised by form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/logpos.h"

static bool parse(const char *l, long tz, mt_logpos *p) { return mt_log_position(l, strlen(l), tz, p); }

static void test_engine_line(void **st)
{
    mt_logpos p;
    const char *l = "2026-11-25 06:00:01 UTC INFO cdc current_position=16/B374D848 "
                    "source_timestamp=2026-11-25 06:00:00.123+00 lag_ms=120";
    assert_true(parse(l, 0, &p));
    assert_true(p.has_lsn);
    assert_true(p.lsn == ((uint64_t)0x16 << 32 | 0xB374D848u));
    assert_true(p.has_ts);
    assert_true(p.ts_had_zone);
    mt_time want;
    assert_true(fmt_parse_timestamp("2026-11-25 06:00:00", 0, &want, NULL));
    assert_int_equal(p.ts, want);
}

static void test_addon_like_lines(void **st)
{
    mt_logpos p;
    /* No zone: the pod's local time (UTC+8 here). */
    assert_true(parse("[2026-11-25 14:00:05] current_position: 0/3000148, timestamp: 2026-11-25 14:00:00", 8 * 3600, &p));
    assert_true(p.lsn == 0x3000148);
    assert_false(p.ts_had_zone);
    mt_time want;
    assert_true(fmt_parse_timestamp("2026-11-25 06:00:00Z", 0, &want, NULL));
    assert_int_equal(p.ts, want);
    /* Only the line's own time: taken as the position's time. */
    assert_true(parse("2026-11-25T06:00:05Z current_position 1/0", 0, &p));
    assert_true(p.has_ts);
    assert_true(p.lsn == (uint64_t)1 << 32);
    /* JSON-ish. */
    assert_true(parse("{\"current_position\":\"A/B\",\"source_timestamp\":\"2026-11-25T06:00:00Z\"}", 0, &p));
    assert_true(p.lsn == ((uint64_t)0xA << 32 | 0xB));
}

static void test_not_positions(void **st)
{
    mt_logpos p;
    assert_false(parse("2026-11-25 06:00:01 INFO copied table public.orders", 0, &p));
    assert_false(mt_log_is_position("current_posit", 13));
    /* A path or a fraction is not an LSN. */
    assert_true(parse("current_position unknown /var/lib/x1/y2 2026-11-25 06:00:00", 0, &p));
    assert_false(p.has_lsn);
    assert_false(parse("current_position=ZZ/1 at 12/34/56", 0, &p)); /* a date, not an LSN */
    /* Garbage never crashes. */
    char junk[256];
    for (int i = 0; i < 256; i++)
        junk[i] = (char)(i * 37);
    memcpy(junk, "current_position", 16);
    mt_log_position(junk, sizeof junk, 0, &p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_line),
        cmocka_unit_test(test_addon_like_lines),
        cmocka_unit_test(test_not_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
