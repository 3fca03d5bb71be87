/* Where and how to reach the API server, resolved the way kubectl resolves
 * it (client-go's loading rules): the --kubeconfig file, else the KUBECONFIG
 * list merged (the first file to define a name or current-context wins),
 * else ~/.kube/config, else the pod's service account; then the context
 * (--context or current-context), its cluster and user, and the namespace
 * (-n, else the context's, else "default"). */
#ifndef MIGTOP_KUBE_KUBECONFIG_H
#define MIGTOP_KUBE_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "model/arena.h"

typedef struct kube_blob {
    unsigned char *data;
    size_t len;
} kube_blob;

/* client.authentication.k8s.io exec credential plugin. */
typedef struct kube_exec_cfg {
    const char *api_version, *command;
    const char **args;
    size_t n_args;
    const char **env_names, **env_values;
    size_t n_env;
    bool provide_cluster_info;
    const char *install_hint;
} kube_exec_cfg;

typedef struct kube_config {
    arena mem; /* every string and blob below lives here */
    const char *origin;  /* "kubeconfig /root/.kube/config" or "in-cluster" */
    const char *context, *cluster, *user; /* names ("" in a pod) */
    const char *server;  /* https://host:port[/prefix], no trailing '/' */
    const char *namespace_;
    bool namespace_from_flag, all_namespaces;
    /* cluster */
    kube_blob ca; /* PEM; empty: the system's CA store */
    bool insecure;
    const char *tls_server_name, *proxy_url, *ca_file;
    /* user */
    const char *token, *token_file, *username, *password;
    kube_blob client_cert, client_key;
    bool has_exec;
    kube_exec_cfg exec;
    /* Every context the kubeconfig files name (for `:ctx` completion). */
    const char **contexts;
    size_t n_contexts;
} kube_config;

typedef struct kube_config_opts {
    const char *kubeconfig; /* --kubeconfig */
    const char *context;    /* --context */
    const char *namespace_; /* -n */
    bool all_namespaces;    /* -A */
    /* The service account directory; NULL: $MIGTOP_SERVICEACCOUNT_DIR or
     * /var/run/secrets/kubernetes.io/serviceaccount. */
    const char *sa_dir;
} kube_config_opts;

/* Fills *out (free with kube_config_free, also after a failure). The error
 * reads like kubectl's: `context "x" does not exist`, `stat PATH: no such
 * file or directory`, `unable to read client-cert PATH for USER due to ...`. */
bool kube_config_load(const kube_config_opts *o, kube_config *out, char *err, size_t errlen);
void kube_config_free(kube_config *c);

/* Standard base64 (padding optional, whitespace ignored) into arena memory. */
bool kube_base64_decode(arena *a, const char *in, kube_blob *out);

#endif
