#include "model/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/order.h"

mt_snapshot *mt_snapshot_new(void)
{
    mt_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    arena_init(&s->mem);
    s->taken_ms = fmt_now_ms();
    atomic_init(&s->refs, 1);
    return s;
}

mt_snapshot *mt_snapshot_ref(mt_snapshot *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void mt_snapshot_notice(mt_snapshot *s, const char *text)
{
    enum { MAX_NOTICES = 16 };
    if (!s->notices)
        s->notices = arena_alloc(&s->mem, MAX_NOTICES * sizeof *s->notices);
    if (s->n_notices < MAX_NOTICES)
        s->notices[s->n_notices++] = arena_strdup(&s->mem, text);
}

void mt_snapshot_free(mt_snapshot *s)
{
    /* acq_rel: whoever frees sees every write the other holders made */
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (size_t i = 0; i < s->n_parts; i++)
        mt_snapshot_free(s->parts[i]);
    free(s->parts);
    free(s->tasks);
    free(s->templates);
    free(s->jobs);
    free(s->pods);
    free(s->sts);
    arena_free(&s->mem);
    free(s);
}

/* Grows a plain array by one element and returns a pointer to it. */
static void *push(void **arr, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        void *p = realloc(*arr, nc * elem);
        if (!p)
            abort();
        *arr = p;
        *cap = nc;
    }
    return (char *)*arr + (*n)++ * elem;
}

#define PUSH(s, field) \
    push((void **)&(s)->field, &(s)->n_##field, &(s)->cap_##field, sizeof *(s)->field)

/* Appends n elements of elem bytes from src. */
static void push_all(void **arr, size_t *n, size_t *cap, size_t elem, const void *src,
                     size_t count)
{
    if (!count)
        return;
    if (*n + count > *cap) {
        size_t nc = *cap ? *cap : 16;
        while (nc < *n + count)
            nc *= 2;
        void *p = realloc(*arr, nc * elem);
        if (!p)
            abort();
        *arr = p;
        *cap = nc;
    }
    memcpy((char *)*arr + *n * elem, src, count * elem);
    *n += count;
}

#define PUSH_ALL(s, part, field)                                                            \
    push_all((void **)&(s)->field, &(s)->n_##field, &(s)->cap_##field, sizeof *(s)->field, \
             (part)->field, (part)->n_##field)

void mt_snapshot_add_part(mt_snapshot *s, mt_snapshot *part)
{
    PUSH_ALL(s, part, tasks);
    PUSH_ALL(s, part, templates);
    PUSH_ALL(s, part, jobs);
    PUSH_ALL(s, part, pods);
    PUSH_ALL(s, part, sts);
    for (size_t i = 0; i < part->n_notices; i++)
        mt_snapshot_notice(s, part->notices[i]);
    if (s->n_parts == s->cap_parts) {
        s->cap_parts = s->cap_parts ? s->cap_parts * 2 : 16;
        s->parts = realloc(s->parts, s->cap_parts * sizeof *s->parts);
        if (!s->parts)
            abort();
    }
    s->parts[s->n_parts++] = mt_snapshot_ref(part);
}

/* Shrinks one array to its length (an empty one to nothing). */
static void trim(void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n == *cap)
        return;
    if (!n) {
        free(*arr);
        *arr = NULL;
    } else {
        void *p = realloc(*arr, n * elem);
        if (p)
            *arr = p;
        else
            return;
    }
    *cap = n;
}

#define TRIM(s, field) trim((void **)&(s)->field, (s)->n_##field, &(s)->cap_##field, \
                            sizeof *(s)->field)

void mt_snapshot_trim(mt_snapshot *s)
{
    TRIM(s, tasks);
    TRIM(s, templates);
    TRIM(s, jobs);
    TRIM(s, pods);
    TRIM(s, sts);
}

static const struct kind {
    const char *kind, *api_version;
} kinds[] = {
    {"MigrationTask", MT_API_VERSION},
    {"MigrationTemplate", MT_API_VERSION},
    {"Job", "batch/v1"},
    {"Pod", "v1"},
    {"StatefulSet", "apps/v1"},
};

bool mt_snapshot_add(mt_snapshot *s, jx *c, const cJSON *obj, const char *path)
{
    if (!cJSON_IsObject(obj)) {
        jx_fail(c, path, NULL, "expected an object, got %s", jx_type_name(obj));
        return false;
    }
    const char *kind = jx_str(c, obj, path, "kind", true);
    const char *api = jx_str(c, obj, path, "apiVersion", true);
    if (c->failed)
        return false;
    size_t k;
    for (k = 0; k < sizeof kinds / sizeof *kinds; k++)
        if (!strcmp(kind, kinds[k].kind))
            break;
    if (k == sizeof kinds / sizeof *kinds)
        return true; /* some other kind in the list: not ours, skip it */
    if (strcmp(api, kinds[k].api_version)) {
        jx_fail(c, path, "apiVersion", "%s has apiVersion \"%.60s\", expected \"%s\"",
                kind, api, kinds[k].api_version);
        return false;
    }
    switch (k) {
    case 0: mt_task_parse(c, obj, path, PUSH(s, tasks)); break;
    case 1: mt_template_parse(c, obj, path, PUSH(s, templates)); break;
    case 2: mt_job_parse(c, obj, path, PUSH(s, jobs)); break;
    case 3: mt_pod_parse(c, obj, path, PUSH(s, pods)); break;
    default: mt_statefulset_parse(c, obj, path, PUSH(s, sts)); break;
    }
    return !c->failed;
}

mt_snapshot *mt_snapshot_parse(const char *text, size_t len, char *err, size_t errlen)
{
    cJSON *root = jx_parse(text, len, err, errlen);
    if (!root)
        return NULL;
    mt_snapshot *s = mt_snapshot_new();
    jx c;
    jx_init(&c, &s->mem);
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "expected a JSON object (a v1 List), got %s",
                 jx_type_name(root));
        goto fail;
    }
    const char *kind = jx_str(&c, root, "", "kind", true);
    if (c.failed)
        goto failc;
    if (!strcmp(kind, "List") || (strlen(kind) > 4 && !strcmp(kind + strlen(kind) - 4, "List"))) {
        const char *api = jx_str(&c, root, "", "apiVersion", true);
        if (c.failed)
            goto failc;
        if (!strcmp(kind, "List") && strcmp(api, "v1")) {
            snprintf(err, errlen, "a List must have apiVersion \"v1\", got \"%.60s\"", api);
            goto fail;
        }
        const cJSON *items = jx_arr(&c, root, "", "items", true);
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, items) {
            char path[32];
            snprintf(path, sizeof path, "items[%d]", i++);
            if (!mt_snapshot_add(s, &c, it, path))
                goto failc;
        }
        if (c.failed)
            goto failc;
    } else if (!mt_snapshot_add(s, &c, root, "")) {
        goto failc;
    }
    cJSON_Delete(root);
    mt_snapshot_sort(s);
    return s;
failc:
    snprintf(err, errlen, "%s", c.err);
fail:
    cJSON_Delete(root);
    mt_snapshot_free(s);
    return NULL;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_task(const void *a, const void *b)
{
    const mt_task *x = a, *y = b;
    int r = cmp_str(x->meta.namespace_, y->meta.namespace_);
    return r ? r : cmp_str(x->meta.name, y->meta.name);
}

static int cmp_template(const void *a, const void *b)
{
    return cmp_str(((const mt_template *)a)->meta.name, ((const mt_template *)b)->meta.name);
}

void mt_snapshot_sort(mt_snapshot *s)
{
    mt_sort_unless_sorted(s->tasks, s->n_tasks, sizeof *s->tasks, cmp_task);
    mt_sort_unless_sorted(s->templates, s->n_templates, sizeof *s->templates, cmp_template);
}

const mt_task *mt_snapshot_task(const mt_snapshot *s, const char *ns, const char *name)
{
    for (size_t i = 0; s && i < s->n_tasks; i++)
        if (!cmp_str(s->tasks[i].meta.name, name) &&
            (!ns || !cmp_str(s->tasks[i].meta.namespace_, ns)))
            return &s->tasks[i];
    return NULL;
}

const mt_template *mt_snapshot_template(const mt_snapshot *s, const char *name)
{
    for (size_t i = 0; s && i < s->n_templates; i++)
        if (!cmp_str(s->templates[i].meta.name, name))
            return &s->templates[i];
    return NULL;
}
