#include "kube/yaml_json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *kube_errno_text(int e, char *buf, size_t n)
{
    snprintf(buf, n, "%s", strerror(e));
    if (buf[0] && buf[1] && !isupper((unsigned char)buf[1]))
        buf[0] = (char)tolower((unsigned char)buf[0]);
    return buf;
}

/* Kubeconfigs are shallow; the limits only guard against hostile input:
 * the depth, and the nodes made (an alias is its anchor's node again, so
 * nested aliases expand exponentially: "billion laughs"). A kubeconfig of
 * 40,000 contexts is some 400,000 nodes. */
#define MAX_DEPTH 64
#define MAX_NODES 2000000

typedef struct budget {
    long nodes;
    bool exceeded;
} budget;

static cJSON *convert(yaml_document_t *doc, yaml_node_t *node, int depth, budget *b)
{
    if (!node || depth > MAX_DEPTH)
        return NULL;
    if (++b->nodes > MAX_NODES) {
        b->exceeded = true;
        return NULL;
    }
    switch (node->type) {
    case YAML_SCALAR_NODE: {
        const char *v = (const char *)node->data.scalar.value;
        size_t n = node->data.scalar.length;
        /* Plain "null" / "~" / empty are YAML nulls; quoted ones are strings. */
        if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (n == 0 || !strcmp(v, "null") || !strcmp(v, "~") || !strcmp(v, "Null")))
            return cJSON_CreateNull();
        char *s = malloc(n + 1);
        if (!s)
            abort();
        memcpy(s, v, n);
        s[n] = '\0';
        cJSON *r = cJSON_CreateString(s);
        free(s);
        return r;
    }
    case YAML_SEQUENCE_NODE: {
        cJSON *arr = cJSON_CreateArray();
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top; it++) {
            cJSON *v = convert(doc, yaml_document_get_node(doc, *it), depth + 1, b);
            if (!v) {
                cJSON_Delete(arr);
                return NULL;
            }
            cJSON_AddItemToArray(arr, v);
        }
        return arr;
    }
    case YAML_MAPPING_NODE: {
        cJSON *obj = cJSON_CreateObject();
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
             p < node->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (!k || k->type != YAML_SCALAR_NODE)
                continue; /* complex keys mean nothing in a kubeconfig */
            cJSON *v = convert(doc, yaml_document_get_node(doc, p->value), depth + 1, b);
            if (!v) {
                cJSON_Delete(obj);
                return NULL;
            }
            const char *key = (const char *)k->data.scalar.value;
            /* Duplicate keys: the last wins, as in Go's YAML decoders. */
            if (cJSON_GetObjectItemCaseSensitive(obj, key))
                cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
            else
                cJSON_AddItemToObject(obj, key, v);
        }
        return obj;
    }
    default:
        return cJSON_CreateNull();
    }
}

cJSON *kube_yaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        snprintf(err, errlen, "line %lu, column %lu: %s", (unsigned long)p.problem_mark.line + 1,
                 (unsigned long)p.problem_mark.column + 1, p.problem ? p.problem : "invalid YAML");
        yaml_parser_delete(&p);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    cJSON *out;
    budget b = {0};
    if (!root)
        out = cJSON_CreateObject();
    else if (!(out = convert(&doc, root, 0, &b)) && b.exceeded)
        snprintf(err, errlen, "the document expands to more than %d nodes (aliases of aliases?)",
                 MAX_NODES);
    else if (!out)
        snprintf(err, errlen, "the document nests more than %d levels", MAX_DEPTH);
    if (out && cJSON_IsNull(out)) {
        cJSON_Delete(out);
        out = cJSON_CreateObject();
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return out;
}

char *kube_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char eb[128];
        snprintf(err, errlen, "open %s: %s", path, kube_errno_text(errno, eb, sizeof eb));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= (64u << 20)) {
                snprintf(err, errlen, "read %s: file too large", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        char eb[128];
        snprintf(err, errlen, "read %s: %s", path, kube_errno_text(errno, eb, sizeof eb));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
