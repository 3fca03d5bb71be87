#include "kube/client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/client_internal.h"
#include "kube/yaml_json.h"
#include "model/fmt.h"

#define CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS 30000L
#define MAX_BODY (256u << 20)
#define MAX_ERROR_BODY (64u << 10)

static void split_server(kube_client *k)
{
    const kube_config *c = &k->cfg;
    k->base_url = strdup(c->server);
    if (!c->tls_server_name || !*c->tls_server_name)
        return;
    /* Verify and send SNI for tls-server-name while connecting to the real
     * address: the URL names tls-server-name, CONNECT_TO says where to go. */
    const char *hs = strstr(c->server, "://");
    hs = hs ? hs + 3 : c->server;
    const char *he = hs[0] == '[' ? strchr(hs, ']') : hs + strcspn(hs, ":/");
    if (!he)
        return;
    if (hs[0] == '[')
        he++;
    const char *port = "443";
    char portbuf[16] = "";
    if (*he == ':') {
        size_t pl = strcspn(he + 1, "/");
        snprintf(portbuf, sizeof portbuf, "%.*s", (int)pl, he + 1);
        port = portbuf;
    }
    const char *rest = he + strcspn(he, "/");
    size_t n = strlen(c->tls_server_name) * 2 + strlen(c->server) + 64;
    k->connect_to = malloc(n);
    snprintf(k->connect_to, n, "%s:%s:%.*s:%s", c->tls_server_name, port, (int)(he - hs), hs,
             port);
    free(k->base_url);
    k->base_url = malloc(n);
    snprintf(k->base_url, n, "https://%s:%s%s", c->tls_server_name, port, rest);
}

kube_client *kube_client_new(kube_config *cfg)
{
    kube_client *k = calloc(1, sizeof *k);
    if (!k)
        abort();
    k->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    pthread_mutex_init(&k->mu, NULL);
    split_server(k);
    return k;
}

void kube_client_free(kube_client *k)
{
    if (!k)
        return;
    kube_exec_cred_clear(&k->cred);
    free(k->file_token);
    free(k->connect_to);
    free(k->base_url);
    free(k->url_host);
    pthread_mutex_destroy(&k->mu);
    kube_config_free(&k->cfg);
    free(k);
}

const kube_config *kube_client_config(const kube_client *k) { return &k->cfg; }

void kube_client_drop_credentials(kube_client *k)
{
    pthread_mutex_lock(&k->mu);
    kube_exec_cred_clear(&k->cred);
    k->have_cred = false;
    k->file_token_ms = 0;
    pthread_mutex_unlock(&k->mu);
}

void kube_buf_free(kube_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void kube_resp_free(kube_resp *r)
{
    kube_buf_free(&r->body);
}

static bool buf_add(kube_buf *b, const char *p, size_t n, size_t limit)
{
    if (b->len + n > limit)
        return false;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nd = realloc(b->data, cap);
        if (!nd)
            abort();
        b->data = nd;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

char *kube_escape(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out;
    if (!out)
        abort();
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            *o++ = (char)ch;
        } else {
            o += sprintf(o, "%%%02X", ch);
        }
    }
    *o = '\0';
    return out;
}

/* --- one transfer --- */

struct kube_xfer {
    kube_client *k;
    CURL *h;
    bool own_h;
    struct curl_slist *hdrs, *connect_to;
    kube_req r;
    kube_resp *resp;
    char *method, *path;
    bool status_known, streaming, overflow;
    char errbuf[CURL_ERROR_SIZE];
};

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    kube_xfer *x = ud;
    size_t len = size * n;
    if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
        char v[32];
        snprintf(v, sizeof v, "%.*s", (int)(len - 12 < 31 ? len - 12 : 31), p + 12);
        char *end;
        long s = strtol(v, &end, 10);
        while (*end == ' ' || *end == '\r' || *end == '\n')
            end++;
        if (!*end && s >= 0) /* an HTTP date instead of seconds is ignored */
            x->resp->retry_after_s = s;
    }
    if (len > 13 && !strncasecmp(p, "content-type:", 13)) {
        const char *v = p + 13;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t vl = (size_t)(p + len - v);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        snprintf(x->resp->content_type, sizeof x->resp->content_type, "%.*s", (int)vl, v);
    }
    return len;
}

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
    kube_xfer *x = ud;
    size_t len = size * n;
    if (!x->status_known) {
        long code = 0;
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
        x->resp->status = code;
        x->status_known = true;
        x->streaming = x->r.on_data && code >= 200 && code < 300;
    }
    if (x->streaming) {
        if (!x->r.on_data(x->r.ctx, p, len)) {
            x->resp->stopped = true;
            return 0;
        }
        return len;
    }
    bool ok2xx = x->resp->status >= 200 && x->resp->status < 300;
    if (!buf_add(&x->resp->body, p, len, ok2xx ? MAX_BODY : MAX_ERROR_BODY)) {
        if (ok2xx) {
            x->overflow = true;
            return 0;
        }
        return len; /* the start of an error page explains enough */
    }
    return len;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    kube_xfer *x = ud;
    if (x->r.keep_going && !x->r.keep_going(x->r.ctx)) {
        x->resp->stopped = true;
        return 1;
    }
    return 0;
}

/* Where to, how long, how to give up: the transfer's transport. */
static void set_transport(kube_client *k, CURL *h, const kube_req *r, char *errbuf)
{
    size_t ul = strlen(k->base_url) + strlen(r->path) + 1;
    char *url = malloc(ul);
    if (!url)
        abort();
    snprintf(url, ul, "%s%s", k->base_url, r->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    free(url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "migtop/0.1");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* gzip: big lists shrink a lot */
    if (r->on_data) {
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, r->low_speed_s > 0 ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, r->low_speed_s > 0 ? r->low_speed_s : 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : DEFAULT_TIMEOUT_MS);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 0L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 0L);
    }
    const kube_config *c = &k->cfg;
    if (c->proxy_url && *c->proxy_url)
        curl_easy_setopt(h, CURLOPT_PROXY, c->proxy_url);
}

/* The server's certificate checked against the config's CA; the client's
 * certificate from an exec credential, else from the config. */
static void set_tls(const kube_config *c, CURL *h, const kube_creds *cr)
{
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    if (c->ca.len) {
        struct curl_blob b = {c->ca.data, c->ca.len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
    }
    const void *cert = cr->cert ? (const void *)cr->cert : c->client_cert.data;
    size_t cert_len = cr->cert ? cr->cert_len : c->client_cert.len;
    const void *key = cr->key ? (const void *)cr->key : c->client_key.data;
    size_t key_len = cr->key ? cr->key_len : c->client_key.len;
    if (cert_len && key_len) {
        struct curl_blob cb = {(void *)cert, cert_len, CURL_BLOB_COPY};
        struct curl_blob kb = {(void *)key, key_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cb);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &kb);
    }
}

/* The method, the headers (a bearer token, else basic auth) and the body. */
static struct curl_slist *set_request(const kube_config *c, CURL *h, const kube_creds *cr,
                                      const kube_req *r, const char *method)
{
    struct curl_slist *hd = NULL;
    hd = curl_slist_append(hd, "Accept: application/json");
    if (cr->bearer) {
        size_t n = strlen(cr->bearer) + 32;
        char *a = malloc(n);
        if (!a)
            abort();
        snprintf(a, n, "Authorization: Bearer %s", cr->bearer);
        hd = curl_slist_append(hd, a);
        free(a);
    } else if (c->username && c->password) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
    }
    if (r->body) {
        char ctb[160];
        snprintf(ctb, sizeof ctb, "Content-Type: %s",
                 r->content_type ? r->content_type : "application/json");
        hd = curl_slist_append(hd, ctb);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
        curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, r->body);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    if (strcmp(method, "GET") && strcmp(method, "POST"))
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    else
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    return hd;
}

kube_xfer *kube_xfer_new(kube_client *k, CURL *h, const kube_req *r, kube_resp *resp,
                         char *err, size_t errlen)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_s = -1;
    kube_creds cr;
    if (!kube_creds_get(k, &cr, err, errlen))
        return NULL;
    kube_xfer *x = calloc(1, sizeof *x);
    if (!x)
        abort();
    x->k = k;
    x->r = *r;
    x->resp = resp;
    x->method = kube_strdup(r->method ? r->method : "GET");
    x->path = kube_strdup(r->path);
    x->own_h = !h;
    x->h = h ? h : curl_easy_init();
    if (!x->h)
        abort();
    h = x->h;
    curl_easy_reset(h); /* keeps the connection cache: keep-alive across calls */
    set_transport(k, h, r, x->errbuf);
    set_tls(&k->cfg, h, &cr);
    if (k->connect_to) {
        x->connect_to = curl_slist_append(NULL, k->connect_to);
        curl_easy_setopt(h, CURLOPT_CONNECT_TO, x->connect_to);
    }
    x->hdrs = set_request(&k->cfg, h, &cr, r, x->method);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
    curl_easy_setopt(h, CURLOPT_PRIVATE, x);
    kube_creds_free(&cr);
    return x;
}

static void xfer_free(kube_xfer *x)
{
    curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(x->h, CURLOPT_CONNECT_TO, NULL);
    curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, NULL);
    if (x->own_h)
        curl_easy_cleanup(x->h);
    curl_slist_free_all(x->hdrs);
    curl_slist_free_all(x->connect_to);
    free(x->method);
    free(x->path);
    free(x);
}

static void transport_error(kube_xfer *x, CURLcode rc, char *err, size_t errlen)
{
    const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(err, errlen, "Unable to connect to the server: %s %s: %s", x->method, x->path,
                 why);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        snprintf(err, errlen, "Unable to connect to the server: tls: failed to verify "
                 "certificate: %s", why);
        break;
    case CURLE_SSL_CERTPROBLEM:
        snprintf(err, errlen, "unable to use the client certificate: %s", why);
        break;
    case CURLE_WRITE_ERROR:
        if (x->overflow) {
            snprintf(err, errlen, "%s %s: the answer is larger than %u MiB", x->method, x->path,
                     MAX_BODY >> 20);
            break;
        }
        /* fall through */
    default:
        snprintf(err, errlen, "Unable to connect to the server: %s", why);
    }
}

bool kube_xfer_done(kube_xfer *x, CURLcode rc, char *err, size_t errlen)
{
    kube_resp *resp = x->resp;
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    resp->status = code;
    bool ok = false;
    if (resp->stopped) {
        /* The caller stopped it: whatever arrived is what it wanted. */
        ok = code >= 200 && code < 300;
        if (!ok)
            snprintf(err, errlen, "%s %s: stopped", x->method, x->path);
    } else if (rc != CURLE_OK) {
        transport_error(x, rc, err, errlen);
    } else if (code < 200 || code >= 300) {
        kube_status_message(code, resp->content_type, resp->body.data, resp->body.len,
                            x->method, x->path, err, errlen);
    } else {
        ok = true;
    }
    xfer_free(x);
    return ok;
}

#define MAX_RETRY_AFTER_S 10
#define RETRIES_AFTER 2

/* Sleeps s seconds in small steps, giving up early if the caller stops. */
static bool wait_retry(const kube_req *r, long s)
{
    for (long ms = 0; ms < s * 1000; ms += 100) {
        if (r->keep_going && !r->keep_going(r->ctx))
            return false;
        fmt_sleep_ms(100);
    }
    return true;
}

bool kube_do(kube_client *k, CURL *h, const kube_req *r, kube_resp *resp, char *err,
             size_t errlen)
{
    int waited = 0;
    for (int attempt = 0;; attempt++) {
        kube_xfer *x = kube_xfer_new(k, h, r, resp, err, errlen);
        if (!x)
            return false;
        CURLcode rc = curl_easy_perform(x->h);
        bool ok = kube_xfer_done(x, rc, err, errlen);
        /* An exec credential can be revoked before it expires: get a fresh
         * one once, as client-go does. */
        if (!ok && resp->status == 401 && k->cfg.has_exec && attempt == 0) {
            kube_client_drop_credentials(k);
            kube_resp_free(resp);
            continue;
        }
        if (!ok && (resp->status == 429 || resp->status == 503) && resp->retry_after_s >= 0 &&
            resp->retry_after_s <= MAX_RETRY_AFTER_S && waited < RETRIES_AFTER) {
            waited++;
            if (!wait_retry(r, resp->retry_after_s))
                return ok;
            kube_resp_free(resp);
            continue;
        }
        return ok;
    }
}
