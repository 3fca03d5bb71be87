/* The kube backend: mt_backend over the Kubernetes API (model/backend.h).
 * Open it from the CLI flags; every op may be called from any thread (each
 * call brings its own connection; credentials are shared and locked). */
#ifndef MIGTOP_KUBE_BACKEND_H
#define MIGTOP_KUBE_BACKEND_H

#include "kube/client.h"
#include "kube/kubeconfig.h"
#include "model/backend.h"

/* Loads the kubeconfig (see kube/kubeconfig.h); no request is made yet. */
mt_backend *kube_backend_open(const kube_config_opts *o, char *err, size_t errlen);

kube_client *kube_backend_client(mt_backend *b);
/* "ctx/ns" or "ctx/all namespaces": the feed's label. */
const char *kube_backend_label(mt_backend *b);
/* The kubeconfig's context names, NULL ended (read when it was opened). */
const char *const *kube_backend_contexts(mt_backend *b);
/* The namespace the feed watches: NULL with -A. */
const char *kube_backend_watch_namespace(mt_backend *b);
/* Checks the CRDs once per backend (kbcli does it before every command). */
bool kube_backend_check_crds(mt_backend *b, CURL *h, char *err, size_t errlen);
/* The same, abandoned as soon as keep_going(ctx) is false. */
bool kube_backend_check_crds_until(mt_backend *b, CURL *h, bool (*keep_going)(void *),
                                   void *ctx, char *err, size_t errlen);

/* kube/feed.c */
mt_feed *kube_feed_new(mt_backend *b, char *err, size_t errlen);

/* kube/logs.c: the logs op, and kbcli's choice of pod (exported for tests):
 * index of `step` (CLI name) among the task's steps in template order. */
bool kube_backend_logs(mt_backend *b, const char *ns, const char *task, const mt_logs_opts *o,
                       mt_log_line_fn fn, void *ctx, char *err, size_t errlen);
const mt_pod *kube_pod_for_step(const mt_snapshot *s, const mt_task *t, const char *step);

#endif
