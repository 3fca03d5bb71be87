#include "kube/kubeconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kube/yaml_json.h"
#include "model/jsonx.h"

#define DEFAULT_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

static int b64_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

bool kube_base64_decode(arena *a, const char *in, kube_blob *out)
{
    size_t n = strlen(in);
    unsigned char *buf = arena_alloc(a, n / 4 * 3 + 4);
    size_t len = 0;
    unsigned acc = 0;
    int bits = 0;
    for (const char *p = in; *p; p++) {
        if (isspace((unsigned char)*p) || *p == '=')
            continue;
        int v = b64_value((unsigned char)*p);
        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[len++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    out->data = buf;
    out->len = len;
    return true;
}

/* --- reading and merging the files --- */

/* The names already taken, per kind: a hash set, so merging n entries
 * is O(n) (a kubeconfig may hold tens of thousands of contexts). The
 * strings belong to the merged entries. */
typedef struct nameset {
    const char **slot;
    size_t cap, n;
} nameset;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool nameset_has(const nameset *ns, const char *name)
{
    if (!ns->cap)
        return false;
    for (size_t i = fnv1a(name) & (ns->cap - 1);; i = (i + 1) & (ns->cap - 1)) {
        if (!ns->slot[i])
            return false;
        if (!strcmp(ns->slot[i], name))
            return true;
    }
}

static void nameset_add(nameset *ns, const char *name)
{
    if ((ns->n + 1) * 2 > ns->cap) { /* grow: at most half full */
        nameset bigger = {calloc(ns->cap ? ns->cap * 2 : 64, sizeof(char *)),
                          ns->cap ? ns->cap * 2 : 64, 0};
        if (!bigger.slot)
            abort();
        for (size_t i = 0; i < ns->cap; i++)
            if (ns->slot[i])
                nameset_add(&bigger, ns->slot[i]);
        free(ns->slot);
        *ns = bigger;
    }
    size_t i = fnv1a(name) & (ns->cap - 1);
    while (ns->slot[i])
        i = (i + 1) & (ns->cap - 1);
    ns->slot[i] = name;
    ns->n++;
}

typedef struct merged {
    cJSON *clusters, *users, *contexts; /* arrays of named entries */
    nameset names[3];                   /* theirs, in the same order */
    const char *current_context;
    const char *first_file;
} merged;

static const char *basedir(arena *a, const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? arena_strndup(a, file, (size_t)(slash - file)) : ".";
}

/* client-go resolves file references relative to the file defining them. */
static void resolve_path(arena *a, cJSON *o, const char *key, const char *dir)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || !v->valuestring[0] || v->valuestring[0] == '/')
        return;
    char *abs = arena_printf(a, "%s/%s", dir, v->valuestring);
    cJSON_SetValuestring(v, abs);
}

static void resolve_entry(arena *a, cJSON *body, const char *kind, const char *dir)
{
    if (!cJSON_IsObject(body))
        return;
    if (!strcmp(kind, "clusters")) {
        resolve_path(a, body, "certificate-authority", dir);
    } else if (!strcmp(kind, "users")) {
        resolve_path(a, body, "client-certificate", dir);
        resolve_path(a, body, "client-key", dir);
        resolve_path(a, body, "tokenFile", dir);
        cJSON *exec = cJSON_GetObjectItemCaseSensitive(body, "exec");
        cJSON *cmd = cJSON_GetObjectItemCaseSensitive(exec, "command");
        /* A bare command name is looked up in PATH; only ./x or a/b is relative. */
        if (cJSON_IsString(cmd) && strchr(cmd->valuestring, '/'))
            resolve_path(a, exec, "command", dir);
    }
}

static bool merge_list(arena *a, merged *m, cJSON *doc, const char *kind, const char *inner,
                       const char *file, char *err, size_t errlen)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, kind);
    if (!list || cJSON_IsNull(list))
        return true;
    if (!cJSON_IsArray(list)) {
        snprintf(err, errlen, "error loading config file \"%s\": %s: expected a list", file, kind);
        return false;
    }
    int k = !strcmp(kind, "clusters") ? 0 : !strcmp(kind, "users") ? 1 : 2;
    cJSON *dst = k == 0 ? m->clusters : k == 1 ? m->users : m->contexts;
    const char *dir = basedir(a, file);
    int i = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, list) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (!cJSON_IsObject(it) || !cJSON_IsString(n)) {
            snprintf(err, errlen, "error loading config file \"%s\": %s[%d]: entry without a name",
                     file, kind, i);
            return false;
        }
        i++;
        if (nameset_has(&m->names[k], n->valuestring))
            continue; /* the first file to define a name wins */
        cJSON *copy = cJSON_Duplicate(it, 1);
        resolve_entry(a, cJSON_GetObjectItemCaseSensitive(copy, inner), kind, dir);
        cJSON_AddItemToArray(dst, copy);
        nameset_add(&m->names[k],
                    cJSON_GetObjectItemCaseSensitive(copy, "name")->valuestring);
    }
    return true;
}

static bool load_file(arena *a, merged *m, const char *file, bool must_exist, char *err,
                      size_t errlen)
{
    struct stat st;
    char eb[128];
    if (stat(file, &st) != 0) {
        if (!must_exist && errno == ENOENT)
            return true; /* missing entries of KUBECONFIG are skipped, like kubectl */
        snprintf(err, errlen, "stat %s: %s", file, kube_errno_text(errno, eb, sizeof eb));
        return false;
    }
    size_t len;
    char *text = kube_read_file(file, &len, err, errlen);
    if (!text)
        return false;
    char perr[256];
    cJSON *doc = kube_yaml_parse(text, len, perr, sizeof perr);
    free(text);
    if (!doc) {
        snprintf(err, errlen, "error loading config file \"%s\": yaml: %s", file, perr);
        return false;
    }
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "error loading config file \"%s\": not a kubeconfig (a mapping)", file);
        cJSON_Delete(doc);
        return false;
    }
    bool ok = merge_list(a, m, doc, "clusters", "cluster", file, err, errlen) &&
              merge_list(a, m, doc, "users", "user", file, err, errlen) &&
              merge_list(a, m, doc, "contexts", "context", file, err, errlen);
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(doc, "current-context");
    if (ok && !m->current_context && cJSON_IsString(cc) && cc->valuestring[0])
        m->current_context = arena_strdup(a, cc->valuestring);
    if (!m->first_file)
        m->first_file = arena_strdup(a, file);
    cJSON_Delete(doc);
    return ok;
}

static const cJSON *find_entry(const cJSON *arr, const char *name, const char *inner)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) {
            const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, inner);
            static const cJSON empty = {.type = cJSON_Object};
            return cJSON_IsObject(body) ? body : &empty;
        }
    }
    return NULL;
}

/* --- turning the chosen entries into a kube_config --- */

static bool is_true(const char *s)
{
    return s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ||
                 !strcmp(s, "yes") || !strcmp(s, "on"));
}

/* kubectl's names for the files in its "unable to read" errors. */
static const char *file_word(const char *key)
{
    if (!strcmp(key, "client-certificate"))
        return "client-cert";
    return key; /* client-key, certificate-authority */
}

static bool read_blob(kube_config *c, const char *path, kube_blob *out, const char *what,
                      const char *owner, char *err, size_t errlen)
{
    char ferr[512];
    size_t len;
    char *text = kube_read_file(path, &len, ferr, sizeof ferr);
    if (!text) {
        snprintf(err, errlen, "unable to read %s %s for %s due to %s", file_word(what), path,
                 owner, ferr);
        return false;
    }
    out->data = arena_alloc(&c->mem, len + 1);
    memcpy(out->data, text, len);
    out->len = len;
    free(text);
    return true;
}

static bool data_or_file(kube_config *c, jx *j, const cJSON *body, const char *path,
                         const char *data_key, const char *file_key, kube_blob *out,
                         const char *owner, char *err, size_t errlen)
{
    const char *data = jx_str(j, body, path, data_key, false);
    const char *file = jx_str(j, body, path, file_key, false);
    if (j->failed)
        return true; /* reported by the caller */
    if (data && *data) {
        if (!kube_base64_decode(&c->mem, data, out)) {
            snprintf(err, errlen, "%s.%s is not valid base64", path, data_key);
            return false;
        }
        return true;
    }
    if (file && *file)
        return read_blob(c, file, out, file_key, owner, err, errlen);
    return true;
}

static bool fill_exec(kube_config *c, jx *j, const cJSON *exec, const char *path, char *err,
                      size_t errlen)
{
    kube_exec_cfg *e = &c->exec;
    c->has_exec = true;
    e->api_version = jx_str(j, exec, path, "apiVersion", false);
    e->command = jx_str(j, exec, path, "command", false);
    e->install_hint = jx_str(j, exec, path, "installHint", false);
    e->provide_cluster_info = is_true(jx_str(j, exec, path, "provideClusterInfo", false));
    if (j->failed)
        return true;
    if (!e->command || !*e->command) {
        snprintf(err, errlen, "%s: exec plugin has no command", path);
        return false;
    }
    if (!e->api_version || (strcmp(e->api_version, "client.authentication.k8s.io/v1") &&
                            strcmp(e->api_version, "client.authentication.k8s.io/v1beta1"))) {
        snprintf(err, errlen, "exec plugin: invalid apiVersion \"%s\"",
                 e->api_version ? e->api_version : "");
        return false;
    }
    const cJSON *args = jx_arr(j, exec, path, "args", false), *it;
    e->args = arena_alloc(&c->mem, sizeof *e->args * ((size_t)cJSON_GetArraySize(args) + 1));
    cJSON_ArrayForEach(it, args) {
        if (!cJSON_IsString(it)) {
            snprintf(err, errlen, "%s.args: expected strings", path);
            return false;
        }
        e->args[e->n_args++] = arena_strdup(&c->mem, it->valuestring);
    }
    const cJSON *env = jx_arr(j, exec, path, "env", false);
    size_t n = (size_t)cJSON_GetArraySize(env);
    e->env_names = arena_alloc(&c->mem, sizeof *e->env_names * (n + 1));
    e->env_values = arena_alloc(&c->mem, sizeof *e->env_values * (n + 1));
    cJSON_ArrayForEach(it, env) {
        const char *name = jx_str(j, it, path, "name", true);
        const char *value = jx_str(j, it, path, "value", false);
        if (j->failed)
            return true;
        e->env_names[e->n_env] = name;
        e->env_values[e->n_env++] = value ? value : "";
    }
    return true;
}

static bool fill_cluster(kube_config *c, jx *j, const merged *m, const char *ctx_name,
                         char *err, size_t errlen)
{
    const cJSON *cl = find_entry(m->clusters, c->cluster, "cluster");
    if (!cl) {
        snprintf(err, errlen, "cluster \"%s\" (of context \"%s\") does not exist", c->cluster,
                 ctx_name);
        return false;
    }
    char *lpath = arena_printf(&c->mem, "clusters[%s].cluster", c->cluster);
    c->server = jx_str(j, cl, lpath, "server", false);
    c->insecure = is_true(jx_str(j, cl, lpath, "insecure-skip-tls-verify", false));
    c->tls_server_name = jx_str(j, cl, lpath, "tls-server-name", false);
    c->proxy_url = jx_str(j, cl, lpath, "proxy-url", false);
    c->ca_file = jx_str(j, cl, lpath, "certificate-authority", false);
    if (!data_or_file(c, j, cl, lpath, "certificate-authority-data", "certificate-authority",
                      &c->ca, c->cluster, err, errlen))
        return false;
    if (!c->server || !*c->server) {
        snprintf(err, errlen, "invalid configuration: no server found for cluster \"%s\"",
                 c->cluster);
        return false;
    }
    return true;
}

static bool fill_user(kube_config *c, jx *j, const merged *m, const char *ctx_name, char *err,
                      size_t errlen)
{
    const cJSON *u = find_entry(m->users, c->user, "user");
    if (!u) {
        snprintf(err, errlen, "user \"%s\" (of context \"%s\") does not exist", c->user,
                 ctx_name);
        return false;
    }
    char *upath = arena_printf(&c->mem, "users[%s].user", c->user);
    char *uowner = arena_printf(&c->mem, "%s", c->user);
    c->token = jx_str(j, u, upath, "token", false);
    c->token_file = jx_str(j, u, upath, "tokenFile", false);
    c->username = jx_str(j, u, upath, "username", false);
    c->password = jx_str(j, u, upath, "password", false);
    if (!data_or_file(c, j, u, upath, "client-certificate-data", "client-certificate",
                      &c->client_cert, uowner, err, errlen) ||
        !data_or_file(c, j, u, upath, "client-key-data", "client-key", &c->client_key, uowner,
                      err, errlen))
        return false;
    const cJSON *exec = jx_obj(j, u, upath, "exec", false);
    if (exec && !fill_exec(c, j, exec, arena_printf(&c->mem, "%s.exec", upath), err, errlen))
        return false;
    if (!j->failed && (c->client_cert.len > 0) != (c->client_key.len > 0)) {
        snprintf(err, errlen, "invalid configuration: user \"%s\" has a client %s but no "
                 "client %s", c->user, c->client_cert.len ? "certificate" : "key",
                 c->client_cert.len ? "key" : "certificate");
        return false;
    }
    return true;
}

static bool fill_from_entries(kube_config *c, const kube_config_opts *o, const merged *m,
                              char *err, size_t errlen)
{
    const char *ctx_name = o->context && *o->context ? o->context : m->current_context;
    if (!ctx_name) {
        snprintf(err, errlen, "invalid configuration: no current context is set in %s "
                 "(use --context)", m->first_file);
        return false;
    }
    const cJSON *ctx = find_entry(m->contexts, ctx_name, "context");
    if (!ctx) {
        /* kubectl: "Error in configuration: context was not found for specified context: x" */
        snprintf(err, errlen, "context was not found for specified context: %s", ctx_name);
        return false;
    }
    jx j;
    jx_init(&j, &c->mem);
    c->context = arena_strdup(&c->mem, ctx_name);
    char *cpath = arena_printf(&c->mem, "contexts[%s].context", ctx_name);
    c->cluster = jx_str(&j, ctx, cpath, "cluster", false);
    c->user = jx_str(&j, ctx, cpath, "user", false);
    const char *ns = jx_str(&j, ctx, cpath, "namespace", false);
    if (ns && *ns)
        c->namespace_ = ns;
    if (!c->cluster || !*c->cluster) {
        snprintf(err, errlen, "invalid configuration: context \"%s\" has no cluster", ctx_name);
        return false;
    }
    if (!fill_cluster(c, &j, m, ctx_name, err, errlen))
        return false;
    if (c->user && *c->user && !fill_user(c, &j, m, ctx_name, err, errlen))
        return false;
    if (j.failed) {
        snprintf(err, errlen, "error loading config: %s", j.err);
        return false;
    }
    return true;
}

static bool in_cluster(kube_config *c, const kube_config_opts *o, char *err, size_t errlen)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    const char *dir = o->sa_dir ? o->sa_dir : getenv("MIGTOP_SERVICEACCOUNT_DIR");
    if (!dir || !*dir)
        dir = DEFAULT_SA_DIR;
    c->origin = "in-cluster";
    c->context = c->cluster = c->user = "";
    c->server = strchr(host, ':') ? arena_printf(&c->mem, "https://[%s]:%s", host, port)
                                  : arena_printf(&c->mem, "https://%s:%s", host, port);
    c->token_file = arena_printf(&c->mem, "%s/token", dir);
    char ferr[512];
    size_t len;
    char *tok = kube_read_file(c->token_file, &len, ferr, sizeof ferr);
    if (!tok) {
        snprintf(err, errlen, "in-cluster configuration: %s", ferr);
        return false;
    }
    free(tok);
    c->ca_file = arena_printf(&c->mem, "%s/ca.crt", dir);
    if (!read_blob(c, c->ca_file, &c->ca, "certificate-authority", "the service account", err,
                   errlen))
        return false;
    char *ns = kube_read_file(arena_printf(&c->mem, "%s/namespace", dir), &len, ferr, sizeof ferr);
    if (ns) {
        while (len && isspace((unsigned char)ns[len - 1]))
            ns[--len] = '\0';
        if (len)
            c->namespace_ = arena_strdup(&c->mem, ns);
        free(ns);
    }
    return true;
}

static void keep_context_names(kube_config *c, const cJSON *contexts)
{
    int n = cJSON_GetArraySize(contexts);
    c->contexts = arena_alloc(&c->mem, sizeof *c->contexts * (size_t)(n + 1));
    const cJSON *it;
    cJSON_ArrayForEach(it, contexts) /* every entry has a name (merge_list) */
        c->contexts[c->n_contexts++] =
            arena_strdup(&c->mem, cJSON_GetObjectItemCaseSensitive(it, "name")->valuestring);
    c->contexts[c->n_contexts] = NULL;
}

bool kube_config_load(const kube_config_opts *o, kube_config *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->mem);
    merged m = {.clusters = cJSON_CreateArray(), .users = cJSON_CreateArray(),
                .contexts = cJSON_CreateArray()};
    bool ok = true;
    if (o->kubeconfig && *o->kubeconfig) {
        ok = load_file(&c->mem, &m, o->kubeconfig, true, err, errlen);
    } else if (getenv("KUBECONFIG") && *getenv("KUBECONFIG")) {
        char *list = arena_strdup(&c->mem, getenv("KUBECONFIG")), *save = NULL;
        for (char *f = strtok_r(list, ":", &save); ok && f; f = strtok_r(NULL, ":", &save))
            ok = load_file(&c->mem, &m, f, false, err, errlen);
    } else if (getenv("HOME")) {
        ok = load_file(&c->mem, &m, arena_printf(&c->mem, "%s/.kube/config", getenv("HOME")),
                       false, err, errlen);
    }
    if (ok) {
        bool have_files = m.first_file != NULL;
        if (!have_files && !(o->context && *o->context) && getenv("KUBERNETES_SERVICE_HOST") &&
            getenv("KUBERNETES_SERVICE_PORT")) {
            ok = in_cluster(c, o, err, errlen);
        } else if (!have_files) {
            const char *env = getenv("KUBECONFIG");
            snprintf(err, errlen, "no kubeconfig: %s (give --kubeconfig FILE or set KUBECONFIG)",
                     env && *env ? "none of the KUBECONFIG files exists"
                                 : "~/.kube/config does not exist");
            ok = false;
        } else {
            c->origin = arena_printf(&c->mem, "kubeconfig %s", m.first_file);
            ok = fill_from_entries(c, o, &m, err, errlen);
            keep_context_names(c, m.contexts);
        }
    }
    cJSON_Delete(m.clusters);
    cJSON_Delete(m.users);
    cJSON_Delete(m.contexts);
    for (int i = 0; i < 3; i++)
        free(m.names[i].slot);
    if (!ok)
        return false;
    size_t sl = strlen(c->server);
    while (sl > 0 && c->server[sl - 1] == '/')
        sl--;
    c->server = arena_strndup(&c->mem, c->server, sl);
    if (strncmp(c->server, "https://", 8) && strncmp(c->server, "http://", 7))
        c->server = arena_printf(&c->mem, "https://%s", c->server); /* as client-go does */
    if (o->namespace_ && *o->namespace_) {
        c->namespace_ = arena_strdup(&c->mem, o->namespace_);
        c->namespace_from_flag = true;
    }
    if (!c->namespace_)
        c->namespace_ = "default";
    c->all_namespaces = o->all_namespaces;
    return true;
}

void kube_config_free(kube_config *c)
{
    arena_free(&c->mem);
    memset(c, 0, sizeof *c);
}
