/* HTTPS to the API server with libcurl. One kube_client per backend,
 * shared by the feed thread, the logs thread and the commands: the config
 * is read-only and the credential cache (exec plugins, token files) is
 * behind a mutex. Each thread brings its own CURL handle, so connections
 * are reused per thread and nothing else is shared.
 *
 * TLS verification is on unless the kubeconfig says insecure-skip-tls-verify;
 * CA, client certificate and key go to libcurl as in-memory blobs, never
 * through temporary files. Every request has a connect timeout and a total
 * timeout; streams (watches, log follows) use a low-speed limit instead. */
#ifndef MIGTOP_KUBE_CLIENT_H
#define MIGTOP_KUBE_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "kube/kubeconfig.h"

typedef struct kube_client kube_client;

/* Takes the config over (*cfg is zeroed). */
kube_client *kube_client_new(kube_config *cfg);
void kube_client_free(kube_client *k);
const kube_config *kube_client_config(const kube_client *k);

typedef struct kube_buf {
    char *data; /* NUL-terminated */
    size_t len, cap;
} kube_buf;
void kube_buf_free(kube_buf *b);

typedef struct kube_req {
    const char *method;     /* GET if NULL */
    const char *path;       /* "/apis/...?..." (already escaped) */
    const char *body;       /* request body or NULL */
    const char *content_type;
    long timeout_ms;        /* total; 0: 30 s. Ignored for streams */
    /* Streaming: a 2xx body goes to on_data as it arrives instead of being
     * kept (error bodies are always kept, to explain the error). */
    bool (*on_data)(void *ctx, const char *p, size_t n); /* false: stop */
    void *ctx;
    long low_speed_s;       /* streams: give up after this long below 1 byte/s (0: never) */
    /* Checked about every second and on every chunk: false aborts. */
    bool (*keep_going)(void *ctx);
} kube_req;

typedef struct kube_resp {
    long status;            /* HTTP status, 0 if none was received */
    kube_buf body;
    char content_type[128];
    long retry_after_s;     /* Retry-After in seconds, -1 if absent */
    bool stopped;           /* on_data or keep_going said stop */
} kube_resp;

/* Performs the request on h (reused between calls for keep-alive; NULL: a
 * handle of its own). Returns true only for a 2xx answer. Otherwise *err
 * says why in kubectl's words ("Error from server (NotFound): ...",
 * "Unable to connect to the server: ...") and resp->status tells callers
 * what happened (e.g. 404: absent, 410: relist). A 401 with an exec plugin
 * is retried once with fresh credentials; a 429 or 503 that says
 * Retry-After (at most 10 s) is retried up to twice after that wait, as
 * client-go does (API priority and fairness answers 429 under load). */
bool kube_do(kube_client *k, CURL *h, const kube_req *r, kube_resp *resp, char *err,
             size_t errlen);
void kube_resp_free(kube_resp *r);

/* For callers that drive a handle through curl_multi themselves (the
 * watch): set everything up on h; *hdrs must be freed with
 * curl_slist_free_all once the transfer is done. resp must outlive it. */
typedef struct kube_xfer kube_xfer;
kube_xfer *kube_xfer_new(kube_client *k, CURL *h, const kube_req *r, kube_resp *resp,
                         char *err, size_t errlen);
/* After curl finished the transfer with rc: true for a 2xx answer, else
 * the message as kube_do writes it. Frees the xfer. */
bool kube_xfer_done(kube_xfer *x, CURLcode rc, char *err, size_t errlen);

/* Forget cached exec credentials (after a 401). */
void kube_client_drop_credentials(kube_client *k);

/* A Kubernetes Status (or whatever came instead) as one line, kubectl style.
 * Exported for the unit tests. */
void kube_status_message(long status, const char *content_type, const char *body, size_t len,
                         const char *method, const char *path, char *err, size_t errlen);

/* Escapes a query value (label selectors contain '=' and '/'). */
char *kube_escape(const char *s); /* free() it */

#endif
