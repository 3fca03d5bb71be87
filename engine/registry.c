#include "engine/registry.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/local_objects.h"
#include "engine/taskdir.h"
#include "model/task.h"

#define REGISTRY_FILE "endpoints.json"

static cJSON *read_registry(const char *state_dir)
{
    char p[4200], err[256];
    snprintf(p, sizeof p, "%s/%s", state_dir, REGISTRY_FILE);
    char *text = engine_read_file(p, NULL, err, sizeof err);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(j)) {
        cJSON_Delete(j);
        j = cJSON_CreateArray();
    }
    return j;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void add_one(cJSON *arr, const char *role, const mt_endpoint_arg *e)
{
    char port[16];
    snprintf(port, sizeof port, "%d", e->port);
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (!strcmp(str(it, "role"), role) && !strcmp(str(it, "host"), e->host) &&
            !strcmp(str(it, "port"), port) && !strcmp(str(it, "db"), e->database) &&
            !strcmp(str(it, "user"), e->user))
            return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "role", role);
    cJSON_AddStringToObject(o, "host", e->host);
    cJSON_AddStringToObject(o, "port", port);
    cJSON_AddStringToObject(o, "db", e->database);
    cJSON_AddStringToObject(o, "user", e->user);
    cJSON_AddItemToArray(arr, o);
}

bool engine_registry_add(const char *state_dir, const mt_endpoint_arg *src,
                         const mt_endpoint_arg *sink, char *err, size_t errlen)
{
    cJSON *arr = read_registry(state_dir);
    add_one(arr, "source", src);
    add_one(arr, "sink", sink);
    char *text = cJSON_Print(arr);
    cJSON_Delete(arr);
    if (!text)
        abort();
    bool ok = engine_write_file(state_dir, REGISTRY_FILE, text, strlen(text), err, errlen);
    cJSON_free(text);
    return ok;
}

size_t engine_registry_list(const char *state_dir, engine_server **out)
{
    cJSON *arr = read_registry(state_dir);
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    *out = n ? calloc(n, sizeof **out) : NULL;
    if (n && !*out)
        abort();
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        engine_server *s = &(*out)[i++];
        snprintf(s->role, sizeof s->role, "%s", str(it, "role"));
        snprintf(s->host, sizeof s->host, "%s", str(it, "host"));
        snprintf(s->port, sizeof s->port, "%s", str(it, "port"));
        snprintf(s->db, sizeof s->db, "%s", str(it, "db"));
        snprintf(s->user, sizeof s->user, "%s", str(it, "user"));
    }
    cJSON_Delete(arr);
    return n;
}

size_t engine_local_slots(const char *state_dir, char ***slots)
{
    char **names;
    size_t n = engine_list_tasks(state_dir, &names);
    arena a;
    arena_init(&a);
    for (size_t i = 0; i < n; i++) {
        char *s = strdup(mt_slot_name(&a, names[i]));
        if (!s)
            abort();
        free(names[i]);
        names[i] = s;
    }
    arena_free(&a);
    *slots = names;
    return n;
}
