/* The template is cut into tokens (text, a path, range, end) once, then
 * run over the object: range repeats its body for each element its path
 * finds, with @ (and a leading '.') meaning that element. */
#include "cli/jsonpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { JT_TEXT, JT_PATH, JT_RANGE, JT_END } jt_kind;

typedef struct jt {
    jt_kind kind;
    char *s; /* the text, or the path */
} jt;

typedef struct nodes {
    const cJSON **v;
    size_t n, cap;
} nodes;

static void push(nodes *ns, const cJSON *v)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 8;
        ns->v = realloc(ns->v, ns->cap * sizeof *ns->v);
        if (!ns->v)
            abort();
    }
    ns->v[ns->n++] = v;
}

/* A quoted literal inside braces: "\n", "\t", "\"", "\\" understood. */
static char *literal(const char *p, size_t len)
{
    char *o = malloc(len + 1);
    if (!o)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\\' && i + 1 < len) {
            char c = p[++i];
            o[k++] = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            o[k++] = p[i];
        }
    }
    o[k] = '\0';
    return o;
}

static char *dup_n(const char *p, size_t n)
{
    char *o = malloc(n + 1);
    if (!o)
        abort();
    memcpy(o, p, n);
    o[n] = '\0';
    return o;
}

static bool tokenize(const char *t, jt **out, size_t *n_out, char *err, size_t errlen)
{
    jt *v = NULL;
    size_t n = 0;
    while (*t) {
        v = realloc(v, (n + 1) * sizeof *v);
        if (!v)
            abort();
        if (*t != '{') {
            size_t len = strcspn(t, "{");
            v[n++] = (jt){JT_TEXT, dup_n(t, len)};
            t += len;
            continue;
        }
        const char *close = strchr(t, '}');
        if (!close) {
            snprintf(err, errlen, "unclosed { in the template");
            *out = v, *n_out = n;
            return false;
        }
        const char *in = t + 1;
        size_t len = (size_t)(close - in);
        while (len && *in == ' ')
            in++, len--;
        while (len && in[len - 1] == ' ')
            len--;
        if (len >= 2 && in[0] == '"' && in[len - 1] == '"')
            v[n++] = (jt){JT_TEXT, literal(in + 1, len - 2)};
        else if (len >= 6 && !strncmp(in, "range ", 6))
            v[n++] = (jt){JT_RANGE, dup_n(in + 6, len - 6)};
        else if (len == 3 && !strncmp(in, "end", 3))
            v[n++] = (jt){JT_END, NULL};
        else
            v[n++] = (jt){JT_PATH, dup_n(in, len)};
        t = close + 1;
    }
    *out = v, *n_out = n;
    return true;
}

/* One step: a field name, then any [*] / [N] after it. */
static bool step(const cJSON *v, const char **pp, nodes *out, char *err, size_t errlen)
{
    const char *p = *pp;
    size_t len = strcspn(p, ".[");
    const cJSON *cur = v;
    if (len) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), p);
        cur = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, name) : NULL;
        p += len;
    }
    nodes here = {0};
    if (cur)
        push(&here, cur);
    while (*p == '[') {
        const char *e = strchr(p, ']');
        if (!e) {
            snprintf(err, errlen, "unclosed [ in \"%s\"", *pp);
            free(here.v);
            return false;
        }
        nodes next = {0};
        bool all = e - p == 2 && p[1] == '*';
        char *end;
        long idx = all ? 0 : strtol(p + 1, &end, 10);
        if (!all && end != e) {
            snprintf(err, errlen, "a bad index in \"%s\" (a number or *)", *pp);
            free(here.v);
            return false;
        }
        for (size_t i = 0; i < here.n; i++) {
            if (!cJSON_IsArray(here.v[i]))
                continue;
            int size = cJSON_GetArraySize(here.v[i]);
            if (all) {
                for (const cJSON *it = here.v[i]->child; it; it = it->next)
                    push(&next, it);
            } else {
                long k = idx < 0 ? size + idx : idx;
                if (k >= 0 && k < size)
                    push(&next, cJSON_GetArrayItem(here.v[i], (int)k));
            }
        }
        free(here.v);
        here = next;
        p = e + 1;
    }
    for (size_t i = 0; i < here.n; i++)
        push(out, here.v[i]);
    free(here.v);
    *pp = p;
    return true;
}

/* The nodes the path finds from cur ("@", "." and "" are cur itself). */
static bool eval(const char *path, const cJSON *cur, nodes *out, char *err, size_t errlen)
{
    const char *p = path;
    if (*p == '@')
        p++;
    nodes set = {0};
    push(&set, cur);
    while (*p) {
        if (*p == '.')
            p++;
        if (!*p)
            break;
        nodes next = {0};
        const char *after = p;
        for (size_t i = 0; i < set.n; i++) {
            after = p;
            if (!step(set.v[i], &after, &next, err, errlen)) {
                free(set.v);
                free(next.v);
                return false;
            }
        }
        if (!set.n) { /* nothing left: skip the rest of the path */
            after = p + strlen(p);
        }
        free(set.v);
        set = next;
        p = after;
    }
    for (size_t i = 0; i < set.n; i++)
        push(out, set.v[i]);
    free(set.v);
    return true;
}

static void print_value(const cJSON *v, strbuf *out)
{
    if (cJSON_IsString(v)) {
        strbuf_printf(out, "%s", v->valuestring);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    if (!s)
        abort();
    strbuf_printf(out, "%s", s);
    cJSON_free(s);
}

/* Where the {range} at i ends: the index of its {end}, or n if none. */
static size_t range_end(const jt *t, size_t n, size_t i)
{
    int depth = 0;
    for (size_t k = i + 1; k < n; k++) {
        if (t[k].kind == JT_RANGE)
            depth++;
        else if (t[k].kind == JT_END && depth-- == 0)
            return k;
    }
    return n;
}

static bool run(const jt *t, size_t from, size_t to, const cJSON *cur, strbuf *out, char *err,
                size_t errlen)
{
    for (size_t i = from; i < to; i++) {
        if (t[i].kind == JT_TEXT) {
            strbuf_printf(out, "%s", t[i].s);
            continue;
        }
        if (t[i].kind == JT_END) {
            snprintf(err, errlen, "{end} without {range}");
            return false;
        }
        nodes found = {0};
        if (!eval(t[i].s, cur, &found, err, errlen))
            return false;
        bool ok = true;
        if (t[i].kind == JT_PATH) {
            for (size_t k = 0; k < found.n; k++) {
                if (k)
                    strbuf_printf(out, " ");
                print_value(found.v[k], out);
            }
        } else {
            size_t end = range_end(t, to, i);
            if (end == to) {
                snprintf(err, errlen, "{range} without {end}");
                ok = false;
            }
            for (size_t k = 0; ok && k < found.n; k++)
                ok = run(t, i + 1, end, found.v[k], out, err, errlen);
            i = end;
        }
        free(found.v);
        if (!ok)
            return false;
    }
    return true;
}

bool jsonpath_run(const char *tmpl, const cJSON *root, strbuf *out, char *err, size_t errlen)
{
    jt *t = NULL;
    size_t n = 0;
    bool ok = tokenize(tmpl, &t, &n, err, errlen) && run(t, 0, n, root, out, err, errlen);
    for (size_t i = 0; i < n; i++)
        free(t[i].s);
    free(t);
    return ok;
}
