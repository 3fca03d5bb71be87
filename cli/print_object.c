#include "cli/print_object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/jsonpath.h"
#include "model/object_json.h"
#include "model/print_yaml.h"
#include "kube/api.h"
#include "kube/backend.h"

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
    cJSON *l = mt_list_json(), *items = cJSON_GetObjectItemCaseSensitive(l, "items");
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
        l = mt_objects_json(s, kind == PO_TEMPLATES, ns, name);
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

/* A listed object's labels against the selector. */
static bool item_matches(const cJSON *item, const mt_selector *sel)
{
    mt_kv kv[64];
    size_t n = 0;
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(item, "metadata");
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
    for (const cJSON *l = labels ? labels->child : NULL; l && n < 64; l = l->next)
        if (l->string && cJSON_IsString(l))
            kv[n++] = (mt_kv){l->string, l->valuestring};
    return mt_selector_match(sel, kv, n);
}

static void keep_matching(cJSON *list, const mt_selector *sel)
{
    cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    for (cJSON *it = items ? items->child : NULL, *next; it; it = next) {
        next = it->next;
        if (!item_matches(it, sel))
            cJSON_Delete(cJSON_DetachItemViaPointer(items, it));
    }
}

bool print_objects_out(mt_backend *b, const mt_snapshot *s, po_kind kind, const char *ns,
                       const char *name, const print_how *how, char *err, size_t errlen)
{
    cJSON *o = print_objects_get(b, s, kind, ns, name, err, errlen);
    if (!o)
        return false;
    if (how->sel)
        keep_matching(o, how->sel);
    if (!how->show_secrets)
        mask_passwords(o);
    bool ok = true;
    if (how->jsonpath) {
        strbuf out = {0};
        char e[300];
        ok = jsonpath_run(how->jsonpath, o, &out, e, sizeof e);
        if (ok)
            fputs(strbuf_str(&out), stdout); /* kubectl adds no newline */
        else
            snprintf(err, errlen, "error parsing jsonpath %s: %s", how->jsonpath, e);
        strbuf_free(&out);
    } else {
        print_object(stdout, o, how->yaml);
    }
    cJSON_Delete(o);
    return ok;
}
