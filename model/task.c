#include "model/task.h"

#include "model/strbuf.h"

#include <stdio.h>
#include <string.h>

/* A JSON object of string->any into an array of key/value text pairs. */
static void parse_map(jx *c, const cJSON *o, const char *path, const char *key,
                      mt_kv **out, size_t *n, bool values_must_be_strings)
{
    const cJSON *m = jx_obj(c, o, path, key, false);
    *out = NULL;
    *n = 0;
    if (!m)
        return;
    size_t cnt = (size_t)cJSON_GetArraySize(m);
    if (!cnt)
        return;
    *out = arena_alloc(c->a, cnt * sizeof **out);
    const cJSON *it;
    cJSON_ArrayForEach(it, m) {
        if (values_must_be_strings && !cJSON_IsString(it)) {
            char *p = jx_path(c->a, path, key);
            jx_fail(c, p, it->string, "expected a string, got %s", jx_type_name(it));
            return;
        }
        (*out)[*n].key = arena_strdup(c->a, it->string ? it->string : "");
        (*out)[*n].value = jx_value_text(c->a, it);
        (*n)++;
    }
}

static const char *kv_get(const mt_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(kv[i].key, key))
            return kv[i].value;
    return NULL;
}

const char *mt_meta_label(const mt_meta *m, const char *key)
{
    return kv_get(m->labels, m->n_labels, key);
}

const char *mt_meta_annotation(const mt_meta *m, const char *key)
{
    return kv_get(m->annotations, m->n_annotations, key);
}

void mt_meta_parse(jx *c, const cJSON *obj, const char *path, mt_meta *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *md = jx_obj(c, obj, path, "metadata", true);
    char *p = jx_path(c->a, path, "metadata");
    out->name = jx_str(c, md, p, "name", true);
    if (!c->failed && !*out->name)
        jx_fail(c, p, "name", "must not be empty");
    out->namespace_ = jx_str(c, md, p, "namespace", false);
    out->uid = jx_str(c, md, p, "uid", false);
    out->resource_version = jx_str(c, md, p, "resourceVersion", false);
    out->created = jx_time(c, md, p, "creationTimestamp");
    out->deleted = jx_time(c, md, p, "deletionTimestamp");
    parse_map(c, md, p, "labels", &out->labels, &out->n_labels, true);
    parse_map(c, md, p, "annotations", &out->annotations, &out->n_annotations, true);
    if (!out->namespace_)
        out->namespace_ = "";
}

static void parse_endpoint(jx *c, const cJSON *spec, const char *path, const char *key,
                           mt_endpoint *e)
{
    memset(e, 0, sizeof *e);
    const cJSON *o = jx_obj(c, spec, path, key, false);
    char *p = jx_path(c->a, path, key);
    e->endpoint_type = jx_str(c, o, p, "endpointType", false);
    e->address = jx_str(c, o, p, "address", false);
    e->database = jx_str(c, o, p, "databaseName", false);
    e->user = jx_str(c, o, p, "userName", false);
    e->password = jx_str(c, o, p, "password", false);
    const cJSON *sec = jx_obj(c, o, p, "secret", false);
    char *sp = jx_path(c->a, p, "secret");
    e->secret_name = jx_str(c, sec, sp, "name", false);
    e->secret_namespace = jx_str(c, sec, sp, "namespace", false);
}

static void parse_object_list(jx *c, const cJSON *mo, const char *path, const char *key,
                              mt_schema_obj **out, size_t *n)
{
    const cJSON *arr = jx_arr(c, mo, path, key, false);
    *out = NULL;
    *n = 0;
    if (!arr)
        return;
    size_t cnt = (size_t)cJSON_GetArraySize(arr);
    if (!cnt)
        return;
    *out = arena_alloc(c->a, cnt * sizeof **out);
    char *ap = jx_path(c->a, path, key);
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        char *ip = jx_path_idx(c->a, ap, i++);
        if (!cJSON_IsObject(it)) {
            jx_fail(c, ip, NULL, "expected an object, got %s", jx_type_name(it));
            return;
        }
        mt_schema_obj *s = &(*out)[(*n)++];
        s->schema = jx_str(c, it, ip, "schemaName", true);
        s->is_all = jx_bool(c, it, ip, "isAll");
        const cJSON *tl = jx_arr(c, it, ip, "tableList", false);
        if (!tl)
            continue;
        size_t tc = (size_t)cJSON_GetArraySize(tl);
        s->tables = tc ? arena_alloc(c->a, tc * sizeof *s->tables) : NULL;
        char *tp = jx_path(c->a, ip, "tableList");
        int j = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, tl) {
            char *tip = jx_path_idx(c->a, tp, j++);
            if (!cJSON_IsObject(t)) {
                jx_fail(c, tip, NULL, "expected an object, got %s", jx_type_name(t));
                return;
            }
            mt_table_obj *to = &s->tables[s->n_tables++];
            to->name = jx_str(c, t, tip, "tableName", true);
            to->is_all = jx_bool(c, t, tip, "isAll");
        }
    }
}

/* An array of strings, e.g. initialization.steps or taskType. */
static const char **parse_str_array(jx *c, const cJSON *o, const char *path,
                                    const char *key, size_t *n)
{
    const cJSON *arr = jx_arr(c, o, path, key, false);
    *n = 0;
    if (!arr || !cJSON_GetArraySize(arr))
        return NULL;
    const char **out = arena_alloc(c->a, (size_t)cJSON_GetArraySize(arr) * sizeof *out);
    char *ap = jx_path(c->a, path, key);
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (!cJSON_IsString(it)) {
            jx_fail(c, jx_path_idx(c->a, ap, i), NULL, "expected a string, got %s",
                    jx_type_name(it));
            return NULL;
        }
        out[(*n)++] = arena_strdup(c->a, it->valuestring);
        i++;
    }
    return out;
}

static void parse_runtime(jx *c, const cJSON *status, const char *path, const char *key,
                          mt_runtime *r)
{
    memset(r, 0, sizeof *r);
    const cJSON *o = jx_obj(c, status, path, key, false);
    char *p = jx_path(c->a, path, key);
    r->start = jx_time(c, o, p, "startTime");
    r->finish = jx_time(c, o, p, "finishTime");
    r->failed_reason = jx_str(c, o, p, "failedReason", false);
    parse_map(c, o, p, "metrics", &r->metrics, &r->n_metrics, false);
    parse_map(c, o, p, "runTimeParam", &r->params, &r->n_params, false);
}

static void parse_health(jx *c, mt_task *t)
{
    static const char *const ids[] = {"ok", "runner-gone", "runner-hung", "stalled",
                                      "failing", "status-lost"};
    const char *h = mt_meta_annotation(&t->meta, MT_ANNOT_HEALTH);
    const char *since = mt_meta_annotation(&t->meta, MT_ANNOT_HEALTH_SINCE);
    const char *why = mt_meta_annotation(&t->meta, MT_ANNOT_HEALTH_REASON);
    t->health.reason = why ? why : "";
    for (size_t i = 0; h && i < sizeof ids / sizeof *ids; i++)
        if (!strcmp(h, ids[i]))
            t->health.kind = (mt_health_kind)i;
    if (since)
        fmt_parse_timestamp(since, 0, &t->health.since, NULL);
    (void)c;
}

const char *mt_health_word(mt_health_kind k)
{
    static const char *const words[] = {NULL, "RunnerDown", "NotResponding", "Stalled",
                                        "Failing", "StatusLost"};
    return k <= MT_HEALTH_STATUS_LOST ? words[k] : NULL;
}

void mt_task_parse(jx *c, const cJSON *obj, const char *path, mt_task *t)
{
    memset(t, 0, sizeof *t);
    mt_meta_parse(c, obj, path, &t->meta);
    const cJSON *spec = jx_obj(c, obj, path, "spec", true);
    char *sp = jx_path(c->a, path, "spec");
    t->task_type = jx_str(c, spec, sp, "taskType", false);
    if (!t->task_type)
        t->task_type = "initialization-and-cdc"; /* the CRD's default */
    t->template_name = jx_str(c, spec, sp, "template", true);
    parse_endpoint(c, spec, sp, "sourceEndpoint", &t->source);
    parse_endpoint(c, spec, sp, "sinkEndpoint", &t->sink);
    const cJSON *init = jx_obj(c, spec, sp, "initialization", false);
    t->steps = parse_str_array(c, init, jx_path(c->a, sp, "initialization"), "steps",
                               &t->n_steps);
    const cJSON *mo = jx_obj(c, spec, sp, "migrationObj", false);
    char *mp = jx_path(c->a, sp, "migrationObj");
    parse_object_list(c, mo, mp, "whiteList", &t->objects.white, &t->objects.n_white);
    parse_object_list(c, mo, mp, "blackList", &t->objects.black, &t->objects.n_black);

    const cJSON *st = jx_obj(c, obj, path, "status", false);
    char *stp = jx_path(c->a, path, "status");
    t->task_status = jx_str(c, st, stp, "taskStatus", false);
    if (!t->task_status)
        t->task_status = "";
    t->start = jx_time(c, st, stp, "startTime");
    t->finish = jx_time(c, st, stp, "finishTime");
    parse_runtime(c, st, stp, "initialization", &t->init);
    parse_runtime(c, st, stp, "cdc", &t->cdc);
    mt_progress_parse(c->a, st, &t->progress);
    parse_health(c, t);
    t->source_masked = mt_endpoint_masked(c->a, &t->source);
    t->sink_masked = mt_endpoint_masked(c->a, &t->sink);
    t->objects_text = mt_objects_string(c->a, &t->objects);
}

void mt_template_parse(jx *c, const cJSON *obj, const char *path, mt_template *t)
{
    memset(t, 0, sizeof *t);
    mt_meta_parse(c, obj, path, &t->meta);
    const cJSON *spec = jx_obj(c, obj, path, "spec", true);
    char *sp = jx_path(c->a, path, "spec");
    t->task_types = parse_str_array(c, spec, sp, "taskType", &t->n_task_types);
    t->description = jx_str(c, spec, sp, "description", false);
    const cJSON *src = jx_obj(c, spec, sp, "source", false);
    const cJSON *dst = jx_obj(c, spec, sp, "target", false);
    t->source_db = jx_str(c, src, jx_path(c->a, sp, "source"), "dbType", false);
    t->source_version = jx_str(c, src, jx_path(c->a, sp, "source"), "dbVersion", false);
    t->target_db = jx_str(c, dst, jx_path(c->a, sp, "target"), "dbType", false);
    t->target_version = jx_str(c, dst, jx_path(c->a, sp, "target"), "dbVersion", false);
    const cJSON *init = jx_obj(c, spec, sp, "initialization", false);
    char *ip = jx_path(c->a, sp, "initialization");
    const cJSON *steps = jx_arr(c, init, ip, "steps", false);
    if (steps && cJSON_GetArraySize(steps)) {
        t->steps = arena_alloc(c->a, (size_t)cJSON_GetArraySize(steps) * sizeof *t->steps);
        char *stp = jx_path(c->a, ip, "steps");
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, steps) {
            char *p = jx_path_idx(c->a, stp, i++);
            if (!cJSON_IsObject(it)) {
                jx_fail(c, p, NULL, "expected an object, got %s", jx_type_name(it));
                break;
            }
            mt_template_step *s = &t->steps[t->n_steps++];
            s->step = jx_str(c, it, p, "step", true);
            const cJSON *ct = jx_obj(c, it, p, "container", false);
            s->image = jx_str(c, ct, jx_path(c->a, p, "container"), "image", false);
        }
    }
    const cJSON *st = jx_obj(c, obj, path, "status", false);
    t->phase = jx_str(c, st, jx_path(c->a, path, "status"), "phase", false);
    if (!t->phase)
        t->phase = "";
    if (!t->description)
        t->description = "";
}

static const struct {
    const char *cr, *cli;
} step_names[] = {
    {"preCheck", "precheck"},
    {"initStruct", "init-struct"},
    {"initData", "init-data"},
    {"initStructLater", "init-struct-later"},
    {"cdc", "cdc"},
};

const char *mt_step_cli_name(const char *cr)
{
    for (size_t i = 0; i < sizeof step_names / sizeof *step_names; i++)
        if (cr && !strcmp(cr, step_names[i].cr))
            return step_names[i].cli;
    return NULL;
}

const char *mt_step_cr_name(const char *cli)
{
    for (size_t i = 0; i < sizeof step_names / sizeof *step_names; i++)
        if (cli && !strcmp(cli, step_names[i].cli))
            return step_names[i].cr;
    return NULL;
}

/* A name as the object lists write it: bare when it reads back the same,
 * else in double quotes with "" for a quote. */
static bool needs_quotes(const char *n)
{
    return !*n || n[0] == ' ' || n[strlen(n) - 1] == ' ' || strpbrk(n, ".\",") != NULL;
}

/* s in double quotes, each quote in it doubled. */
static void put_quoted(strbuf *b, const char *s)
{
    strbuf_put(b, "\"", 1);
    for (; *s; s++) {
        strbuf_put(b, s, 1);
        if (*s == '"')
            strbuf_put(b, "\"", 1);
    }
    strbuf_put(b, "\"", 1);
}

static void put_name(strbuf *b, const char *n)
{
    if (!needs_quotes(n)) {
        strbuf_printf(b, "%s", n);
        return;
    }
    put_quoted(b, n);
}

char *mt_objects_string(arena *a, const mt_objects *o)
{
    strbuf b = {0};
    for (size_t i = 0; i < o->n_white; i++) {
        const mt_schema_obj *s = &o->white[i];
        const char *schema = s->schema ? s->schema : "";
        if (s->is_all) {
            if (b.n)
                strbuf_put(&b, ",", 1);
            put_name(&b, schema);
            continue;
        }
        for (size_t j = 0; j < s->n_tables; j++) {
            if (b.n)
                strbuf_put(&b, ",", 1);
            put_name(&b, schema);
            strbuf_put(&b, ".", 1);
            put_name(&b, s->tables[j].name ? s->tables[j].name : "");
        }
    }
    char *out = arena_strdup(a, strbuf_str(&b));
    strbuf_free(&b);
    return out;
}

void mt_object_arg(strbuf *b, const char *schema, const char *table)
{
    strbuf tmp = {0};
    if (!needs_quotes(schema) && (!table || !needs_quotes(table))) {
        /* kbcli's form: "schema" or "schema.table". */
        strbuf_printf(&tmp, "%s%s%s", schema, table ? "." : "", table ? table : "");
    } else {
        put_name(&tmp, schema);
        if (table) {
            strbuf_put(&tmp, ".", 1);
            put_name(&tmp, table);
        }
    }
    /* The whole element in the list's quotes. */
    if (b->n)
        strbuf_put(b, ",", 1);
    put_quoted(b, strbuf_str(&tmp));
    strbuf_free(&tmp);
}

static mt_schema_obj *copy_schemas(arena *a, const mt_schema_obj *s, size_t n)
{
    mt_schema_obj *d = n ? arena_alloc(a, n * sizeof *d) : NULL;
    for (size_t i = 0; i < n; i++) {
        d[i] = s[i];
        d[i].schema = arena_strdup(a, s[i].schema ? s[i].schema : "");
        d[i].tables = s[i].n_tables ? arena_alloc(a, s[i].n_tables * sizeof *d[i].tables) : NULL;
        for (size_t j = 0; j < s[i].n_tables; j++) {
            d[i].tables[j] = s[i].tables[j];
            d[i].tables[j].name = arena_strdup(a, s[i].tables[j].name ? s[i].tables[j].name : "");
        }
    }
    return d;
}

void mt_objects_copy(arena *a, const mt_objects *src, mt_objects *dst)
{
    dst->n_white = src->n_white;
    dst->n_black = src->n_black;
    dst->white = copy_schemas(a, src->white, src->n_white);
    dst->black = copy_schemas(a, src->black, src->n_black);
}

char *mt_endpoint_masked(arena *a, const mt_endpoint *e)
{
    /* kbcli's user:password@address/db with the password masked; with no
     * password at all (a local task reads it from .pgpass) just user@. */
    return arena_printf(a, "%s%s@%s/%s", e->user ? e->user : "",
                        e->password && *e->password ? ":****" : "",
                        e->address ? e->address : "", e->database ? e->database : "");
}

bool mt_task_failed(const mt_task *t)
{
    return (t->init.failed_reason && *t->init.failed_reason) ||
           (t->cdc.failed_reason && *t->cdc.failed_reason) ||
           !strcmp(t->task_status, "Failed");
}

char *mt_slot_name(arena *a, const char *task_name)
{
    char *s = arena_strdup(a, task_name);
    for (char *p = s; *p; p++)
        if (*p == '-')
            *p = '_';
    return s;
}

char *mt_publication_name(arena *a, const char *task_name)
{
    return arena_printf(a, "%s_publication_for_all_tables", mt_slot_name(a, task_name));
}
