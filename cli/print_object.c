#include "cli/print_object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/print_yaml.h"
#include "kube/api.h"
#include "kube/backend.h"

static void add_time(cJSON *o, const char *key, mt_time t)
{
    if (!t)
        return;
    char b[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
    add_time(md, "creationTimestamp", m->created);
    add_time(md, "deletionTimestamp", m->deleted);
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
    add_time(o, "startTime", r->start);
    add_time(o, "finishTime", r->finish);
    add_str(o, "failedReason", r->failed_reason);
    add_kvs(o, "metrics", r->metrics, r->n_metrics);
    add_kvs(o, "runTimeParam", r->params, r->n_params);
}

static cJSON *task_json(const mt_task *t)
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
    add_time(st, "startTime", t->start);
    add_time(st, "finishTime", t->finish);
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

static cJSON *new_list(void)
{
    cJSON *l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "apiVersion", "v1");
    cJSON_AddArrayToObject(l, "items");
    cJSON_AddStringToObject(l, "kind", "List");
    cJSON_AddObjectToObject(l, "metadata");
    return l;
}

static cJSON *from_model(const mt_snapshot *s, po_kind kind, const char *ns, const char *name)
{
    cJSON *l = new_list(), *items = cJSON_GetObjectItemCaseSensitive(l, "items");
    if (kind == PO_TASKS) {
        for (size_t i = 0; i < s->n_tasks; i++) {
            const mt_task *t = &s->tasks[i];
            if ((!name || !strcmp(t->meta.name, name)) &&
                (!ns || !*ns || !strcmp(t->meta.namespace_, ns)))
                cJSON_AddItemToArray(items, task_json(t));
        }
    } else {
        for (size_t i = 0; i < s->n_templates; i++)
            if (!name || !strcmp(s->templates[i].meta.name, name))
                cJSON_AddItemToArray(items, template_json(&s->templates[i]));
    }
    return l;
}

/* kubectl prints the apiVersion/kind a LIST's items lack. */
static void fill_kind(cJSON *items, const char *kind)
{
    cJSON *it;
    cJSON_ArrayForEach(it, items) {
        if (!cJSON_GetObjectItemCaseSensitive(it, "apiVersion"))
            cJSON_AddStringToObject(it, "apiVersion", MT_API_VERSION);
        if (!cJSON_GetObjectItemCaseSensitive(it, "kind"))
            cJSON_AddStringToObject(it, "kind", kind);
    }
}

static cJSON *from_server(mt_backend *b, po_kind kind, const char *ns, const char *name,
                          char *err, size_t errlen)
{
    char *path = kind == PO_TASKS ? kube_path_tasks(ns) : kube_path_templates();
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    cJSON *got = kube_get_json(kube_backend_client(b), h, path, NULL, err, errlen);
    curl_easy_cleanup(h);
    free(path);
    if (!got)
        return NULL;
    cJSON *l = new_list(), *items = cJSON_GetObjectItemCaseSensitive(l, "items");
    cJSON *src = cJSON_DetachItemFromObjectCaseSensitive(got, "items");
    cJSON_Delete(got);
    fill_kind(src, kind == PO_TASKS ? "MigrationTask" : "MigrationTemplate");
    cJSON *it;
    while (src && (it = src->child)) {
        cJSON_DetachItemViaPointer(src, it);
        cJSON *md = cJSON_GetObjectItemCaseSensitive(it, "metadata");
        cJSON *n = cJSON_GetObjectItemCaseSensitive(md, "name");
        if (!name || (cJSON_IsString(n) && !strcmp(n->valuestring, name)))
            cJSON_AddItemToArray(items, it);
        else
            cJSON_Delete(it);
    }
    cJSON_Delete(src);
    return l;
}

mt_snapshot *print_fetch_templates(mt_backend *b, char *err, size_t errlen)
{
    if (!strcmp(b->ops->name, "kube")) {
        CURL *h = curl_easy_init();
        if (!h)
            abort();
        mt_snapshot *s = mt_snapshot_new();
        char *path = kube_path_templates();
        bool ok = kube_backend_check_crds(b, h, err, errlen) &&
                  kube_list_into(kube_backend_client(b), h, path, s, NULL, err, errlen);
        free(path);
        curl_easy_cleanup(h);
        if (!ok) {
            mt_snapshot_free(s);
            return NULL;
        }
        mt_snapshot_sort(s);
        return s;
    }
    return b->ops->fetch(b, b->ops->default_namespace(b), NULL, err, errlen);
}

cJSON *print_objects_get(mt_backend *b, const mt_snapshot *s, po_kind kind, const char *ns,
                         const char *name, char *err, size_t errlen)
{
    cJSON *l;
    if (!strcmp(b->ops->name, "kube"))
        l = from_server(b, kind, ns, name, err, errlen);
    else
        l = from_model(s, kind, ns, name);
    (void)b;
    if (!l || !name)
        return l;
    /* `get NAME -o json` prints the object itself. */
    cJSON *items = cJSON_GetObjectItemCaseSensitive(l, "items");
    cJSON *one = items && items->child ? cJSON_DetachItemViaPointer(items, items->child) : NULL;
    cJSON_Delete(l);
    if (!one)
        snprintf(err, errlen, "%s \"%s\" not found",
                 kind == PO_TASKS ? "migrationtasks.datamigration.apecloud.io"
                                  : "migrationtemplates.datamigration.apecloud.io",
                 name);
    return one;
}

/* Go's json.MarshalIndent(v, "", "    "), as kubectl -o json prints:
 * one member or element per line, empty containers as {} and []. */
static void json_node(FILE *out, const cJSON *v, int indent)
{
    bool obj = cJSON_IsObject(v);
    if (!obj && !cJSON_IsArray(v)) {
        char *p = cJSON_PrintUnformatted(v);
        fputs(p, out);
        cJSON_free(p);
        return;
    }
    if (!v->child) {
        fputs(obj ? "{}" : "[]", out);
        return;
    }
    fputs(obj ? "{\n" : "[\n", out);
    for (const cJSON *it = v->child; it; it = it->next) {
        fprintf(out, "%*s", indent + 4, "");
        if (obj) {
            cJSON k = {.type = cJSON_String, .valuestring = it->string};
            json_node(out, &k, 0);
            fputs(": ", out);
        }
        json_node(out, it, indent + 4);
        fputs(it->next ? ",\n" : "\n", out);
    }
    fprintf(out, "%*s%c", indent, "", obj ? '}' : ']');
}

void print_object(FILE *out, const cJSON *v, bool yaml)
{
    if (yaml)
        print_yaml(out, v);
    else {
        json_node(out, v, 0);
        fputc('\n', out);
    }
}

/* Every "password" member with a value, at any depth: "****". */
static void mask_passwords(cJSON *v)
{
    for (cJSON *it = v ? v->child : NULL; it; it = it->next) {
        if (it->string && !strcmp(it->string, "password") && cJSON_IsString(it) &&
            it->valuestring[0])
            cJSON_SetValuestring(it, "****");
        else if (cJSON_IsObject(it) || cJSON_IsArray(it))
            mask_passwords(it);
    }
}

bool print_objects_out(mt_backend *b, const mt_snapshot *s, po_kind kind, const char *ns,
                       const char *name, bool yaml, bool show_secrets, char *err,
                       size_t errlen)
{
    cJSON *o = print_objects_get(b, s, kind, ns, name, err, errlen);
    if (!o)
        return false;
    if (!show_secrets)
        mask_passwords(o);
    print_object(stdout, o, yaml);
    cJSON_Delete(o);
    return true;
}
