/* pgprobe without a server: endpoint forms, labels without passwords,
 * failure classification from libpq's and the server's messages, LSNs and
 * the lag-in-seconds ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pgprobe/conn.h"
#include "pgprobe/slot.h"

static void test_kbcli_form(void **state)
{
    (void)state;
    pgp_endpoint ep;
    pgp_error err;
    assert_true(pgp_endpoint_parse(&ep, "source", "alice:s3cr=t@db.example:6543/shop", &err));
    assert_string_equal(ep.form, "kbcli");
    assert_string_equal(pgp_endpoint_get(&ep, "host"), "db.example");
    assert_string_equal(pgp_endpoint_get(&ep, "port"), "6543");
    assert_string_equal(pgp_endpoint_get(&ep, "user"), "alice");
    assert_string_equal(pgp_endpoint_get(&ep, "password"), "s3cr=t");
    assert_string_equal(pgp_endpoint_get(&ep, "dbname"), "shop");
    const char *label = pgp_endpoint_label(&ep);
    assert_string_equal(label, "alice@db.example:6543/shop");
    assert_null(strstr(label, "s3cr"));
    pgp_endpoint_free(&ep);
}

static void test_libpq_forms(void **state)
{
    (void)state;
    pgp_endpoint ep;
    pgp_error err;
    assert_true(pgp_endpoint_parse(&ep, "sink", "postgresql://bob@[::1]:5433/app?sslmode=require",
                                   &err));
    assert_string_equal(ep.form, "uri");
    assert_string_equal(pgp_endpoint_get(&ep, "host"), "::1");
    assert_string_equal(pgp_endpoint_get(&ep, "sslmode"), "require");
    assert_null(pgp_endpoint_get(&ep, "password"));
    pgp_endpoint_free(&ep);

    assert_true(pgp_endpoint_parse(&ep, "sink", "host=h1 port=5000 dbname='my db' user=u", &err));
    assert_string_equal(ep.form, "conninfo");
    assert_string_equal(pgp_endpoint_get(&ep, "dbname"), "my db");
    pgp_endpoint_set(&ep, "dbname", "other");
    assert_string_equal(pgp_endpoint_get(&ep, "dbname"), "other");
    pgp_endpoint_set(&ep, "port", NULL);
    assert_null(pgp_endpoint_get(&ep, "port"));
    pgp_endpoint_free(&ep);

    assert_true(pgp_endpoint_parse(&ep, "sink", "service=prod", &err));
    assert_string_equal(pgp_endpoint_get(&ep, "service"), "prod");
    assert_non_null(strstr(pgp_endpoint_label(&ep), "service prod"));
    pgp_endpoint_free(&ep);

    assert_true(pgp_endpoint_parse(&ep, "sink", "", &err));
    assert_string_equal(ep.form, "environment");
    pgp_endpoint_free(&ep);
}

static void test_bad_endpoints(void **state)
{
    (void)state;
    pgp_endpoint ep;
    pgp_error err;
    assert_false(pgp_endpoint_parse(&ep, "source", "just-a-host", &err));
    assert_int_equal(err.code, PGP_ERR_SYNTAX);
    assert_non_null(strstr(err.msg, "--source"));
    pgp_endpoint_free(&ep);
    assert_false(pgp_endpoint_parse(&ep, "source", "u:topsecret@h:99999/db", &err));
    assert_int_equal(err.code, PGP_ERR_SYNTAX);
    assert_null(strstr(err.msg, "topsecret"));
    pgp_endpoint_free(&ep);
    assert_false(pgp_endpoint_parse(&ep, "source", "postgresql://u:pw@h/db?nosuchkey=1", &err));
    assert_int_equal(err.code, PGP_ERR_SYNTAX);
    assert_non_null(strstr(err.msg, "nosuchkey"));
    pgp_endpoint_free(&ep);
}

/* Every failure kind has a stable id and a hint saying what to change
 * (the real server messages are classified in pgprobe_test.sh). */
static void test_kinds(void **state)
{
    (void)state;
    assert_string_equal(pgp_errcode_id(PGP_ERR_PASSWORD), "wrong-password");
    assert_string_equal(pgp_errcode_id(PGP_ERR_HBA), "no-hba-entry");
    assert_string_equal(pgp_errcode_id(PGP_ERR_NO_DATABASE), "no-database");
    assert_string_equal(pgp_errcode_id(PGP_ERR_UNREACHABLE), "unreachable");
    assert_string_equal(pgp_errcode_id(PGP_ERR_TOO_OLD), "server-too-old");
    for (int k = PGP_ERR_SYNTAX; k <= PGP_ERR_TOO_MANY; k++)
        assert_true(strlen(pgp_errcode_hint((pgp_errcode)k)) > 0);
}

/* A refused port, with the password in the endpoint: the message names the
 * address and never the password. */
static void test_refused_scrubbed(void **state)
{
    (void)state;
    pgp_endpoint ep;
    pgp_error err;
    assert_true(pgp_endpoint_parse(&ep, "source", "u:Pa55word@127.0.0.1:1/db", &err));
    PGconn *c = pgp_connect(&ep, "test", 3, false, &err);
    assert_null(c);
    assert_int_equal(err.code, PGP_ERR_UNREACHABLE);
    assert_non_null(strstr(err.msg, "127.0.0.1"));
    assert_null(strstr(err.msg, "Pa55word"));
    pgp_endpoint_free(&ep);
}

static void test_lsn(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(fmt_parse_lsn("16/B374D848", &v));
    assert_true(v == 0x16B374D848ULL);
    char buf[32];
    fmt_lsn(v, buf, sizeof buf);
    assert_string_equal(buf, "16/B374D848");
    assert_false(fmt_parse_lsn("16-B3", &v));
    assert_false(fmt_parse_lsn("1/2x", &v));
}

static void test_ring_age(void **state)
{
    (void)state;
    static pgp_lsn_ring r;
    memset(&r, 0, sizeof r);
    bool lb;
    assert_true(pgp_lsn_ring_age(&r, 5, 10, &lb) < 0);
    /* WAL at 1000 at t=100, 2000 at t=101, 4000 at t=103 */
    pgp_lsn_ring_add(&r, 100, 1000);
    pgp_lsn_ring_add(&r, 101, 2000);
    pgp_lsn_ring_add(&r, 103, 4000);
    assert_true(pgp_lsn_ring_age(&r, 4000, 103.5, &lb) == 0);
    /* 3000 was passed half way between t=101 and t=103: at 102 */
    double age = pgp_lsn_ring_age(&r, 3000, 103.5, &lb);
    assert_false(lb);
    assert_true(age > 1.49 && age < 1.51);
    age = pgp_lsn_ring_age(&r, 500, 103.5, &lb);
    assert_true(lb);
    assert_true(age > 3.49 && age < 3.51);
    /* The ring wraps: only the newest PGP_LSN_RING samples remain. */
    for (int i = 0; i < PGP_LSN_RING + 10; i++)
        pgp_lsn_ring_add(&r, 200 + i, 10000 + (uint64_t)i * 10);
    assert_int_equal(r.n, PGP_LSN_RING);
    age = pgp_lsn_ring_age(&r, 10050, 200 + PGP_LSN_RING + 9, &lb);
    assert_true(lb);
    age = pgp_lsn_ring_age(&r, 10105, 200 + PGP_LSN_RING + 9, &lb);
    assert_false(lb);
    assert_true(age > 598.4 && age < 598.6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kbcli_form),   cmocka_unit_test(test_libpq_forms),
        cmocka_unit_test(test_bad_endpoints), cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_refused_scrubbed), cmocka_unit_test(test_lsn),
        cmocka_unit_test(test_ring_age),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
