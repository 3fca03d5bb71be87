/* kbcli-compatible create flags: endpoints, migration objects, steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "model/flags.h"

static void test_endpoint(void **st)
{
    arena a;
    arena_init(&a);
    mt_endpoint_arg e;
    char err[256];
    assert_true(mt_parse_endpoint(&a, "source", "user:123456@127.0.0.1:5432/db_test", &e, err, sizeof err));
    assert_string_equal(e.user, "user");
    assert_string_equal(e.password, "123456");
    assert_string_equal(e.address, "127.0.0.1:5432");
    assert_string_equal(e.host, "127.0.0.1");
    assert_int_equal(e.port, 5432);
    assert_string_equal(e.database, "db_test");
    /* database optional, port default, password with @ and : */
    assert_true(mt_parse_endpoint(&a, "sink", " u:p@ss:w@db.example ", &e, err, sizeof err));
    assert_string_equal(e.password, "p@ss:w");
    assert_string_equal(e.host, "db.example");
    assert_int_equal(e.port, 5432);
    assert_string_equal(e.database, "");
    assert_true(mt_parse_endpoint(&a, "sink", "u:p@[::1]:6543/x", &e, err, sizeof err));
    assert_string_equal(e.host, "::1");
    assert_int_equal(e.port, 6543);

    assert_false(mt_parse_endpoint(&a, "source", "", &e, err, sizeof err));
    assert_non_null(strstr(err, "--source: endpoint string cannot be empty"));
    assert_false(mt_parse_endpoint(&a, "source", "127.0.0.1:5432/db", &e, err, sizeof err));
    assert_non_null(strstr(err, "no account info"));
    /* A user without a password: it comes from ~/.pgpass or a prompt. */
    assert_true(mt_parse_endpoint(&a, "source", "user@127.0.0.1:5432/db", &e, err, sizeof err));
    assert_string_equal(e.user, "user");
    assert_string_equal(e.password, "");
    assert_false(mt_parse_endpoint(&a, "source", ":pw@127.0.0.1:5432/db", &e, err, sizeof err));
    assert_non_null(strstr(err, "no user name"));
    assert_false(mt_parse_endpoint(&a, "source", "u:p\nq@127.0.0.1:5432/db", &e, err, sizeof err));
    assert_non_null(strstr(err, "control character"));
    assert_false(mt_parse_endpoint(&a, "sink", "u:p@host:99999/db", &e, err, sizeof err));
    assert_non_null(strstr(err, "--sink: port \"99999\""));
    assert_false(mt_parse_endpoint(&a, "sink", "u:p@::1:5432/db", &e, err, sizeof err));
    assert_non_null(strstr(err, "brackets"));
    assert_false(mt_parse_endpoint(&a, "sink", "u:p@/db", &e, err, sizeof err));
    arena_free(&a);
}

static void test_objects(void **st)
{
    arena a;
    arena_init(&a);
    mt_objects o;
    char err[256];
    const char *v1[] = {"\"public.t1\",\"public.t2\""};
    assert_true(mt_parse_objects(&a, v1, 1, &o, err, sizeof err));
    assert_int_equal(o.n_white, 1);
    assert_string_equal(o.white[0].schema, "public");
    assert_false(o.white[0].is_all);
    assert_int_equal(o.white[0].n_tables, 2);
    assert_string_equal(o.white[0].tables[1].name, "t2");
    assert_true(o.white[0].tables[1].is_all);
    assert_string_equal(mt_objects_string(&a, &o), "public.t1,public.t2");

    const char *v2[] = {"\"public\"", "sales.orders,\"My Schema.My \"\"T\"\"\""};
    assert_true(mt_parse_objects(&a, v2, 2, &o, err, sizeof err));
    assert_int_equal(o.n_white, 3);
    assert_true(o.white[0].is_all);
    assert_string_equal(o.white[2].schema, "My Schema");
    assert_string_equal(o.white[2].tables[0].name, "My \"T\"");
    assert_string_equal(mt_objects_string(&a, &o), "public,sales.orders,My Schema.\"My \"\"T\"\"\"");

    /* SQL's quotes for names with dots, quotes or commas, and kbcli's
     * list quotes around them: both read back as written. */
    const char *v3[] = {"\"Sp1eCial .Char\".\"t.1\",\"\"\"Sp1eCial .Char\"\"\",s.\"a,b\""};
    assert_true(mt_parse_objects(&a, v3, 1, &o, err, sizeof err));
    assert_int_equal(o.n_white, 3);
    assert_string_equal(o.white[0].schema, "Sp1eCial .Char");
    assert_string_equal(o.white[0].tables[0].name, "t.1");
    assert_string_equal(o.white[1].schema, "Sp1eCial .Char");
    assert_true(o.white[1].is_all);
    assert_string_equal(o.white[2].schema, "s");
    assert_string_equal(o.white[2].tables[0].name, "a,b");
    strbuf b = {0};
    mt_object_arg(&b, "Sp1eCial .Char", NULL);
    mt_object_arg(&b, "My \"S\"", "x.y");
    mt_object_arg(&b, "public", "t1");
    const char *v4[] = {strbuf_str(&b)};
    assert_true(mt_parse_objects(&a, v4, 1, &o, err, sizeof err));
    assert_int_equal(o.n_white, 3);
    assert_string_equal(o.white[0].schema, "Sp1eCial .Char");
    assert_true(o.white[0].is_all);
    assert_string_equal(o.white[1].schema, "My \"S\"");
    assert_string_equal(o.white[1].tables[0].name, "x.y");
    assert_string_equal(o.white[2].tables[0].name, "t1");
    strbuf_free(&b);
    const char *bad5[] = {"\"unterminated.\"t"};
    assert_false(mt_parse_objects(&a, bad5, 1, &o, err, sizeof err));

    assert_false(mt_parse_objects(&a, NULL, 0, &o, err, sizeof err));
    assert_non_null(strstr(err, "cannot be empty"));
    const char *bad1[] = {"a.b.c"};
    assert_false(mt_parse_objects(&a, bad1, 1, &o, err, sizeof err));
    assert_non_null(strstr(err, "[a.b.c] is not a valid"));
    const char *bad2[] = {"\"public.t1"};
    assert_false(mt_parse_objects(&a, bad2, 1, &o, err, sizeof err));
    assert_non_null(strstr(err, "unterminated quote"));
    const char *bad3[] = {"public.t1,,public.t2"};
    assert_false(mt_parse_objects(&a, bad3, 1, &o, err, sizeof err));
    const char *bad4[] = {"public."};
    assert_false(mt_parse_objects(&a, bad4, 1, &o, err, sizeof err));
    assert_non_null(strstr(err, "empty table name"));
    arena_free(&a);
}

static void test_steps(void **st)
{
    mt_steps_arg s;
    char err[256];
    assert_true(mt_parse_steps(NULL, 0, &s, err, sizeof err));
    assert_string_equal(s.task_type, "initialization-and-cdc");
    assert_int_equal(s.n_steps, 3);
    assert_string_equal(s.steps[0], "preCheck");
    const char *v[] = {"precheck=true,init-struct=false,init-data=true,cdc=false"};
    assert_true(mt_parse_steps(v, 1, &s, err, sizeof err));
    assert_string_equal(s.task_type, "initialization");
    assert_int_equal(s.n_steps, 2);
    assert_string_equal(s.steps[1], "initData");
    assert_false(s.cdc);
    const char *v2[] = {" CDC = TRUE "};
    assert_true(mt_parse_steps(v2, 1, &s, err, sizeof err));
    assert_true(s.cdc);
    const char *b1[] = {"init-data=false"};
    assert_false(mt_parse_steps(b1, 1, &s, err, sizeof err));
    assert_non_null(strstr(err, "init-data is needed"));
    const char *b2[] = {"foo=true"};
    assert_false(mt_parse_steps(b2, 1, &s, err, sizeof err));
    assert_non_null(strstr(err, "[foo=true]"));
    const char *b3[] = {"cdc=yes"};
    assert_false(mt_parse_steps(b3, 1, &s, err, sizeof err));
    assert_non_null(strstr(err, "true, false"));
    const char *b4[] = {"cdc"};
    assert_false(mt_parse_steps(b4, 1, &s, err, sizeof err));
}

static void test_name(void **st)
{
    char err[256];
    assert_true(mt_valid_name("orders-1", err, sizeof err));
    assert_false(mt_valid_name("Orders", err, sizeof err));
    assert_non_null(strstr(err, "'O'"));
    assert_false(mt_valid_name("a.b", err, sizeof err));
    assert_false(mt_valid_name("-a", err, sizeof err));
    assert_false(mt_valid_name("", err, sizeof err));
    char longname[80];
    memset(longname, 'a', 70);
    longname[70] = 0;
    assert_false(mt_valid_name(longname, err, sizeof err));
    arena a;
    arena_init(&a);
    assert_string_equal(mt_slot_name(&a, "orders-1"), "orders_1");
    assert_string_equal(mt_publication_name(&a, "orders-1"), "orders_1_publication_for_all_tables");
    arena_free(&a);
}

static void masked_is(const char *in, const char *want)
{
    char b[256];
    snprintf(b, sizeof b, "%s", in);
    mt_mask_endpoint_secrets(b);
    assert_string_equal(b, want);
}

/* A URI or key=value pairs typed into a field: the password never shown. */
static void test_rate(void **state)
{
    (void)state;
    long long r;
    char err[256];
    assert_true(mt_parse_rate("16MB", &r, err, sizeof err));
    assert_int_equal(r, 16000000);
    assert_true(mt_parse_rate("1.5GiB/s", &r, err, sizeof err));
    assert_int_equal(r, 1610612736);
    assert_true(mt_parse_rate("500k", &r, err, sizeof err));
    assert_int_equal(r, 500000);
    assert_true(mt_parse_rate("0", &r, err, sizeof err));
    assert_int_equal(r, 0);
    assert_true(mt_parse_rate("2048", &r, err, sizeof err));
    assert_int_equal(r, 2048);
    const char *bad[] = {"", "fast", "-3MB", "16 MB", "16MB/h", "16Mb/s/s", "1e99", "16TB"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(mt_parse_rate(bad[i], &r, err, sizeof err));
        assert_non_null(strstr(err, "--copy-rate must be bytes a second"));
    }
}

static void test_mask_secrets(void **state)
{
    (void)state;
    masked_is("postgresql://u:S3cret@h:5432/db", "postgresql://u:******@h:5432/db");
    masked_is("postgres://u@h/db?password=pw&sslmode=require",
              "postgres://u@h/db?password=**&sslmode=require");
    masked_is("host=h password=S3cret user=u", "host=h password=****** user=u");
    masked_is("host=h password = 'a b\\'c' user=u", "host=h password = '******' user=u");
    masked_is("postgresql://u@h:5432/db", "postgresql://u@h:5432/db");
    masked_is("postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db");
    masked_is("service=shop", "service=shop");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint), cmocka_unit_test(test_objects),
        cmocka_unit_test(test_mask_secrets), cmocka_unit_test(test_rate),
        cmocka_unit_test(test_steps), cmocka_unit_test(test_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
