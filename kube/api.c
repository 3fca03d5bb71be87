#include "kube/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/jsonx.h"
#include "model/task.h"

static char *fmt_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_path(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (!s)
        abort();
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

char *kube_path_tasks(const char *ns)
{
    if (!ns || !*ns)
        return fmt_path(KUBE_MT_BASE "/migrationtasks");
    return fmt_path(KUBE_MT_BASE "/namespaces/%s/migrationtasks", ns);
}

char *kube_path_task(const char *ns, const char *name)
{
    return fmt_path(KUBE_MT_BASE "/namespaces/%s/migrationtasks/%s", ns, name);
}

char *kube_path_templates(void) { return fmt_path(KUBE_MT_BASE "/migrationtemplates"); }

char *kube_path_template(const char *name)
{
    return fmt_path(KUBE_MT_BASE "/migrationtemplates/%s", name);
}

char *kube_path_workload(const char *kind, const char *ns, const char *task)
{
    const char *group = !strcmp(kind, "pods") ? "/api/v1"
                        : !strcmp(kind, "jobs") ? "/apis/batch/v1"
                                                : "/apis/apps/v1";
    char *sel;
    if (task) {
        size_t n = strlen(MT_LABEL_TASK) + strlen(task) + 2;
        char *raw = malloc(n);
        snprintf(raw, n, "%s=%s", MT_LABEL_TASK, task);
        sel = kube_escape(raw);
        free(raw);
    } else {
        sel = kube_escape(MT_LABEL_TASK); /* "has the label" */
    }
    char *p = ns && *ns ? fmt_path("%s/namespaces/%s/%s?labelSelector=%s", group, ns, kind, sel)
                        : fmt_path("%s/%s?labelSelector=%s", group, kind, sel);
    free(sel);
    return p;
}

cJSON *kube_get_json(kube_client *k, CURL *h, const char *path, long *status, char *err,
                     size_t errlen)
{
    kube_req r = {.method = "GET", .path = path};
    kube_resp resp;
    bool ok = kube_do(k, h, &r, &resp, err, errlen);
    if (status)
        *status = resp.status;
    if (!ok) {
        kube_resp_free(&resp);
        return NULL;
    }
    char perr[256];
    cJSON *doc = jx_parse(resp.body.data ? resp.body.data : "", resp.body.len, perr, sizeof perr);
    if (!doc)
        snprintf(err, errlen, "the server's answer to GET %s is not valid JSON (%s)", path, perr);
    else if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "the server's answer to GET %s is not a JSON object", path);
        cJSON_Delete(doc);
        doc = NULL;
    }
    kube_resp_free(&resp);
    return doc;
}

bool kube_list_into(kube_client *k, CURL *h, const char *path, mt_snapshot *s, char **rv,
                    char *err, size_t errlen)
{
    cJSON *doc = kube_get_json(k, h, path, NULL, err, errlen);
    if (!doc)
        return false;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "apiVersion");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
    bool ok = true;
    if (!cJSON_IsArray(items) && !(items && cJSON_IsNull(items))) {
        snprintf(err, errlen, "the server's answer to GET %s is not a list (no items)", path);
        ok = false;
    }
    char item_kind[128] = "";
    if (ok && cJSON_IsString(kind)) {
        size_t kl = strlen(kind->valuestring);
        if (kl > 4 && !strcmp(kind->valuestring + kl - 4, "List"))
            snprintf(item_kind, sizeof item_kind, "%.*s", (int)(kl - 4), kind->valuestring);
    }
    jx c;
    jx_init(&c, &s->mem);
    int i = 0;
    cJSON *it, *arr = cJSON_IsArray(items) ? (cJSON *)items : NULL;
    cJSON_ArrayForEach(it, arr) {
        if (!ok)
            break;
        if (cJSON_IsObject(it)) {
            if (!cJSON_GetObjectItemCaseSensitive(it, "kind") && item_kind[0])
                cJSON_AddStringToObject(it, "kind", item_kind);
            if (!cJSON_GetObjectItemCaseSensitive(it, "apiVersion") && cJSON_IsString(ver))
                cJSON_AddStringToObject(it, "apiVersion", ver->valuestring);
        }
        char ipath[32];
        snprintf(ipath, sizeof ipath, "items[%d]", i++);
        if (!mt_snapshot_add(s, &c, it, ipath)) {
            snprintf(err, errlen, "GET %s: %s", path, c.err);
            ok = false;
        }
    }
    if (ok && rv) {
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
        *rv = strdup(cJSON_IsString(v) ? v->valuestring : "");
    }
    cJSON_Delete(doc);
    return ok;
}

bool kube_get_into(kube_client *k, CURL *h, const char *path, mt_snapshot *s, char *err,
                   size_t errlen)
{
    cJSON *doc = kube_get_json(k, h, path, NULL, err, errlen);
    if (!doc)
        return false;
    jx c;
    jx_init(&c, &s->mem);
    bool ok = mt_snapshot_add(s, &c, doc, "object");
    if (!ok)
        snprintf(err, errlen, "GET %s: %s", path, c.err);
    cJSON_Delete(doc);
    return ok;
}

bool kube_check_crds(kube_client *k, CURL *h, char *err, size_t errlen)
{
    return kube_check_crds_until(k, h, NULL, NULL, err, errlen);
}

bool kube_check_crds_until(kube_client *k, CURL *h, bool (*keep_going)(void *), void *ctx,
                           char *err, size_t errlen)
{
    static const char *const crds[] = {"migrationtasks.datamigration.apecloud.io",
                                       "migrationtemplates.datamigration.apecloud.io",
                                       "serialjobs.common.apecloud.io"};
    for (size_t i = 0; i < sizeof crds / sizeof *crds; i++) {
        char path[160];
        snprintf(path, sizeof path, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/%s",
                 crds[i]);
        kube_req r = {.method = "GET", .path = path, .keep_going = keep_going, .ctx = ctx};
        kube_resp resp;
        bool ok = kube_do(k, h, &r, &resp, err, errlen);
        long st = resp.status;
        kube_resp_free(&resp);
        if (!ok && st == 404) {
            snprintf(err, errlen, "customresourcedefinitions.apiextensions.k8s.io \"%s\" not "
                     "found\nhint: %s", crds[i], KUBE_CRD_HINT);
            return false;
        }
        if (!ok)
            return false;
    }
    return true;
}
