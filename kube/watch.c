#include "kube/watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"
#include "model/jsonx.h"

#define MAX_LINE (16u << 20) /* one event; a bigger one is a broken stream */

kwatch *kwatch_new(const char *what, const char *path, long idle_s)
{
    kwatch *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    w->what = strdup(what);
    w->path = strdup(path);
    w->store = cJSON_CreateObject();
    w->idle_s = idle_s;
    return w;
}

static void stop_stream(kwatch *w, CURLM *m)
{
    if (!w->active)
        return;
    curl_multi_remove_handle(m, w->h);
    char err[64];
    kube_xfer_done(w->x, CURLE_OK, err, sizeof err);
    w->x = NULL;
    w->active = false;
    kube_resp_free(&w->resp);
}

void kwatch_abort(kwatch *w, CURLM *m, const char *why)
{
    stop_stream(w, m);
    w->healthy = false;
    w->line.len = 0;
    snprintf(w->err, sizeof w->err, "%s", why);
}

void kwatch_free(kwatch *w, CURLM *m)
{
    if (!w)
        return;
    stop_stream(w, m);
    if (w->h)
        curl_easy_cleanup(w->h);
    cJSON_Delete(w->store);
    kube_buf_free(&w->line);
    free(w->what);
    free(w->path);
    free(w->rv);
    free(w);
}

static void set_rv(kwatch *w, const cJSON *obj)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");
    if (cJSON_IsString(rv) && rv->valuestring[0]) {
        free(w->rv);
        w->rv = strdup(rv->valuestring);
    }
}

/* "ns/name" (cluster-scoped: "/name"); NULL if the object has no name. */
static char *key_of(const cJSON *obj)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name");
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
    if (!cJSON_IsString(name))
        return NULL;
    const char *n = cJSON_IsString(ns) ? ns->valuestring : "";
    size_t len = strlen(n) + strlen(name->valuestring) + 2;
    char *k = malloc(len);
    snprintf(k, len, "%s/%s", n, name->valuestring);
    return k;
}

bool kwatch_list(kwatch *w, kube_client *k, CURL *h, long timeout_ms,
                 bool (*keep_going)(void *), void *ctx, char *err, size_t errlen)
{
    kube_req r = {.method = "GET", .path = w->path, .timeout_ms = timeout_ms,
                  .keep_going = keep_going, .ctx = ctx};
    kube_resp resp;
    if (!kube_do(k, h, &r, &resp, err, errlen)) {
        kube_resp_free(&resp);
        return false;
    }
    char perr[256];
    cJSON *doc = jx_parse(resp.body.data ? resp.body.data : "", resp.body.len, perr, sizeof perr);
    kube_resp_free(&resp);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
    if (!doc || !cJSON_IsObject(doc) || (!cJSON_IsArray(items) && !cJSON_IsNull(items) && items)) {
        snprintf(err, errlen, "the server's answer to GET %s is not a %s list%s%s", w->path,
                 w->what, doc ? "" : ": ", doc ? "" : perr);
        cJSON_Delete(doc);
        return false;
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "apiVersion");
    char item_kind[128] = "";
    if (cJSON_IsString(kind)) {
        size_t kl = strlen(kind->valuestring);
        if (kl > 4 && !strcmp(kind->valuestring + kl - 4, "List"))
            snprintf(item_kind, sizeof item_kind, "%.*s", (int)(kl - 4), kind->valuestring);
    }
    cJSON *store = cJSON_CreateObject();
    cJSON *it;
    cJSON_ArrayForEach(it, items) {
        char *key = cJSON_IsObject(it) ? key_of(it) : NULL;
        if (!key)
            continue;
        cJSON *copy = cJSON_Duplicate(it, 1);
        if (!cJSON_GetObjectItemCaseSensitive(copy, "kind") && item_kind[0])
            cJSON_AddStringToObject(copy, "kind", item_kind);
        if (!cJSON_GetObjectItemCaseSensitive(copy, "apiVersion") && cJSON_IsString(ver))
            cJSON_AddStringToObject(copy, "apiVersion", ver->valuestring);
        cJSON_AddItemToObject(store, key, copy);
        free(key);
    }
    cJSON_Delete(w->store);
    w->store = store;
    free(w->rv);
    w->rv = NULL;
    set_rv(w, doc);
    cJSON_Delete(doc);
    w->listed = w->changed = w->heard = true;
    w->gone = false;
    return true;
}

/* Core watch events lack apiVersion/kind only in odd proxies; keep what
 * the list taught us by copying them from the object being replaced. */
static void apply_event(kwatch *w, const char *type, cJSON *obj)
{
    char *key = key_of(obj);
    if (!key)
        return;
    cJSON *old = cJSON_GetObjectItemCaseSensitive(w->store, key);
    if (!strcmp(type, "DELETED")) {
        if (old)
            cJSON_DeleteItemFromObjectCaseSensitive(w->store, key);
    } else {
        cJSON *copy = cJSON_Duplicate(obj, 1);
        for (int i = 0; i < 2 && old; i++) {
            const char *f = i ? "kind" : "apiVersion";
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(old, f);
            if (!cJSON_GetObjectItemCaseSensitive(copy, f) && cJSON_IsString(v))
                cJSON_AddStringToObject(copy, f, v->valuestring);
        }
        if (old)
            cJSON_ReplaceItemInObjectCaseSensitive(w->store, key, copy);
        else
            cJSON_AddItemToObject(w->store, key, copy);
    }
    w->changed = true;
    free(key);
}

static bool handle_line(kwatch *w, const char *line, size_t len)
{
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (!len)
        return true;
    char perr[128];
    cJSON *ev = jx_parse(line, len, perr, sizeof perr);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
    cJSON *obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
    if (!cJSON_IsString(type) || !cJSON_IsObject(obj)) {
        snprintf(w->stream_err, sizeof w->stream_err, "the %s watch sent something that is "
                 "not a watch event%s%s", w->what, ev ? "" : ": ", ev ? "" : perr);
        cJSON_Delete(ev);
        return false;
    }
    w->heard = true;
    w->healthy = true; /* a well-formed event: the stream works */
    w->events++;
    const char *t = type->valuestring;
    bool ok = true;
    if (!strcmp(t, "ERROR")) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(obj, "message");
        if (cJSON_IsNumber(code) && code->valueint == 410) {
            w->gone = true;
        } else {
            snprintf(w->stream_err, sizeof w->stream_err, "the %s watch failed: %s", w->what,
                     cJSON_IsString(msg) ? msg->valuestring : "(no message)");
        }
        ok = false;
    } else if (!strcmp(t, "BOOKMARK")) {
        set_rv(w, obj);
    } else if (!strcmp(t, "ADDED") || !strcmp(t, "MODIFIED") || !strcmp(t, "DELETED")) {
        apply_event(w, t, obj);
        set_rv(w, obj);
    }
    cJSON_Delete(ev);
    return ok;
}

bool kwatch_feed_bytes(kwatch *w, const char *p, size_t n)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (w->line.len + take > MAX_LINE) {
            snprintf(w->stream_err, sizeof w->stream_err, "the %s watch sent an event larger "
                     "than %u MiB", w->what, MAX_LINE >> 20);
            return false;
        }
        if (!nl) {
            /* the rest of this event comes in a later chunk */
            char *d = w->line.data;
            size_t need = w->line.len + take + 1;
            if (need > w->line.cap) {
                size_t cap = w->line.cap ? w->line.cap : 4096;
                while (cap < need)
                    cap *= 2;
                d = realloc(d, cap);
                if (!d)
                    abort();
                w->line.data = d;
                w->line.cap = cap;
            }
            memcpy(d + w->line.len, p, take);
            w->line.len += take;
            d[w->line.len] = '\0';
            return true;
        }
        bool ok;
        if (w->line.len) {
            size_t need = w->line.len + take + 1;
            if (need > w->line.cap) {
                w->line.data = realloc(w->line.data, need);
                if (!w->line.data)
                    abort();
                w->line.cap = need;
            }
            memcpy(w->line.data + w->line.len, p, take);
            ok = handle_line(w, w->line.data, w->line.len + take);
            w->line.len = 0;
        } else {
            ok = handle_line(w, p, take);
        }
        if (!ok)
            return false;
        p += take + 1;
        n -= take + 1;
    }
    return true;
}

static bool on_stream(void *ctx, const char *p, size_t n)
{
    return kwatch_feed_bytes(ctx, p, n);
}

bool kwatch_start(kwatch *w, kube_client *k, CURLM *m, char *err, size_t errlen)
{
    if (!w->h && !(w->h = curl_easy_init()))
        abort();
    /* The server ends a watch after timeoutSeconds; a spread of values keeps
     * many clients from reconnecting at once (client-go does the same). */
    long timeout = 300 + (long)(fmt_mono_ms() % 300);
    char *rv = kube_escape(w->rv ? w->rv : "");
    size_t n = strlen(w->path) + strlen(rv) + 128;
    char *path = malloc(n);
    snprintf(path, n, "%s%cwatch=1&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=%ld",
             w->path, strchr(w->path, '?') ? '&' : '?', rv, timeout);
    free(rv);
    kube_req r = {.method = "GET", .path = path, .on_data = on_stream, .ctx = w,
                  .low_speed_s = w->idle_s};
    w->line.len = 0;
    w->stream_err[0] = '\0';
    w->gone = false;
    w->healthy = false;
    w->started_ms = fmt_mono_ms();
    w->x = kube_xfer_new(k, w->h, &r, &w->resp, err, errlen);
    free(path);
    if (!w->x)
        return false;
    curl_multi_add_handle(m, w->h);
    w->active = true;
    return true;
}

bool kwatch_ended(kwatch *w, CURLM *m, CURLcode rc)
{
    curl_multi_remove_handle(m, w->h);
    char err[512];
    bool ok = kube_xfer_done(w->x, rc, err, sizeof err);
    w->x = NULL;
    w->active = false;
    long status = w->resp.status;
    w->last_status = status;
    kube_resp_free(&w->resp);
    w->healthy = false;
    if (w->gone || status == 410) {
        free(w->rv);
        w->rv = NULL; /* relist */
        w->gone = true;
        return false;
    }
    if (w->stream_err[0]) {
        snprintf(w->err, sizeof w->err, "%s", w->stream_err);
        return false;
    }
    if (!ok) {
        snprintf(w->err, sizeof w->err, "%s", err);
        return false;
    }
    /* A clean end is the server's timeoutSeconds; one that cuts an event in
     * half, or comes at once, is a proxy or a broken server: resuming at
     * once would loop, so both count as failures (with backoff). */
    if (w->line.len) {
        snprintf(w->err, sizeof w->err, "the %s watch ended in the middle of an event "
                 "(%zu bytes of an unfinished line)", w->what, w->line.len);
        w->line.len = 0;
        return false;
    }
    if (fmt_mono_ms() - w->started_ms < 1000) {
        snprintf(w->err, sizeof w->err, "the %s watch ended as soon as it started (HTTP %ld)",
                 w->what, status);
        return false;
    }
    return true;
}
