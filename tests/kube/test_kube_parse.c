/* The parts of kube/ that read what comes over the wire, without a
 * server: Status bodies and what a proxy sends instead, watch streams cut
 * at every possible byte, ExecCredential documents, base64 and kubeconfig
 * YAML. (Against a real server: kube_client_test.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/client.h"
#include "kube/exec_cred.h"
#include "kube/kubeconfig.h"
#include "kube/watch.h"
#include "kube/yaml_json.h"

static void status_msg(long code, const char *ctype, const char *body, char *out, size_t n)
{
    kube_status_message(code, ctype, body, strlen(body), "GET", "/x", out, n);
}

static void test_status_bodies(void **state)
{
    (void)state;
    char e[512];
    status_msg(404, "application/json",
               "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
               "\"migrationtasks.datamigration.apecloud.io \\\"x\\\" not found\",\"reason\":"
               "\"NotFound\",\"code\":404}",
               e, sizeof e);
    assert_string_equal(e, "Error from server (NotFound): migrationtasks.datamigration.apecloud.io "
                           "\"x\" not found");
    status_msg(401, "application/json",
               "{\"kind\":\"Status\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\"}", e,
               sizeof e);
    assert_string_equal(e, "You must be logged in to the server (Unauthorized)");
    status_msg(401, "", "", e, sizeof e);
    assert_string_equal(e, "You must be logged in to the server (Unauthorized)");
    status_msg(500, "application/json", "{\"kind\":\"Status\",\"message\":\"boom\"}", e, sizeof e);
    assert_string_equal(e, "Error from server (HTTP 500): boom");
    status_msg(502, "text/html", "<html><head><title>502 Bad Gateway</title></head></html>", e,
               sizeof e);
    assert_non_null(strstr(e, "HTML page (502 Bad Gateway)"));
    /* HTML without a title: the text itself, never uninitialised bytes. */
    status_msg(503, "text/html", "<p>down\n for\tmaintenance</p>", e, sizeof e);
    assert_non_null(strstr(e, "HTML page (<p>down for maintenance</p>)"));
    status_msg(500, "text/plain", "\x01\x02garbage\xff", e, sizeof e);
    assert_non_null(strstr(e, "text/plain that is not a Kubernetes Status: \"??garbage?\""));
    status_msg(500, "application/json", "{\"kind\":\"Status\",", e, sizeof e); /* cut */
    assert_non_null(strstr(e, "that is not a Kubernetes Status"));
    status_msg(504, "", "", e, sizeof e);
    assert_string_equal(e, "the server answered HTTP 504 to GET /x with an empty body");
}

static const char STREAM[] =
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"MigrationTask\",\"metadata\":{\"name\":\"a\","
    "\"namespace\":\"ns\",\"resourceVersion\":\"10\"}}}\n"
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"MigrationTask\",\"metadata\":{\"name\":\"b\","
    "\"namespace\":\"ns\",\"resourceVersion\":\"11\"}}}\r\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"MigrationTask\",\"metadata\":"
    "{\"resourceVersion\":\"15\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"kind\":\"MigrationTask\",\"metadata\":{\"name\":\"a\","
    "\"namespace\":\"ns\",\"resourceVersion\":\"16\"}}}\n";

/* Every split of the stream into two chunks gives the same store. */
static void test_watch_chunks(void **state)
{
    (void)state;
    size_t n = strlen(STREAM);
    for (size_t cut = 0; cut <= n; cut++) {
        kwatch *w = kwatch_new("migrationtasks", "/x", 90);
        assert_true(kwatch_feed_bytes(w, STREAM, cut));
        assert_true(kwatch_feed_bytes(w, STREAM + cut, n - cut));
        assert_int_equal(w->events, 4);
        assert_string_equal(w->rv, "16");
        assert_null(cJSON_GetObjectItemCaseSensitive(w->store, "ns/a"));
        assert_non_null(cJSON_GetObjectItemCaseSensitive(w->store, "ns/b"));
        assert_int_equal(w->line.len, 0);
        kwatch_free(w, NULL);
    }
    /* One byte at a time. */
    kwatch *w = kwatch_new("migrationtasks", "/x", 90);
    for (size_t i = 0; i < n; i++)
        assert_true(kwatch_feed_bytes(w, STREAM + i, 1));
    assert_int_equal(w->events, 4);
    kwatch_free(w, NULL);
}

static void test_watch_errors(void **state)
{
    (void)state;
    kwatch *w = kwatch_new("migrationtasks", "/x", 90);
    const char *gone = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
                       "\"reason\":\"Expired\",\"message\":\"too old resource version\"}}\n";
    assert_false(kwatch_feed_bytes(w, gone, strlen(gone)));
    assert_true(w->gone);
    kwatch_free(w, NULL);

    w = kwatch_new("migrationtasks", "/x", 90);
    const char *html = "<html><title>502</title></html>\n";
    assert_false(kwatch_feed_bytes(w, html, strlen(html)));
    assert_non_null(strstr(w->stream_err, "not a watch event"));
    assert_false(w->gone);
    kwatch_free(w, NULL);

    w = kwatch_new("migrationtasks", "/x", 90);
    const char *err = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500,"
                      "\"message\":\"etcd is sad\"}}\n";
    assert_false(kwatch_feed_bytes(w, err, strlen(err)));
    assert_string_equal(w->stream_err, "the migrationtasks watch failed: etcd is sad");
    kwatch_free(w, NULL);
}

static void test_exec_parse(void **state)
{
    (void)state;
    const char *v1 = "client.authentication.k8s.io/v1";
    char e[256];
    kube_exec_cred c;
    const char *ok = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                     "\"ExecCredential\",\"status\":{\"token\":\"t0k\",\"expirationTimestamp\":"
                     "\"2030-01-02T03:04:05Z\"}}";
    assert_true(kube_exec_parse(v1, ok, strlen(ok), &c, e, sizeof e));
    assert_string_equal(c.token, "t0k");
    assert_int_equal(c.expires_ms, 1893553445000LL);
    kube_exec_cred_clear(&c);
    assert_false(kube_exec_parse("client.authentication.k8s.io/v1beta1", ok, strlen(ok), &c, e,
                                 sizeof e));
    assert_non_null(strstr(e, "plugin returned version client.authentication.k8s.io/v1"));
    const char *half = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                       "\"ExecCredential\",\"status\":{\"clientCertificateData\":\"PEM\"}}";
    assert_false(kube_exec_parse(v1, half, strlen(half), &c, e, sizeof e));
    assert_null(c.cert_pem);
    assert_false(kube_exec_parse(v1, "not json", 8, &c, e, sizeof e));
    assert_non_null(strstr(e, "decoding stdout"));
    const char *badtime = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                          "\"ExecCredential\",\"status\":{\"token\":\"t\",\"expirationTimestamp\":"
                          "\"tomorrow\"}}";
    assert_false(kube_exec_parse(v1, badtime, strlen(badtime), &c, e, sizeof e));
    assert_null(c.token);
}

static void test_base64_and_yaml(void **state)
{
    (void)state;
    arena a;
    arena_init(&a);
    kube_blob b;
    assert_true(kube_base64_decode(&a, "aGVs\nbG8=", &b));
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "hello", 5);
    assert_false(kube_base64_decode(&a, "a*b", &b));
    arena_free(&a);

    char e[256];
    const char *y = "apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: https://h:1\n"
                    "    insecure-skip-tls-verify: true\ncurrent-context: x\n";
    cJSON *doc = kube_yaml_parse(y, strlen(y), e, sizeof e);
    assert_non_null(doc);
    cJSON *cl = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "clusters"), 0);
    cJSON *body = cJSON_GetObjectItem(cl, "cluster");
    assert_string_equal(cJSON_GetObjectItem(body, "server")->valuestring, "https://h:1");
    assert_string_equal(cJSON_GetObjectItem(body, "insecure-skip-tls-verify")->valuestring, "true");
    cJSON_Delete(doc);
    assert_null(kube_yaml_parse("a: [1, 2\n", 9, e, sizeof e));
    assert_non_null(strstr(e, "line"));
    doc = kube_yaml_parse("", 0, e, sizeof e);
    assert_true(cJSON_IsObject(doc));
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_bodies), cmocka_unit_test(test_watch_chunks),
        cmocka_unit_test(test_watch_errors), cmocka_unit_test(test_exec_parse),
        cmocka_unit_test(test_base64_and_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
