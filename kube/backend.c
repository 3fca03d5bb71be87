#include "kube/backend.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/api.h"
#include "model/fmt.h"
#include "model/task_build.h"

typedef struct kube_backend {
    mt_backend base;
    kube_client *k;
    pthread_mutex_t mu;
    bool crds_ok;
    char label[256];
} kube_backend;

static kube_backend *kb_of(mt_backend *b) { return (kube_backend *)b; }

kube_client *kube_backend_client(mt_backend *b) { return kb_of(b)->k; }
const char *kube_backend_label(mt_backend *b) { return kb_of(b)->label; }

const char *const *kube_backend_contexts(mt_backend *b)
{
    static const char *const none[] = {NULL};
    const kube_config *c = kube_client_config(kb_of(b)->k);
    return c->contexts ? c->contexts : none;
}

const char *kube_backend_watch_namespace(mt_backend *b)
{
    const kube_config *c = kube_client_config(kb_of(b)->k);
    return c->all_namespaces ? NULL : c->namespace_;
}

static CURL *new_handle(void)
{
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    return h;
}

bool kube_backend_check_crds(mt_backend *b, CURL *h, char *err, size_t errlen)
{
    return kube_backend_check_crds_until(b, h, NULL, NULL, err, errlen);
}

bool kube_backend_check_crds_until(mt_backend *b, CURL *h, bool (*keep_going)(void *),
                                   void *ctx, char *err, size_t errlen)
{
    kube_backend *kb = kb_of(b);
    pthread_mutex_lock(&kb->mu);
    bool done = kb->crds_ok;
    pthread_mutex_unlock(&kb->mu);
    if (done)
        return true;
    if (!kube_check_crds_until(kb->k, h, keep_going, ctx, err, errlen))
        return false;
    pthread_mutex_lock(&kb->mu);
    kb->crds_ok = true;
    pthread_mutex_unlock(&kb->mu);
    return true;
}

static mt_snapshot *kb_fetch(mt_backend *b, const char *ns, const char *task, char *err,
                             size_t errlen)
{
    kube_backend *kb = kb_of(b);
    CURL *h = new_handle();
    mt_snapshot *s = mt_snapshot_new();
    char *paths[5] = {0};
    bool ok = kube_backend_check_crds(b, h, err, errlen);
    if (ok) {
        paths[0] = kube_path_tasks(ns);
        paths[1] = kube_path_templates();
        paths[2] = kube_path_workload("jobs", ns, task);
        paths[3] = kube_path_workload("pods", ns, task);
        paths[4] = kube_path_workload("statefulsets", ns, task);
        for (int i = 0; i < 5 && ok; i++)
            ok = kube_list_into(kb->k, h, paths[i], s, NULL, err, errlen);
    }
    for (int i = 0; i < 5; i++)
        free(paths[i]);
    curl_easy_cleanup(h);
    if (!ok) {
        mt_snapshot_free(s);
        return NULL;
    }
    s->taken_ms = fmt_now_ms();
    mt_snapshot_sort(s);
    return s;
}

static bool kb_create(mt_backend *b, const mt_create_req *req, char *err, size_t errlen)
{
    kube_backend *kb = kb_of(b);
    if (!mt_valid_name(req->name, err, errlen))
        return false;
    if (!req->template_name || !*req->template_name) {
        snprintf(err, errlen, "migration template is needed, use \"migtop templates\" to check "
                 "and specify one");
        return false;
    }
    const char *ns = req->namespace_ && *req->namespace_ ? req->namespace_
                                                         : kube_client_config(kb->k)->namespace_;
    CURL *h = new_handle();
    bool ok = kube_backend_check_crds(b, h, err, errlen);
    char *tpath = kube_path_template(req->template_name);
    cJSON *tmpl = ok ? kube_get_json(kb->k, h, tpath, NULL, err, errlen) : NULL;
    free(tpath);
    if (ok && !tmpl)
        ok = false;
    if (ok) {
        /* kbcli: a random server id for MySQL sources, 10001 otherwise. */
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(tmpl, "spec");
        const cJSON *src = cJSON_GetObjectItemCaseSensitive(spec, "source");
        const cJSON *db = cJSON_GetObjectItemCaseSensitive(src, "dbType");
        int64_t server_id = MT_PG_SERVER_ID;
        if (cJSON_IsString(db) && !strcmp(db->valuestring, "MySQL"))
            server_id = 10001 + (int64_t)((uint64_t)fmt_now_ms() % (4294967296LL - 20002));
        cJSON *obj = mt_task_build(req, ns, req->template_name, server_id);
        char *body = cJSON_PrintUnformatted(obj);
        cJSON_Delete(obj);
        char *path = kube_path_tasks(ns);
        kube_req r = {.method = "POST", .path = path, .body = body};
        kube_resp resp;
        ok = kube_do(kb->k, h, &r, &resp, err, errlen);
        kube_resp_free(&resp);
        free(path);
        free(body);
    }
    cJSON_Delete(tmpl);
    curl_easy_cleanup(h);
    return ok;
}

static bool kb_terminate(mt_backend *b, const char *ns, const char *task, char *err,
                         size_t errlen)
{
    kube_backend *kb = kb_of(b);
    CURL *h = new_handle();
    bool ok = kube_backend_check_crds(b, h, err, errlen);
    if (ok) {
        char *path = kube_path_task(ns && *ns ? ns : kube_client_config(kb->k)->namespace_, task);
        kube_req r = {.method = "DELETE", .path = path};
        kube_resp resp;
        ok = kube_do(kb->k, h, &r, &resp, err, errlen);
        kube_resp_free(&resp);
        free(path);
    }
    curl_easy_cleanup(h);
    return ok;
}

static const char *kb_default_namespace(mt_backend *b)
{
    return kube_client_config(kb_of(b)->k)->namespace_;
}

static const char *kb_scope(mt_backend *b)
{
    const char *ctx = kube_client_config(kb_of(b)->k)->context;
    return ctx && *ctx ? ctx : "in-cluster";
}

static void kb_free(mt_backend *b)
{
    kube_backend *kb = kb_of(b);
    if (!kb)
        return;
    kube_client_free(kb->k);
    pthread_mutex_destroy(&kb->mu);
    free(kb);
}

static const mt_backend_ops kube_ops = {
    .name = "kube",
    .fetch = kb_fetch,
    .logs = kube_backend_logs,
    .create = kb_create,
    .terminate = kb_terminate,
    .feed = kube_feed_new,
    .default_namespace = kb_default_namespace,
    .scope = kb_scope,
    .free = kb_free,
};

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

mt_backend *kube_backend_open(const kube_config_opts *o, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init);
    kube_config cfg;
    if (!kube_config_load(o, &cfg, err, errlen)) {
        kube_config_free(&cfg);
        return NULL;
    }
    kube_backend *kb = calloc(1, sizeof *kb);
    if (!kb)
        abort();
    kb->base.ops = &kube_ops;
    pthread_mutex_init(&kb->mu, NULL);
    snprintf(kb->label, sizeof kb->label, "kube %s/%s", cfg.context[0] ? cfg.context : "in-cluster",
             cfg.all_namespaces ? "all namespaces" : cfg.namespace_);
    kb->k = kube_client_new(&cfg);
    return &kb->base;
}
