/* The model's objects as kubectl prints them (-o json|yaml): a task or a
 * template as a MigrationTask / MigrationTemplate object, a List of them.
 * Built from what migtop read, so no password is ever in them (the model
 * keeps none in the spec it shows). */
#include "model/object_json.h"

#include "model/fmt.h"

#include <string.h>
#include <time.h>

void mt_json_add_time(cJSON *o, const char *key, mt_time t)
{
    if (!t)
        return;
    char b[32];
    fmt_rfc3339(t, b, sizeof b);
    cJSON_AddStringToObject(o, key, b);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(o, key, v);
}

static void add_kvs(cJSON *o, const char *key, const mt_kv *kv, size_t n)
{
    if (!n)
        return;
    cJSON *m = cJSON_AddObjectToObject(o, key);
    for (size_t i = 0; i < n; i++)
        cJSON_AddStringToObject(m, kv[i].key, kv[i].value ? kv[i].value : "");
}

static cJSON *meta_json(const mt_meta *m, const char *kind)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiVersion", MT_API_VERSION);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON *md = cJSON_AddObjectToObject(o, "metadata");
    add_str(md, "name", m->name);
    add_str(md, "namespace", m->namespace_);
    add_str(md, "uid", m->uid);
    add_str(md, "resourceVersion", m->resource_version);
    mt_json_add_time(md, "creationTimestamp", m->created);
    mt_json_add_time(md, "deletionTimestamp", m->deleted);
    add_kvs(md, "labels", m->labels, m->n_labels);
    add_kvs(md, "annotations", m->annotations, m->n_annotations);
    return o;
}

/* The endpoint as the spec holds it; a password is never printed. */
static void endpoint_json(cJSON *spec, const char *key, const mt_endpoint *e)
{
    cJSON *o = cJSON_AddObjectToObject(spec, key);
    add_str(o, "endpointType", e->endpoint_type);
    add_str(o, "address", e->address);
    add_str(o, "databaseName", e->database);
    add_str(o, "userName", e->user);
}

static cJSON *objects_json(const mt_schema_obj *s, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "schemaName", s[i].schema);
        cJSON_AddBoolToObject(o, "isAll", s[i].is_all);
        if (s[i].n_tables) {
            cJSON *tl = cJSON_AddArrayToObject(o, "tableList");
            for (size_t k = 0; k < s[i].n_tables; k++) {
                cJSON *t = cJSON_CreateObject();
                cJSON_AddStringToObject(t, "tableName", s[i].tables[k].name);
                cJSON_AddBoolToObject(t, "isAll", s[i].tables[k].is_all);
                cJSON_AddItemToArray(tl, t);
            }
        }
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static void runtime_json(cJSON *status, const char *key, const mt_runtime *r)
{
    if (!r->start && !r->finish && !r->failed_reason && !r->n_metrics && !r->n_params)
        return;
    cJSON *o = cJSON_AddObjectToObject(status, key);
    mt_json_add_time(o, "startTime", r->start);
    mt_json_add_time(o, "finishTime", r->finish);
    add_str(o, "failedReason", r->failed_reason);
    add_kvs(o, "metrics", r->metrics, r->n_metrics);
    add_kvs(o, "runTimeParam", r->params, r->n_params);
}

cJSON *mt_task_json(const mt_task *t)
{
    cJSON *o = meta_json(&t->meta, "MigrationTask");
    cJSON *spec = cJSON_AddObjectToObject(o, "spec");
    add_str(spec, "taskType", t->task_type);
    add_str(spec, "template", t->template_name);
    endpoint_json(spec, "sourceEndpoint", &t->source);
    endpoint_json(spec, "sinkEndpoint", &t->sink);
    if (t->n_steps) {
        cJSON *steps = cJSON_AddArrayToObject(cJSON_AddObjectToObject(spec, "initialization"),
                                              "steps");
        for (size_t i = 0; i < t->n_steps; i++)
            cJSON_AddItemToArray(steps, cJSON_CreateString(t->steps[i]));
    }
    cJSON *mo = cJSON_AddObjectToObject(spec, "migrationObj");
    cJSON_AddItemToObject(mo, "whiteList", objects_json(t->objects.white, t->objects.n_white));
    if (t->objects.n_black)
        cJSON_AddItemToObject(mo, "blackList",
                              objects_json(t->objects.black, t->objects.n_black));
    cJSON *st = cJSON_AddObjectToObject(o, "status");
    add_str(st, "taskStatus", t->task_status);
    mt_json_add_time(st, "startTime", t->start);
    mt_json_add_time(st, "finishTime", t->finish);
    runtime_json(st, "initialization", &t->init);
    runtime_json(st, "cdc", &t->cdc);
    return o;
}

static cJSON *template_json(const mt_template *tp)
{
    cJSON *o = meta_json(&tp->meta, "MigrationTemplate");
    cJSON *spec = cJSON_AddObjectToObject(o, "spec");
    cJSON *types = cJSON_AddArrayToObject(spec, "taskType");
    for (size_t i = 0; i < tp->n_task_types; i++)
        cJSON_AddItemToArray(types, cJSON_CreateString(tp->task_types[i]));
    add_str(spec, "description", tp->description);
    cJSON *src = cJSON_AddObjectToObject(spec, "source");
    add_str(src, "dbType", tp->source_db);
    add_str(src, "dbVersion", tp->source_version);
    cJSON *dst = cJSON_AddObjectToObject(spec, "target");
    add_str(dst, "dbType", tp->target_db);
    add_str(dst, "dbVersion", tp->target_version);
    if (tp->n_steps) {
        cJSON *steps = cJSON_AddArrayToObject(cJSON_AddObjectToObject(spec, "initialization"),
                                              "steps");
        for (size_t i = 0; i < tp->n_steps; i++) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "step", tp->steps[i].step);
            if (tp->steps[i].image && *tp->steps[i].image)
                cJSON_AddStringToObject(cJSON_AddObjectToObject(s, "container"), "image",
                                        tp->steps[i].image);
            cJSON_AddItemToArray(steps, s);
        }
    }
    add_str(cJSON_AddObjectToObject(o, "status"), "phase", tp->phase);
    return o;
}

cJSON *mt_list_json(void)
{
    cJSON *l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "apiVersion", "v1");
    cJSON_AddArrayToObject(l, "items");
    cJSON_AddStringToObject(l, "kind", "List");
    cJSON_AddObjectToObject(l, "metadata");
    return l;
}

cJSON *mt_objects_json(const mt_snapshot *s, bool templates, const char *ns, const char *name)
{
    cJSON *l = mt_list_json(), *items = cJSON_GetObjectItemCaseSensitive(l, "items");
    if (!templates) {
        for (size_t i = 0; i < s->n_tasks; i++) {
            const mt_task *t = &s->tasks[i];
            if ((!name || !strcmp(t->meta.name, name)) &&
                (!ns || !*ns || !strcmp(t->meta.namespace_, ns)))
                cJSON_AddItemToArray(items, mt_task_json(t));
        }
    } else {
        for (size_t i = 0; i < s->n_templates; i++)
            if (!name || !strcmp(s->templates[i].meta.name, name))
                cJSON_AddItemToArray(items, template_json(&s->templates[i]));
    }
    return l;
}

