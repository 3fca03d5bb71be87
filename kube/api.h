/* The resources migtop reads and writes, as API paths, and the calls on
 * them that both the backend ops and the feed use. */
#ifndef MIGTOP_KUBE_API_H
#define MIGTOP_KUBE_API_H

#include <cjson/cJSON.h>

#include "kube/client.h"
#include "model/snapshot.h"

#define KUBE_MT_BASE "/apis/datamigration.apecloud.io/v1alpha1"
#define KUBE_CRD_HINT                                                                       \
    "to use migration-related functions, please ensure that the addon of migration is "   \
    "enabled, use: 'kbcli addon enable migration' to enable the addon"

/* Paths (malloc'd). ns NULL or "": all namespaces. */
char *kube_path_tasks(const char *ns);
char *kube_path_task(const char *ns, const char *name);
char *kube_path_templates(void);
char *kube_path_template(const char *name);
/* jobs | pods | statefulsets of one task (task NULL: of every task). */
char *kube_path_workload(const char *kind, const char *ns, const char *task);

/* GET path and parse the JSON (depth-limited). */
cJSON *kube_get_json(kube_client *k, CURL *h, const char *path, long *status, char *err,
                     size_t errlen);

/* LIST path and add every item to s. The items of core lists carry no
 * apiVersion/kind, so they get the list's. *rv (if given) receives the
 * list's resourceVersion (malloc'd). */
bool kube_list_into(kube_client *k, CURL *h, const char *path, mt_snapshot *s, char **rv,
                    char *err, size_t errlen);

/* GET one object at path and add it to s. */
bool kube_get_into(kube_client *k, CURL *h, const char *path, mt_snapshot *s, char *err,
                   size_t errlen);

/* kbcli's CRD presence check: the three CRDs, or the add-on hint. */
bool kube_check_crds(kube_client *k, CURL *h, char *err, size_t errlen);
/* The same, giving up as soon as keep_going(ctx) says so (the feed: quitting
 * must not wait for a stalled server). */
bool kube_check_crds_until(kube_client *k, CURL *h, bool (*keep_going)(void *), void *ctx,
                           char *err, size_t errlen);

#endif
