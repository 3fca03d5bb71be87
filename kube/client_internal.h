/* What kube/client.c and kube/creds.c share: the client's state and the
 * credentials of one request. */
#ifndef MIGTOP_KUBE_CLIENT_INTERNAL_H
#define MIGTOP_KUBE_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kube/client.h"
#include "kube/exec_cred.h"

struct kube_client {
    kube_config cfg;
    pthread_mutex_t mu;
    kube_exec_cred cred; /* exec plugin result */
    bool have_cred;
    char *file_token;
    int64_t file_token_ms;
    char *url_host;      /* host for URLs when tls-server-name is set */
    char *connect_to;    /* CURLOPT_CONNECT_TO entry */
    char *base_url;
};

typedef struct kube_creds {
    char *bearer;          /* token, malloc'd */
    char *cert, *key;      /* PEM, malloc'd (exec) or NULL: the config's */
    size_t cert_len, key_len;
} kube_creds;

/* Fills *out for one request (free with kube_creds_free); false with err. */
bool kube_creds_get(kube_client *k, kube_creds *out, char *err, size_t errlen);
void kube_creds_free(kube_creds *c);
/* strdup that aborts when out of memory; NULL stays NULL. */
char *kube_strdup(const char *s);

#endif
