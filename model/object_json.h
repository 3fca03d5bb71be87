/* The model's tasks and templates as Kubernetes objects (cJSON), the
 * shape `kubectl get -o json` prints, for -o json|yaml on the local
 * backend and the dashboard's YAML view. No password: endpoints carry
 * their address, database and user only. */
#ifndef MIGTOP_OBJECT_JSON_H
#define MIGTOP_OBJECT_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "model/snapshot.h"

/* key: t as RFC 3339, nothing when t is 0 (unset). */
void mt_json_add_time(cJSON *o, const char *key, mt_time t);
/* An empty v1 List (items []) as kubectl prints one. */
cJSON *mt_list_json(void);
/* One task as a MigrationTask object (cJSON_Delete it). */
cJSON *mt_task_json(const mt_task *t);
/* A v1 List of the snapshot's tasks (or templates), those of namespace ns
 * (NULL or "": every one) and, with name, that one only. */
cJSON *mt_objects_json(const mt_snapshot *s, bool templates, const char *ns, const char *name);

#endif
