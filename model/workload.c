#include "model/workload.h"

#include <string.h>

void mt_job_parse(jx *c, const cJSON *obj, const char *path, mt_job *j)
{
    memset(j, 0, sizeof *j);
    mt_meta_parse(c, obj, path, &j->meta);
    const cJSON *st = jx_obj(c, obj, path, "status", false);
    char *sp = jx_path(c->a, path, "status");
    j->start = jx_time(c, st, sp, "startTime");
    j->completion = jx_time(c, st, sp, "completionTime");
    j->active = jx_int(c, st, sp, "active", false);
    j->succeeded = jx_int(c, st, sp, "succeeded", false);
    j->failed = jx_int(c, st, sp, "failed", false);
    const cJSON *conds = jx_arr(c, st, sp, "conditions", false);
    int n = conds ? cJSON_GetArraySize(conds) : 0;
    if (n > 0) {
        /* kbcli: the status is the type of the last condition. */
        const cJSON *last = cJSON_GetArrayItem(conds, n - 1);
        char *cp = jx_path_idx(c->a, jx_path(c->a, sp, "conditions"), n - 1);
        if (!cJSON_IsObject(last))
            jx_fail(c, cp, NULL, "expected an object, got %s", jx_type_name(last));
        else
            j->last_condition = jx_str(c, last, cp, "type", true);
    }
}

void mt_pod_parse(jx *c, const cJSON *obj, const char *path, mt_pod *p)
{
    memset(p, 0, sizeof *p);
    mt_meta_parse(c, obj, path, &p->meta);
    const cJSON *st = jx_obj(c, obj, path, "status", false);
    char *sp = jx_path(c->a, path, "status");
    p->phase = jx_str(c, st, sp, "phase", false);
    if (!p->phase)
        p->phase = "Unknown";
    p->start = jx_time(c, st, sp, "startTime");
}

void mt_statefulset_parse(jx *c, const cJSON *obj, const char *path, mt_statefulset *s)
{
    memset(s, 0, sizeof *s);
    mt_meta_parse(c, obj, path, &s->meta);
    const cJSON *st = jx_obj(c, obj, path, "status", false);
    char *sp = jx_path(c->a, path, "status");
    s->replicas = jx_int(c, st, sp, "replicas", false);
    s->available_replicas = jx_int(c, st, sp, "availableReplicas", false);
}
