#include "model/flags.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* host, [v6]:port or host:port into out (host, port). */
static bool parse_address(arena *a, const char *flag, char *rest, mt_endpoint_arg *out, char *err,
                          size_t errlen)
{
    out->address = rest;
    out->port = 5432;
    const char *portstr = NULL;
    if (rest[0] == '[') {
        char *close = strchr(rest, ']');
        if (!close) {
            snprintf(err, errlen, "--%s: unclosed '[' in IPv6 address \"%s\"", flag, rest);
            return false;
        }
        out->host = arena_strndup(a, rest + 1, (size_t)(close - rest - 1));
        if (close[1] == ':')
            portstr = close + 2;
        else if (close[1]) {
            snprintf(err, errlen, "--%s: unexpected \"%s\" after the IPv6 address", flag, close + 1);
            return false;
        }
    } else {
        char *pc = strrchr(rest, ':');
        if (pc && strchr(rest, ':') != pc) {
            snprintf(err, errlen, "--%s: an IPv6 address must be written in brackets, "
                     "like [::1]:5432", flag);
            return false;
        }
        out->host = pc ? arena_strndup(a, rest, (size_t)(pc - rest)) : rest;
        if (pc)
            portstr = pc + 1;
    }
    if (!*out->host) {
        snprintf(err, errlen, "--%s: the endpoint has an empty host", flag);
        return false;
    }
    if (portstr) {
        char *end;
        long p = strtol(portstr, &end, 10);
        if (!*portstr || *end || p < 1 || p > 65535) {
            snprintf(err, errlen, "--%s: port \"%s\" is not a number from 1 to 65535", flag,
                     portstr);
            return false;
        }
        out->port = (int)p;
    }
    return true;
}

bool mt_parse_endpoint(arena *a, const char *flag, const char *s, mt_endpoint_arg *out,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    while (s && isspace((unsigned char)*s))
        s++;
    if (!s || !*s) {
        snprintf(err, errlen, "--%s: endpoint string cannot be empty, expected "
                 "user:password@host:port/database", flag);
        return false;
    }
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char *str = arena_strndup(a, s, len);
    /* The password may itself contain '@' or ':', so the account ends at the
     * last '@' and the user at the first ':' (kbcli refuses such passwords). */
    char *at = strrchr(str, '@');
    if (!at) {
        snprintf(err, errlen, "--%s: endpoint has no account info, expected "
                 "user:password@host:port/database", flag);
        return false;
    }
    *at = '\0';
    /* user:password, or user alone: the password then comes from
     * ~/.pgpass, PGPASSWORD or a prompt, never from the command line. */
    char *colon = strchr(str, ':');
    if (colon == str || !*str) {
        snprintf(err, errlen, "--%s: the account info in the endpoint has no user name, should "
                 "be like \"user:123456\" or \"user\"", flag);
        return false;
    }
    if (colon)
        *colon = '\0';
    out->user = str;
    out->password = colon ? colon + 1 : "";
    if (!mt_valid_password(out->password, err, errlen)) {
        char e2[256];
        snprintf(e2, sizeof e2, "%s", err);
        snprintf(err, errlen, "--%s: %s", flag, e2);
        return false;
    }
    char *rest = at + 1;
    char *slash = strrchr(rest, '/');
    out->database = "";
    if (slash) {
        *slash = '\0';
        out->database = slash + 1;
    }
    if (!*rest) {
        snprintf(err, errlen, "--%s: the endpoint has no host, expected host:port after '@'", flag);
        return false;
    }
    return parse_address(a, flag, rest, out, err, errlen);
}

/* One element of a list, as Go's encoding/csv reads kbcli's
 * StringSliceVar: separated by ',', an element may be wrapped in double
 * quotes with "" standing for a quote ("public.t1"). An element may also
 * quote its names as SQL does ("My Schema"."My.Table"): a quoted name
 * followed by '.' is such an identifier. *field gets the element's text
 * to read as a qualified name (qualified_name); p is advanced past it. */
static bool next_element(arena *a, const char **pp, char **field, const char *flag,
                         const char *whole, char *err, size_t errlen)
{
    const char *p = *pp;
    while (*p == ' ')
        p++;
    const char *start = p;
    char *f = arena_alloc(a, strlen(p) + 1);
    size_t n = 0;
    bool in_quotes = false;
    if (*p == '"') {
        p++;
        for (;;) {
            if (!*p) {
                snprintf(err, errlen, "--%s: unterminated quote in \"%s\"", flag, whole);
                return false;
            }
            if (*p == '"' && p[1] == '"') {
                f[n++] = '"';
                p += 2;
            } else if (*p == '"') {
                p++;
                break;
            } else {
                f[n++] = *p++;
            }
        }
        while (*p == ' ')
            p++;
        if (*p && *p != ',' && *p != '.') {
            snprintf(err, errlen, "--%s: unexpected \"%c\" after a quoted name in \"%s\"", flag,
                     *p, whole);
            return false;
        }
        if (*p != '.') { /* kbcli's "schema.table": the quotes were the list's */
            f[n] = '\0';
            *field = f;
            *pp = p;
            return true;
        }
        p = start; /* "schema"."table": the quotes are the names' */
        n = 0;
    }
    for (; *p && (in_quotes || *p != ','); p++) {
        if (*p == '"')
            in_quotes = !in_quotes;
        f[n++] = *p;
    }
    if (in_quotes) {
        snprintf(err, errlen, "--%s: unterminated quote in \"%s\"", flag, whole);
        return false;
    }
    while (n && f[n - 1] == ' ')
        n--;
    f[n] = '\0';
    *field = f;
    *pp = p;
    return true;
}

/* "schema", "schema.table", "\"My Schema\".\"My \"\"T\"\"\"": up to two names
 * separated by '.', each bare (spaces around it trimmed) or in double
 * quotes with "" for a quote. n gets the number of names (0 when empty). */
static bool qualified_name(arena *a, const char *s, const char *parts[2], int *n,
                           const char *flag, char *err, size_t errlen)
{
    *n = 0;
    const char *p = s;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p && !*n)
            return true;
        if (*n == 2) {
            snprintf(err, errlen, "--%s: [%s] is not a valid schema or schema.table", flag, s);
            return false;
        }
        char *part = arena_alloc(a, strlen(p) + 1);
        size_t k = 0;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                part[k++] = *p;
                if (*p == '"')
                    p++;
            }
            if (*p != '"') {
                snprintf(err, errlen, "--%s: unterminated quote in [%s]", flag, s);
                return false;
            }
            p++;
            while (*p == ' ')
                p++;
        } else {
            while (*p && *p != '.')
                part[k++] = *p++;
            while (k && part[k - 1] == ' ')
                k--;
        }
        part[k] = '\0';
        if (!k) {
            snprintf(err, errlen, "--%s: [%s] has an empty %s name", flag, s,
                     *n ? "table" : "schema");
            return false;
        }
        parts[(*n)++] = part;
        if (!*p)
            return true;
        if (*p != '.') {
            snprintf(err, errlen, "--%s: unexpected \"%c\" after a name in [%s]", flag, *p, s);
            return false;
        }
        p++;
        if (!*p) {
            snprintf(err, errlen, "--%s: [%s] has an empty table name", flag, s);
            return false;
        }
    }
}

/* Splits one CSV value as Go's encoding/csv does for StringSliceVar
 * (next_element); calls add() for each field. */
static bool csv_fields(arena *a, const char *flag, const char *v,
                       bool (*add)(void *, const char *, char *, size_t), void *ctx, char *err,
                       size_t errlen)
{
    const char *p = v;
    for (;;) {
        char *field;
        if (!next_element(a, &p, &field, flag, v, err, errlen))
            return false;
        if (!add(ctx, field, err, errlen))
            return false;
        if (!*p)
            return true;
        p++; /* the comma */
    }
}

typedef struct obj_ctx {
    arena *a;
    mt_objects *o;
    size_t cap;
} obj_ctx;

static mt_schema_obj *find_schema(mt_objects *o, const char *schema)
{
    for (size_t i = 0; i < o->n_white; i++)
        if (!strcmp(o->white[i].schema, schema))
            return &o->white[i];
    return NULL;
}

static bool add_object(void *vctx, const char *f, char *err, size_t errlen)
{
    obj_ctx *c = vctx;
    const char *parts[2];
    int np;
    if (!qualified_name(c->a, f, parts, &np, "migration-object", err, errlen))
        return false;
    if (!np) {
        snprintf(err, errlen, "--migration-object: the schema or schema.table in the "
                 "migration object cannot be empty");
        return false;
    }
    const char *schema = parts[0];
    mt_schema_obj *s = find_schema(c->o, schema);
    if (!s || np == 1) {
        /* kbcli appends a new isAll entry for a bare schema every time. */
        if (c->o->n_white == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 8;
            mt_schema_obj *n = arena_alloc(c->a, nc * sizeof *n);
            if (c->o->n_white)
                memcpy(n, c->o->white, c->o->n_white * sizeof *n);
            c->o->white = n;
            c->cap = nc;
        }
        s = &c->o->white[c->o->n_white++];
        memset(s, 0, sizeof *s);
        s->schema = schema;
        s->is_all = np == 1;
        if (np == 1)
            return true;
    }
    mt_table_obj *nt = arena_alloc(c->a, (s->n_tables + 1) * sizeof *nt);
    if (s->n_tables)
        memcpy(nt, s->tables, s->n_tables * sizeof *nt);
    nt[s->n_tables].name = parts[1];
    nt[s->n_tables].is_all = true;
    s->tables = nt;
    s->n_tables++;
    return true;
}

bool mt_parse_objects(arena *a, const char *const *values, size_t n, mt_objects *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        snprintf(err, errlen, "--migration-object: migration object cannot be empty, "
                 "e.g. '\"public.t1\",\"public.t2\"' or '\"public\"'");
        return false;
    }
    obj_ctx c = {a, out, 0};
    for (size_t i = 0; i < n; i++)
        if (!csv_fields(a, "migration-object", values[i] ? values[i] : "", add_object, &c, err,
                        errlen))
            return false;
    return true;
}

typedef struct steps_ctx {
    int precheck, init_struct, init_data, cdc; /* -1 unset, 0 false, 1 true */
} steps_ctx;

static bool add_step(void *vctx, const char *f, char *err, size_t errlen)
{
    steps_ctx *c = vctx;
    const char *eq = strchr(f, '=');
    if (!eq || strchr(eq + 1, '=')) {
        snprintf(err, errlen, "--steps: [%s] in steps setting is invalid, expected name=true "
                 "or name=false", f);
        return false;
    }
    char name[32], val[16];
    size_t nl = (size_t)(eq - f);
    while (nl && f[nl - 1] == ' ')
        nl--;
    const char *ns = f;
    while (*ns == ' ' && ns < eq)
        ns++, nl--;
    const char *vs = eq + 1;
    while (*vs == ' ')
        vs++;
    size_t vl = strlen(vs);
    while (vl && vs[vl - 1] == ' ')
        vl--;
    if (nl >= sizeof name || vl >= sizeof val) {
        snprintf(err, errlen, "--steps: [%s] in steps setting is invalid", f);
        return false;
    }
    for (size_t i = 0; i < nl; i++)
        name[i] = (char)tolower((unsigned char)ns[i]);
    name[nl] = '\0';
    for (size_t i = 0; i < vl; i++)
        val[i] = (char)tolower((unsigned char)vs[i]);
    val[vl] = '\0';
    int *slot = !strcmp(name, "precheck")      ? &c->precheck
                : !strcmp(name, "init-struct") ? &c->init_struct
                : !strcmp(name, "init-data")   ? &c->init_data
                : !strcmp(name, "cdc")         ? &c->cdc
                                               : NULL;
    if (!slot) {
        snprintf(err, errlen, "--steps: [%s] in steps settings is invalid, the name should be "
                 "one of: precheck, init-struct, init-data, cdc", f);
        return false;
    }
    if (strcmp(val, "true") && strcmp(val, "false")) {
        snprintf(err, errlen, "--steps: [%s] in steps settings is invalid, the value should "
                 "be one of: true, false", f);
        return false;
    }
    *slot = !strcmp(val, "true");
    return true;
}

bool mt_parse_steps(const char *const *values, size_t n, mt_steps_arg *out, char *err,
                    size_t errlen)
{
    memset(out, 0, sizeof *out);
    steps_ctx c = {-1, -1, -1, -1};
    arena tmp;
    arena_init(&tmp);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        if (values[i] && *values[i])
            ok = csv_fields(&tmp, "steps", values[i], add_step, &c, err, errlen);
    arena_free(&tmp);
    if (!ok)
        return false;
    if (c.init_data == 0) {
        snprintf(err, errlen, "--steps: step init-data is needed (init-data=false is not "
                 "allowed)");
        return false;
    }
    out->cdc = c.cdc != 0;
    out->task_type = out->cdc ? "initialization-and-cdc" : "initialization";
    if (c.precheck != 0)
        out->steps[out->n_steps++] = "preCheck";
    if (c.init_struct != 0)
        out->steps[out->n_steps++] = "initStruct";
    out->steps[out->n_steps++] = "initData";
    return true;
}

bool mt_valid_name(const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0) {
        snprintf(err, errlen, "task name cannot be empty");
        return false;
    }
    /* A DNS-1123 label: the slot name derived from it ('-' -> '_') must
     * also be a valid replication slot name, which rules out '.'. */
    if (n > 63) {
        snprintf(err, errlen, "task name \"%.20s...\" is %zu characters, at most 63 are allowed",
                 name, n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!(islower((unsigned char)ch) || isdigit((unsigned char)ch) || ch == '-')) {
            snprintf(err, errlen, "task name \"%s\": character '%c' at position %zu is not "
                     "allowed; use lower-case letters, digits and '-'", name, ch, i + 1);
            return false;
        }
    }
    if (name[0] == '-' || name[n - 1] == '-') {
        snprintf(err, errlen, "task name \"%s\" must start and end with a letter or digit", name);
        return false;
    }
    return true;
}

int flag_take(const char *flag, const char *shortf, int argc, char **argv, int *i,
             const char **out, char *err, size_t errlen)
{
    const char *a = argv[*i];
    size_t fl = strlen(flag);
    if (!strcmp(a, flag) || (shortf && !strcmp(a, shortf))) {
        if (*i + 1 >= argc) {
            snprintf(err, errlen, "flag needs an argument: %s", a);
            return -1;
        }
        *out = argv[*i + 1];
        *i += 2;
        return 1;
    }
    if (!strncmp(a, flag, fl) && a[fl] == '=') {
        *out = a + fl + 1;
        *i += 1;
        return 1;
    }
    if (shortf && !strncmp(a, shortf, 2) && a[2]) {
        *out = a[2] == '=' ? a + 3 : a + 2;
        *i += 1;
        return 1;
    }
    return 0;
}

bool mt_valid_password(const char *pw, char *err, size_t errlen)
{
    for (const unsigned char *p = (const unsigned char *)pw; p && *p; p++)
        if (*p < 0x20 || *p == 0x7f) {
            snprintf(err, errlen, "the password contains a control character (0x%02x at "
                     "position %zu): passwords with newlines, tabs or other control characters "
                     "cannot be stored safely; change it", *p,
                     (size_t)(p - (const unsigned char *)pw) + 1);
            return false;
        }
    return true;
}

bool mt_parse_rate(const char *v, long long *bytes_per_s, char *err, size_t errlen)
{
    static const struct { const char *unit; double mult; } units[] = {
        {"", 1}, {"B", 1}, {"k", 1e3}, {"K", 1e3}, {"KB", 1e3}, {"kB", 1e3}, {"M", 1e6},
        {"MB", 1e6}, {"G", 1e9}, {"GB", 1e9}, {"KiB", 1024.0}, {"MiB", 1048576.0},
        {"GiB", 1073741824.0}};
    char *end = NULL;
    double n = v ? strtod(v, &end) : 0;
    if (v && end != v && n >= 0 && n < 1e15) {
        char unit[16];
        size_t k = 0;
        while (*end && *end != '/' && k + 1 < sizeof unit)
            unit[k++] = *end++;
        unit[k] = '\0';
        bool per_s = !*end || !strcmp(end, "/s");
        for (size_t i = 0; per_s && i < sizeof units / sizeof *units; i++)
            if (!strcmp(unit, units[i].unit)) {
                *bytes_per_s = (long long)(n * units[i].mult);
                return true;
            }
    }
    snprintf(err, errlen, "--copy-rate must be bytes a second like 20MB, 1.5GiB/s, 500k or 0 "
             "(no limit), not \"%s\"", v ? v : "");
    return false;
}

bool mt_parse_sink_tables(const char *v, const char **out, char *err, size_t errlen)
{
    static const char *const ok[] = {"fail", "truncate", "append"};
    for (int i = 0; i < 3; i++)
        if (v && !strcmp(v, ok[i])) {
            *out = ok[i];
            return true;
        }
    snprintf(err, errlen, "--sink-tables must be fail, truncate or append, not \"%s\"",
             v ? v : "");
    return false;
}

bool mt_steps_has(const mt_steps_arg *s, const char *cr_name)
{
    for (size_t i = 0; i < s->n_steps; i++)
        if (!strcmp(s->steps[i], cr_name))
            return true;
    return false;
}

static void star(char *from, char *to)
{
    for (char *p = from; p < to; p++)
        *p = '*';
}

void mt_mask_endpoint_secrets(char *s)
{
    /* A URI's userinfo: scheme://user:PASSWORD@host */
    char *sch = strstr(s, "://");
    if (sch) {
        char *ui = sch + 3, *at = strpbrk(ui, "@/?");
        char *colon = at && *at == '@' ? memchr(ui, ':', (size_t)(at - ui)) : NULL;
        if (colon)
            star(colon + 1, at);
    }
    /* password=VALUE in a URI's query (to & or the end) or in key=value
     * pairs (a word, or 'quoted with \' escapes'). */
    for (char *p = s; (p = strstr(p, "password")); p += 8) {
        char *q = p + 8;
        while (*q == ' ')
            q++;
        if (*q != '=')
            continue;
        q++;
        while (*q == ' ')
            q++;
        char *end = q;
        if (*q == '\'') {
            for (end = q + 1; *end && *end != '\''; end++)
                if (*end == '\\' && end[1])
                    end++;
            star(q + 1, end);
        } else {
            while (*end && *end != ' ' && *end != '&')
                end++;
            star(q, end);
        }
    }
}
