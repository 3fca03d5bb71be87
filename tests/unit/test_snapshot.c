/* Snapshot parsing: the sample, kubectl's List, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/snapshot.h"
#include "test_sample.h"

static mt_snapshot *parse(const char *text, char *err)
{
    return mt_snapshot_parse(text, strlen(text), err, 512);
}

static void test_sample(void **st)
{
    mt_snapshot *s = test_sample_snapshot();
    assert_int_equal(s->n_templates, 2);
    assert_int_equal(s->n_tasks, 6);
    /* Sorted by namespace, then name. */
    assert_string_equal(s->tasks[0].meta.namespace_, "default");
    assert_string_equal(s->tasks[0].meta.name, "archive-copy");
    const mt_task *t = mt_snapshot_task(s, "prod", "orders-running");
    assert_non_null(t);
    assert_string_equal(t->task_status, "Running");
    assert_string_equal(t->source.password, "Src-Pa55-w0rd!");
    assert_int_equal(t->n_steps, 3);
    assert_int_equal(t->cdc.n_metrics, 2);
    assert_true(t->meta.created > 0);
    const mt_task *term = mt_snapshot_task(s, "prod", "legacy-sync");
    assert_true(term->meta.deleted > 0);
    assert_true(s->n_jobs >= 10);
    assert_true(s->n_pods >= 10);
    assert_int_equal(s->n_sts, 2);
    mt_snapshot_free(s);
}

static void test_shared_sample(void **st)
{
    /* ../shared/k8s/sample-list.json, when the checkout has shared/ beside it. */
    size_t len;
    char *text = test_read_source_file("../shared/k8s/sample-list.json", &len);
    if (!text)
        skip();
    char err[512] = "";
    mt_snapshot *s = mt_snapshot_parse(text, len, err, sizeof err);
    if (!s)
        fail_msg("shared sample rejected: %s", err);
    assert_true(s->n_tasks >= 1);
    assert_string_equal(s->tasks[0].meta.name, "mytask");
    assert_int_equal(s->tasks[0].objects.n_white, 1);
    mt_snapshot_free(s);
    free(text);
}

/* Parts: one snapshot's objects shared by others without a copy of their
 * memory; each holder frees in any order, the last one frees the part. */
static void test_parts_shared(void **st)
{
    (void)st;
    mt_snapshot *part = test_sample_snapshot();
    mt_snapshot_notice(part, "from the part");
    mt_snapshot_trim(part);
    mt_snapshot *a = mt_snapshot_new(), *b = mt_snapshot_new();
    mt_snapshot_add_part(a, part);
    mt_snapshot_add_part(b, part);
    mt_snapshot_add_part(b, part); /* twice: every object twice */
    size_t tasks = part->n_tasks, jobs = part->n_jobs;
    const char *name = part->tasks[0].meta.name;
    mt_snapshot_free(part); /* the maker lets go first */
    assert_int_equal(a->n_tasks, tasks);
    assert_int_equal(a->n_jobs, jobs);
    assert_int_equal(b->n_tasks, 2 * tasks);
    assert_ptr_equal(a->tasks[0].meta.name, name); /* shared, not copied */
    assert_int_equal(a->n_notices, 1);
    assert_string_equal(a->notices[0], "from the part");
    mt_snapshot_sort(b);
    mt_snapshot_free(a);
    /* b still reads every object the part held */
    assert_non_null(mt_snapshot_task(b, "prod", "orders-running"));
    assert_string_equal(mt_snapshot_task(b, "prod", "orders-running")->task_status, "Running");
    mt_snapshot_free(b);
}

static void test_errors_name_the_field(void **st)
{
    char err[512];
    assert_null(parse("", err));
    assert_non_null(strstr(err, "empty input"));
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[", err));
    assert_non_null(strstr(err, "truncated"));
    assert_null(parse("<html><body>502 Bad Gateway</body></html>", err));
    assert_non_null(strstr(err, "not valid JSON at line 1 column 1"));
    assert_null(parse("[1,2]", err));
    assert_non_null(strstr(err, "expected a JSON object"));
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v2\",\"items\":[]}", err));
    assert_non_null(strstr(err, "apiVersion \"v1\""));
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v1\"}", err));
    assert_string_equal(err, "items: required field is missing");
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[{\"kind\":\"MigrationTask\","
                      "\"apiVersion\":\"datamigration.apecloud.io/v1beta1\",\"metadata\":{\"name\":\"x\"}}]}", err));
    assert_non_null(strstr(err, "items[0].apiVersion: MigrationTask has apiVersion"));
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[{\"kind\":\"MigrationTask\","
                      "\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\",\"metadata\":{\"name\":\"x\"},"
                      "\"spec\":{\"template\":\"t\",\"sourceEndpoint\":{\"address\":5432}}}]}", err));
    assert_string_equal(err, "items[0].spec.sourceEndpoint.address: expected a string, got a number");
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[{\"kind\":\"MigrationTask\","
                      "\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\",\"metadata\":{\"name\":\"x\"},"
                      "\"spec\":{}}]}", err));
    assert_string_equal(err, "items[0].spec.template: required field is missing");
    assert_null(parse("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[{\"kind\":\"Job\","
                      "\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"j\",\"creationTimestamp\":\"yesterday\"}}]}", err));
    assert_non_null(strstr(err, "items[0].metadata.creationTimestamp: expected an RFC 3339 time"));
}

static void test_unknown_fields_and_kinds_ignored(void **st)
{
    char err[512];
    mt_snapshot *s = parse("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":["
                           "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"c\"}},"
                           "{\"kind\":\"MigrationTask\",\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\","
                           "\"metadata\":{\"name\":\"x\",\"future\":[1,{}]},\"spec\":{\"template\":\"t\",\"newThing\":true},"
                           "\"status\":{\"cdc\":{\"metrics\":{\"n\":42,\"o\":{\"a\":1}}}}}]}", err);
    assert_non_null(s);
    assert_int_equal(s->n_tasks, 1);
    assert_string_equal(s->tasks[0].task_type, "initialization-and-cdc");
    assert_string_equal(s->tasks[0].cdc.metrics[0].value, "42");
    assert_string_equal(s->tasks[0].cdc.metrics[1].value, "{\"a\":1}");
    mt_snapshot_free(s);
    /* A single object (kubectl get mt NAME -o json) works too. */
    s = parse("{\"kind\":\"MigrationTemplate\",\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\","
              "\"metadata\":{\"name\":\"t\"},\"spec\":{}}", err);
    assert_non_null(s);
    assert_int_equal(s->n_templates, 1);
    mt_snapshot_free(s);
}

static void test_deep_nesting(void **st)
{
    size_t n = 200000;
    char *deep = malloc(2 * n + 64);
    strcpy(deep, "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":");
    size_t p = strlen(deep);
    for (size_t i = 0; i < n; i++)
        deep[p++] = '[';
    for (size_t i = 0; i < n; i++)
        deep[p++] = ']';
    deep[p++] = '}';
    deep[p] = 0;
    char err[512];
    assert_null(mt_snapshot_parse(deep, p, err, sizeof err));
    assert_non_null(strstr(err, "nested deeper than"));
    free(deep);
}

static void test_truncated_everywhere(void **st)
{
    size_t len;
    char *text = test_read_source_file("tests/data/sample-snapshot.json", &len);
    assert_non_null(text);
    char err[512];
    /* Every prefix must be refused cleanly (or parse, never crash). */
    for (size_t cut = 0; cut < len; cut += 7) {
        mt_snapshot *s = mt_snapshot_parse(text, cut, err, sizeof err);
        if (s)
            mt_snapshot_free(s);
        else
            assert_true(err[0] != '\0');
    }
    /* Flip bytes into garbage at many offsets. */
    for (size_t at = 0; at < len; at += 13) {
        char saved = text[at];
        text[at] = (char)(at * 31 % 256) ? (char)(at * 31 % 256) : '!';
        mt_snapshot *s = mt_snapshot_parse(text, len, err, sizeof err);
        if (s)
            mt_snapshot_free(s);
        text[at] = saved;
    }
    free(text);
}

static void test_huge(void **st)
{
    /* 20,000 tasks: parses, and stays linear. */
    size_t cap = 20000 * 300 + 100, p = 0;
    char *big = malloc(cap);
    p += (size_t)sprintf(big + p, "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[");
    for (int i = 0; i < 20000; i++)
        p += (size_t)sprintf(big + p, "%s{\"kind\":\"MigrationTask\",\"apiVersion\":\"datamigration.apecloud.io/v1alpha1\","
                             "\"metadata\":{\"name\":\"t%05d\",\"namespace\":\"ns\"},\"spec\":{\"template\":\"x\"},"
                             "\"status\":{\"taskStatus\":\"Running\"}}", i ? "," : "", 19999 - i);
    p += (size_t)sprintf(big + p, "]}");
    char err[512];
    mt_snapshot *s = mt_snapshot_parse(big, p, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(s->n_tasks, 20000);
    assert_string_equal(s->tasks[0].meta.name, "t00000");
    mt_snapshot_free(s);
    /* A 64 MiB string value is just a string. */
    size_t hn = 64u << 20;
    char *huge = malloc(hn + 200);
    p = (size_t)sprintf(huge, "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[],\"x\":\"");
    memset(huge + p, 'a', hn);
    p += hn;
    p += (size_t)sprintf(huge + p, "\"}");
    s = mt_snapshot_parse(huge, p, err, sizeof err);
    assert_non_null(s);
    mt_snapshot_free(s);
    free(huge);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_shared_sample),
        cmocka_unit_test(test_parts_shared),
        cmocka_unit_test(test_errors_name_the_field),
        cmocka_unit_test(test_unknown_fields_and_kinds_ignored),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
