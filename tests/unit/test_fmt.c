/* Formatting helpers: times, ages, LSNs, bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/fmt.h"

static void test_rfc3339(void **st)
{
    mt_time t;
    assert_true(fmt_parse_rfc3339("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(fmt_parse_rfc3339("2026-10-01T12:00:00Z", &t));
    assert_int_equal(t, 1790856000);
    assert_true(fmt_parse_rfc3339("2026-10-01T20:00:00+08:00", &t));
    assert_int_equal(t, 1790856000);
    assert_true(fmt_parse_rfc3339("2026-10-01T12:00:00.123456Z", &t));
    assert_int_equal(t, 1790856000);
    assert_false(fmt_parse_rfc3339("2026-10-01 12:00:00", &t)); /* no zone */
    assert_false(fmt_parse_rfc3339("2026-13-01T12:00:00Z", &t));
    assert_false(fmt_parse_rfc3339("garbage", &t));
    assert_false(fmt_parse_rfc3339("", &t));
    assert_false(fmt_parse_rfc3339("2026-10-01T12:00:00Zjunk", &t));
}

static void test_timestamp_zones(void **st)
{
    mt_time t;
    bool had;
    /* Without a zone the pod's local zone is assumed (UTC+8 here). */
    assert_true(fmt_parse_timestamp("2026-10-01 20:00:00", 8 * 3600, &t, &had));
    assert_false(had);
    assert_int_equal(t, 1790856000);
    assert_true(fmt_parse_timestamp("2026-10-01 12:00:00 UTC", 8 * 3600, &t, &had));
    assert_true(had);
    assert_int_equal(t, 1790856000);
    assert_true(fmt_parse_timestamp("2026-10-01 12:00:00.5+0000", 3600, &t, &had));
    assert_int_equal(t, 1790856000);
    /* Milliseconds keep the fraction (the local engine writes them), cut
     * past the third digit; whole seconds stay whole. */
    int64_t ms;
    assert_true(fmt_parse_timestamp_ms("2026-10-01T12:00:00.5Z", 0, &ms, &had));
    assert_int_equal(ms, 1790856000500LL);
    assert_true(fmt_parse_timestamp_ms("2026-10-01T12:00:00.123987Z", 0, &ms, &had));
    assert_int_equal(ms, 1790856000123LL);
    assert_true(fmt_parse_timestamp_ms("2026-10-01 20:00:00.042", 8 * 3600, &ms, &had));
    assert_int_equal(ms, 1790856000042LL);
    assert_true(fmt_parse_timestamp_ms("2026-10-01T12:00:00Z", 0, &ms, &had));
    assert_int_equal(ms, 1790856000000LL);
    assert_false(fmt_parse_timestamp_ms("2026-10-01T12:00:00.Z", 0, &ms, &had));
    long off;
    assert_true(fmt_parse_zone("UTC+8", &off));
    assert_int_equal(off, 8 * 3600);
    assert_true(fmt_parse_zone("-05:30", &off));
    assert_int_equal(off, -(5 * 3600 + 1800));
    assert_false(fmt_parse_zone("Mars", &off));
    assert_false(fmt_parse_zone("+99", &off));
}

static void test_kbcli_time(void **st)
{
    char b[64];
    fmt_kbcli_time(1790856000, b, sizeof b);
    assert_string_equal(b, "Oct 01,2026 12:00:00 UTC+0000");
    fmt_kbcli_time(0, b, sizeof b);
    assert_string_equal(b, "");
}

static void test_age(void **st)
{
    char b[32];
    fmt_age(5, b, sizeof b);
    assert_string_equal(b, "5s");
    fmt_age(130, b, sizeof b);
    assert_string_equal(b, "2m10s");
    fmt_age(3600, b, sizeof b);
    assert_string_equal(b, "60m");
    fmt_age(4 * 3600 + 120, b, sizeof b);
    assert_string_equal(b, "4h2m");
    fmt_age(3 * 86400 + 7200, b, sizeof b);
    assert_string_equal(b, "3d2h");
    fmt_age(-4, b, sizeof b);
    assert_string_equal(b, "0s");
    fmt_duration_ms(400, b, sizeof b);
    assert_string_equal(b, "0.4s");
    fmt_duration_ms(65000, b, sizeof b);
    assert_string_equal(b, "1m05s");
}

static void test_lsn(void **st)
{
    uint64_t v;
    char b[32];
    assert_true(fmt_parse_lsn("16/B374D848", &v));
    assert_true(v == ((uint64_t)0x16 << 32 | 0xB374D848u));
    fmt_lsn(v, b, sizeof b);
    assert_string_equal(b, "16/B374D848");
    assert_true(fmt_is_lsn("0/0"));
    assert_false(fmt_is_lsn("0/"));
    assert_false(fmt_is_lsn("/1"));
    assert_false(fmt_is_lsn("G/1"));
    assert_false(fmt_is_lsn("123456789/1"));
    assert_false(fmt_is_lsn("2026-10-01 12:00:00"));
}

static void test_bytes(void **st)
{
    char b[32];
    fmt_bytes(512, b, sizeof b);
    assert_string_equal(b, "512 B");
    fmt_bytes(1536, b, sizeof b);
    assert_string_equal(b, "1.5 KiB");
    fmt_bytes(20ull << 20, b, sizeof b);
    assert_string_equal(b, "20.0 MiB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),  cmocka_unit_test(test_timestamp_zones),
        cmocka_unit_test(test_kbcli_time), cmocka_unit_test(test_age),
        cmocka_unit_test(test_lsn),      cmocka_unit_test(test_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
