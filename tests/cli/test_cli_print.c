/* The commands' printers and flag parsing, byte for byte: kubectl-style
 * tables, YAML and JSON laid out as kubectl prints them, and flags taken
 * the way cobra takes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/args.h"
#include "cli/jsonpath.h"
#include "cli/print_object.h"
#include "cli/print_table.h"
#include "model/print_yaml.h"

typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture;

static FILE *cap_open(capture *c)
{
    c->buf = NULL;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
    return c->f;
}

static void cap_check(capture *c, const char *want)
{
    fclose(c->f);
    assert_string_equal(c->buf, want);
    free(c->buf);
}

static void test_table_layout(void **state)
{
    (void)state;
    ptable t;
    ptable_init(&t, 3);
    const char *h[] = {"NAME", "STATUS", "AGE"};
    const char *r1[] = {"orders", "Running", "5m"};
    const char *r2[] = {"a", "Prepare", ""};       /* trailing empty cell: no blanks */
    const char *r3[] = {"café", NULL, "1s"};        /* width by code points, NULL = "" */
    ptable_row(&t, h);
    ptable_row(&t, r1);
    ptable_row(&t, r2);
    ptable_row(&t, r3);
    capture c;
    ptable_print(&t, cap_open(&c));
    cap_check(&c, "NAME     STATUS    AGE\n"
                  "orders   Running   5m\n"
                  "a        Prepare\n"
                  "café               1s\n");
    ptable_free(&t);
}

static const char sample_json[] =
    "{\"metadata\":{\"name\":\"t1\",\"creationTimestamp\":\"2026-11-25T21:52:57Z\","
    "\"labels\":{\"a/b\":\"true\",\"n\":\"123\"}},"
    "\"spec\":{\"steps\":[\"preCheck\",\"initData\"],\"empty\":{},\"none\":[],"
    "\"objs\":[{\"schemaName\":\"public\",\"isAll\":false,\"tableList\":null},"
    "{\"schemaName\":\"s: x\",\"tableList\":[{\"tableName\":\"\",\"isAll\":true}]}],"
    "\"n\":10001,\"f\":1.5,\"addr\":\"10.0.0.1:5432\",\"dash\":\"-x\",\"sp\":\" x\"}}";

static void test_yaml_layout(void **state)
{
    (void)state;
    cJSON *v = cJSON_Parse(sample_json);
    assert_non_null(v);
    capture c;
    print_yaml(cap_open(&c), v);
    cap_check(&c, "metadata:\n"
                  "  name: t1\n"
                  "  creationTimestamp: \"2026-11-25T21:52:57Z\"\n"
                  "  labels:\n"
                  "    a/b: \"true\"\n"
                  "    \"n\": \"123\"\n" /* n is a YAML 1.1 boolean, quoted as a key too */
                  "spec:\n"
                  "  steps:\n"
                  "  - preCheck\n"
                  "  - initData\n"
                  "  empty: {}\n"
                  "  none: []\n"
                  "  objs:\n"
                  "  - schemaName: public\n"
                  "    isAll: false\n"
                  "    tableList: null\n"
                  "  - schemaName: \"s: x\"\n"
                  "    tableList:\n"
                  "    - tableName: \"\"\n"
                  "      isAll: true\n"
                  "  \"n\": 10001\n"
                  "  f: 1.5\n"
                  "  addr: 10.0.0.1:5432\n"
                  "  dash: \"-x\"\n"
                  "  sp: \" x\"\n");
    cJSON_Delete(v);
}

static void test_json_layout(void **state)
{
    (void)state;
    cJSON *v = cJSON_Parse("{\"a\":[1,{\"b\":{}}],\"c\":[],\"d\":\"x\\\"y\",\"e\":null}");
    capture c;
    print_object(cap_open(&c), v, false);
    cap_check(&c, "{\n"
                  "    \"a\": [\n"
                  "        1,\n"
                  "        {\n"
                  "            \"b\": {}\n"
                  "        }\n"
                  "    ],\n"
                  "    \"c\": [],\n"
                  "    \"d\": \"x\\\"y\",\n"
                  "    \"e\": null\n"
                  "}\n");
    cJSON_Delete(v);
}

static void test_durations(void **state)
{
    (void)state;
    long s = -1;
    assert_true(cli_parse_duration("30", &s));
    assert_int_equal(s, 30);
    assert_true(cli_parse_duration("45s", &s));
    assert_int_equal(s, 45);
    assert_true(cli_parse_duration("5m", &s));
    assert_int_equal(s, 300);
    assert_true(cli_parse_duration("1h30m", &s));
    assert_int_equal(s, 5400);
    assert_true(cli_parse_duration("2h0m5s", &s));
    assert_int_equal(s, 7205);
    const char *bad[] = {"", "5x", "m", "10s5", "-5s", "1.5h", "99999999999h"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(cli_parse_duration(bad[i], &s));
}

static void test_flags(void **state)
{
    (void)state;
    char *argv[] = {"list", "-ojson", "--output=yaml", "-o", "wide", "-nprod", "--namespace=x",
                    "-A", "--context", "c1", "NAME", "-o"};
    int argc = (int)(sizeof argv / sizeof *argv);
    char err[128];
    const char *v;
    int i = 1;
    assert_int_equal(flag_take("--output", "-o", argc, argv, &i, &v, err, sizeof err), 1);
    assert_string_equal(v, "json");
    assert_int_equal(flag_take("--output", "-o", argc, argv, &i, &v, err, sizeof err), 1);
    assert_string_equal(v, "yaml");
    assert_int_equal(flag_take("--output", "-o", argc, argv, &i, &v, err, sizeof err), 1);
    assert_string_equal(v, "wide");
    cli_output out;
    assert_true(cli_parse_output(v, &out));
    assert_int_equal(out, OUT_WIDE);
    assert_false(cli_parse_output("xml", &out));
    cli c = {.cmd = "list"};
    while (i < argc - 1)
        assert_int_equal(cli_common(&c, argc, argv, &i), 1);
    assert_string_equal(c.bargs.namespace_, "x"); /* the last -n wins */
    assert_true(c.bargs.all_namespaces);
    assert_string_equal(c.bargs.context, "c1");
    assert_int_equal(c.n_pos, 1);
    assert_string_equal(c.pos[0], "NAME");
    /* -o at the end has no value. */
    assert_int_equal(flag_take("--output", "-o", argc, argv, &i, &v, err, sizeof err), -1);
    assert_string_equal(err, "flag needs an argument: -o");
}

/* -o jsonpath=: what scripts write, as kubectl prints it. */
static void jp(const char *tmpl, const char *want)
{
    cJSON *o = cJSON_Parse("{\"items\":[{\"metadata\":{\"name\":\"a\"},\"status\":{\"n\":1}},"
                           "{\"metadata\":{\"name\":\"b\"},\"status\":{\"n\":2,\"l\":[1,2,3]}}]}");
    assert_non_null(o);
    strbuf out = {0};
    char err[200] = "";
    bool ok = jsonpath_run(tmpl, o, &out, err, sizeof err);
    if (want) {
        assert_true(ok);
        assert_string_equal(strbuf_str(&out), want);
    } else {
        assert_false(ok);
        assert_true(err[0] != '\0');
    }
    strbuf_free(&out);
    cJSON_Delete(o);
}

static void test_jsonpath(void **state)
{
    (void)state;
    jp("{.items[*].metadata.name}", "a b");
    jp("{.items[0].metadata.name}", "a");
    jp("{.items[-1].status.l[-1]}", "3");
    jp("{range .items[*]}{.metadata.name}={.status.n}{\"\\n\"}{end}", "a=1\nb=2\n");
    jp("names: {.items[*].metadata.name}.", "names: a b.");
    jp("{.items[1].status}", "{\"n\":2,\"l\":[1,2,3]}");
    jp("{.nope.deeper}|{.items[9]}", "|");
    jp("{range .items[*]}{@.metadata.name}{end}", "ab");
    jp("{range .items[*]}{range .status.l[*]}{@}{end};{end}", ";123;");
    jp("{.items[x]}", NULL);
    jp("{.items", NULL);
    jp("{range .items[*]}", NULL);
    jp("{end}", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_layout), cmocka_unit_test(test_yaml_layout),
        cmocka_unit_test(test_json_layout), cmocka_unit_test(test_durations),
        cmocka_unit_test(test_flags), cmocka_unit_test(test_jsonpath),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
