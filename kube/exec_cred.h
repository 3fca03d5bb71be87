/* client.authentication.k8s.io exec credential plugins (v1, v1beta1): run
 * the command with the kubeconfig's args and env plus KUBERNETES_EXEC_INFO,
 * read the ExecCredential it prints, and hand back a token or a client
 * certificate with its expiry. Caching is the client's job (kube/client.c). */
#ifndef MIGTOP_KUBE_EXEC_CRED_H
#define MIGTOP_KUBE_EXEC_CRED_H

#include <stdbool.h>
#include <stdint.h>

#include "kube/kubeconfig.h"

typedef struct kube_exec_cred {
    char *token;             /* malloc'd, or NULL */
    char *cert_pem, *key_pem; /* malloc'd PEM text, or NULL */
    int64_t expires_ms;      /* 0: no expiry given (valid until a 401) */
} kube_exec_cred;

/* Runs the plugin (at most timeout_ms). Errors say what the plugin did:
 * "exec plugin \"cmd\": exit status 1: <its stderr, first line>". */
bool kube_exec_run(const kube_config *c, int timeout_ms, kube_exec_cred *out, char *err,
                   size_t errlen);
void kube_exec_cred_clear(kube_exec_cred *cr);

/* Parses an ExecCredential document (exported for the unit tests). */
bool kube_exec_parse(const char *api_version, const char *text, size_t len, kube_exec_cred *out,
                     char *err, size_t errlen);

#endif
