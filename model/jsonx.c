#include "model/jsonx.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kubernetes objects nest about ten levels; 64 leaves room and still
 * refuses the pathological inputs that would otherwise exhaust the stack. */
#define JX_MAX_DEPTH 64

void jx_init(jx *c, arena *a)
{
    c->a = a;
    c->failed = false;
    c->err[0] = '\0';
}

void jx_fail(jx *c, const char *path, const char *key, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    int n = snprintf(c->err, sizeof c->err, "%s%s%s: ", path ? path : "",
                     path && *path && key ? "." : "", key ? key : "");
    if (n < 0 || (size_t)n >= sizeof c->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, sizeof c->err - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *jx_type_name(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return "null";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "an unknown value";
}

/* Looks the key up; a JSON null counts as missing, as in Go's decoder. */
static const cJSON *get(jx *c, const cJSON *o, const char *path, const char *key,
                        bool required)
{
    if (c->failed || !o)
        return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) {
        if (required)
            jx_fail(c, path, key, "required field is missing");
        return NULL;
    }
    return v;
}

const cJSON *jx_obj(jx *c, const cJSON *o, const char *path, const char *key, bool required)
{
    const cJSON *v = get(c, o, path, key, required);
    if (v && !cJSON_IsObject(v)) {
        jx_fail(c, path, key, "expected an object, got %s", jx_type_name(v));
        return NULL;
    }
    return v;
}

const cJSON *jx_arr(jx *c, const cJSON *o, const char *path, const char *key, bool required)
{
    const cJSON *v = get(c, o, path, key, required);
    if (v && !cJSON_IsArray(v)) {
        jx_fail(c, path, key, "expected an array, got %s", jx_type_name(v));
        return NULL;
    }
    return v;
}

char *jx_str(jx *c, const cJSON *o, const char *path, const char *key, bool required)
{
    const cJSON *v = get(c, o, path, key, required);
    if (!v)
        return NULL;
    if (!cJSON_IsString(v)) {
        jx_fail(c, path, key, "expected a string, got %s", jx_type_name(v));
        return NULL;
    }
    return arena_strdup(c->a, v->valuestring);
}

int64_t jx_int(jx *c, const cJSON *o, const char *path, const char *key, bool required)
{
    const cJSON *v = get(c, o, path, key, required);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
        v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9.0e15) {
        jx_fail(c, path, key, "expected an integer, got %s", jx_type_name(v));
        return 0;
    }
    return (int64_t)v->valuedouble;
}

bool jx_bool(jx *c, const cJSON *o, const char *path, const char *key)
{
    const cJSON *v = get(c, o, path, key, false);
    if (!v)
        return false;
    if (!cJSON_IsBool(v)) {
        jx_fail(c, path, key, "expected a boolean, got %s", jx_type_name(v));
        return false;
    }
    return cJSON_IsTrue(v);
}

mt_time jx_time(jx *c, const cJSON *o, const char *path, const char *key)
{
    char *s = jx_str(c, o, path, key, false);
    if (!s || !*s)
        return 0;
    mt_time t;
    if (!fmt_parse_rfc3339(s, &t)) {
        jx_fail(c, path, key, "expected an RFC 3339 time, got \"%.40s\"", s);
        return 0;
    }
    return t;
}

char *jx_value_text(arena *a, const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return arena_strdup(a, "");
    if (cJSON_IsString(v))
        return arena_strdup(a, v->valuestring);
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 9.0e15)
            return arena_printf(a, "%.0f", d);
        return arena_printf(a, "%g", d);
    }
    char *p = cJSON_PrintUnformatted(v);
    char *r = arena_strdup(a, p ? p : "");
    cJSON_free(p);
    return r;
}

char *jx_path(arena *a, const char *path, const char *key)
{
    if (!path || !*path)
        return arena_strdup(a, key);
    return arena_printf(a, "%s.%s", path, key);
}

char *jx_path_idx(arena *a, const char *path, int idx)
{
    return arena_printf(a, "%s[%d]", path ? path : "", idx);
}

/* cJSON recurses once per nesting level; check the depth first with a
 * scan that understands strings, so hostile input cannot overflow. */
static bool depth_ok(const char *t, size_t len, size_t *where)
{
    int depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = t[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > JX_MAX_DEPTH) {
                *where = i;
                return false;
            }
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return true;
}

static void line_col(const char *t, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (t[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

cJSON *jx_parse(const char *text, size_t len, char *err, size_t errlen)
{
    size_t where = 0;
    int line, col;
    if (len == 0) {
        snprintf(err, errlen, "empty input, expected JSON");
        return NULL;
    }
    if (!depth_ok(text, len, &where)) {
        line_col(text, where, &line, &col);
        snprintf(err, errlen, "JSON nested deeper than %d levels at line %d column %d",
                 JX_MAX_DEPTH, line, col);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!root) {
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        line_col(text, off, &line, &col);
        if (off + 1 >= len) /* cJSON stops at the last byte or past it */
            snprintf(err, errlen, "JSON ends too early (truncated?) at line %d column %d",
                     line, col);
        else
            /* The text need not end in a NUL: never read past len. */
            snprintf(err, errlen, "not valid JSON at line %d column %d near \"%.*s\"",
                     line, col, (int)(len - off < 12 ? len - off : 12), text + off);
        return NULL;
    }
    return root;
}
