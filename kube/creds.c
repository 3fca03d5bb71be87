/* The credentials one request carries: an exec plugin's (cached until
 * shortly before they expire), a token, or a token file (re-read every
 * minute, as client-go does). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/client_internal.h"
#include "kube/yaml_json.h"
#include "model/fmt.h"

#define EXEC_TIMEOUT_MS 60000
#define TOKEN_FILE_TTL_MS 60000 /* client-go re-reads token files every minute */

char *kube_strdup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

/* A bearer token goes into every request's header: service-account and
 * OIDC tokens are a few KB. One far bigger is a wrong file or a pasted
 * blob, and would only come back as the server's 431 (or worse). */
#define MAX_TOKEN_BYTES (64 * 1024)

static bool token_fits(const char *t, const char *from, char *err, size_t errlen)
{
    size_t n = t ? strlen(t) : 0;
    if (n <= MAX_TOKEN_BYTES)
        return true;
    snprintf(err, errlen, "the bearer token from %s is %zu KiB; a token is a few KiB at most "
             "(is it the right file or field?)", from, n / 1024);
    return false;
}

bool kube_creds_get(kube_client *k, kube_creds *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const kube_config *c = &k->cfg;
    bool ok = true;
    pthread_mutex_lock(&k->mu);
    if (c->has_exec) {
        int64_t now = fmt_now_ms();
        /* Refresh a little before expiry so a request never carries a token
         * that dies in flight. */
        if (k->have_cred && k->cred.expires_ms && k->cred.expires_ms - 10000 < now) {
            kube_exec_cred_clear(&k->cred);
            k->have_cred = false;
        }
        if (!k->have_cred) {
            ok = kube_exec_run(c, EXEC_TIMEOUT_MS, &k->cred, err, errlen);
            k->have_cred = ok;
        }
        if (ok)
            ok = token_fits(k->cred.token, "the exec credential plugin", err, errlen);
        if (ok) {
            out->bearer = kube_strdup(k->cred.token);
            out->cert = kube_strdup(k->cred.cert_pem);
            out->key = kube_strdup(k->cred.key_pem);
            out->cert_len = out->cert ? strlen(out->cert) : 0;
            out->key_len = out->key ? strlen(out->key) : 0;
        }
    } else if (c->token && *c->token) {
        ok = token_fits(c->token, "the kubeconfig's user", err, errlen);
        if (ok)
            out->bearer = kube_strdup(c->token);
    } else if (c->token_file && *c->token_file) {
        int64_t now = fmt_mono_ms();
        if (!k->file_token || now - k->file_token_ms > TOKEN_FILE_TTL_MS) {
            char ferr[512];
            size_t len;
            char *t = kube_read_file(c->token_file, &len, ferr, sizeof ferr);
            if (!t) {
                snprintf(err, errlen, "reading the token file: %s", ferr);
                ok = false;
            } else {
                while (len && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' '))
                    t[--len] = '\0';
                free(k->file_token);
                k->file_token = t;
                k->file_token_ms = now;
            }
        }
        if (ok)
            ok = token_fits(k->file_token, c->token_file, err, errlen);
        if (ok)
            out->bearer = kube_strdup(k->file_token);
    }
    pthread_mutex_unlock(&k->mu);
    return ok;
}

void kube_creds_free(kube_creds *c)
{
    free(c->bearer);
    free(c->cert);
    free(c->key);
}
