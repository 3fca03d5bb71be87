/* The precheck report: storage, and the text and JSON forms. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/precheck.h"

void pgp_report_init(pgp_report *r)
{
    memset(r, 0, sizeof *r);
    arena_init(&r->a);
}

void pgp_report_free(pgp_report *r)
{
    free(r->v);
    arena_free(&r->a);
    memset(r, 0, sizeof *r);
}

const char *pgp_status_name(pgp_status s)
{
    return s == PGP_CHECK_OK ? "ok" : s == PGP_CHECK_WARN ? "warn" : "fail";
}

pgp_check *pgp_report_add(pgp_report *r, const char *id, const char *title, pgp_status st,
                          const char *fix, const char *found_fmt, ...)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 32;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        if (!r->v)
            abort();
    }
    char buf[4096];
    va_list ap;
    va_start(ap, found_fmt);
    vsnprintf(buf, sizeof buf, found_fmt, ap);
    va_end(ap);
    pgp_check *c = &r->v[r->n++];
    c->id = arena_strdup(&r->a, id);
    c->title = arena_strdup(&r->a, title);
    c->status = st;
    c->found = arena_strdup(&r->a, buf);
    c->fix = arena_strdup(&r->a, st == PGP_CHECK_OK || !fix ? "" : fix);
    if (st == PGP_CHECK_OK)
        r->n_ok++;
    else if (st == PGP_CHECK_WARN)
        r->n_warn++;
    else
        r->n_fail++;
    return c;
}

const pgp_check *pgp_report_find(const pgp_report *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].id, id))
            return &r->v[i];
    return NULL;
}

/* Each line of text indented under the check, prefixed once. */
static void print_block(FILE *f, const char *label, const char *text)
{
    if (!*text)
        return;
    bool first = true;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(f, "       %-6s %.*s\n", first ? label : "", len, p);
        first = false;
        p += len + (nl ? 1 : 0);
    }
}

void pgp_report_print_text(const pgp_report *r, FILE *f, bool color)
{
    static const char *COL[] = {"\033[32m", "\033[33m", "\033[1;31m"};
    for (size_t i = 0; i < r->n; i++) {
        const pgp_check *c = &r->v[i];
        const char *name = c->status == PGP_CHECK_OK ? "OK" : c->status == PGP_CHECK_WARN ? "WARN"
                                                                                        : "FAIL";
        fprintf(f, "%s%-4s%s  %-30s %s\n", color ? COL[c->status] : "", name, color ? "\033[0m" : "",
                c->id, c->title);
        print_block(f, "found:", c->found);
        print_block(f, "fix:", c->fix);
    }
    fprintf(f, "\n%zu check(s): %zu ok, %zu warning(s), %zu failed\n", r->n, r->n_ok, r->n_warn,
            r->n_fail);
}

char *pgp_report_json(const pgp_report *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "ok", r->n_fail == 0);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "ok", (double)r->n_ok);
    cJSON_AddNumberToObject(sum, "warn", (double)r->n_warn);
    cJSON_AddNumberToObject(sum, "fail", (double)r->n_fail);
    cJSON *arr = cJSON_AddArrayToObject(root, "checks");
    for (size_t i = 0; i < r->n; i++) {
        const pgp_check *c = &r->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", c->id);
        cJSON_AddStringToObject(o, "title", c->title);
        cJSON_AddStringToObject(o, "status", pgp_status_name(c->status));
        cJSON_AddStringToObject(o, "found", c->found);
        cJSON_AddStringToObject(o, "fix", c->fix);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    if (!s)
        abort();
    return s;
}
