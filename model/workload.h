/* The fields of Jobs, Pods and StatefulSets that kbcli's describe reads. */
#ifndef MIGTOP_WORKLOAD_H
#define MIGTOP_WORKLOAD_H

#include "model/task.h"

typedef struct mt_job {
    mt_meta meta;
    const char *last_condition; /* type of the last condition, NULL if none */
    mt_time start, completion;
    int64_t active, succeeded, failed;
} mt_job;

typedef struct mt_pod {
    mt_meta meta;
    const char *phase; /* Pending, Running, Succeeded, Failed, Unknown */
    mt_time start;
} mt_pod;

typedef struct mt_statefulset {
    mt_meta meta;
    int64_t replicas, available_replicas; /* from status */
} mt_statefulset;

void mt_job_parse(jx *c, const cJSON *obj, const char *path, mt_job *out);
void mt_pod_parse(jx *c, const cJSON *obj, const char *path, mt_pod *out);
void mt_statefulset_parse(jx *c, const cJSON *obj, const char *path, mt_statefulset *out);

#endif
