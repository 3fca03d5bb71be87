#include "kube/exec_cred.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/fmt.h"
#include "kube/yaml_json.h"
#include "model/jsonx.h"

extern char **environ;

void kube_exec_cred_clear(kube_exec_cred *cr)
{
    free(cr->token);
    free(cr->cert_pem);
    free(cr->key_pem);
    memset(cr, 0, sizeof *cr);
}

static char *dup_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return NULL;
    char *s = strdup(v->valuestring);
    if (!s)
        abort();
    return s;
}

bool kube_exec_parse(const char *api_version, const char *text, size_t len, kube_exec_cred *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char perr[256];
    cJSON *doc = jx_parse(text, len, perr, sizeof perr);
    if (!doc) {
        snprintf(err, errlen, "decoding stdout: %s", perr);
        return false;
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "apiVersion");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(doc, "status");
    bool ok = false;
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "ExecCredential"))
        snprintf(err, errlen, "decoding stdout: kind is not ExecCredential");
    else if (!cJSON_IsString(ver) || strcmp(ver->valuestring, api_version))
        snprintf(err, errlen, "plugin returned version %s, expected %s",
                 cJSON_IsString(ver) ? ver->valuestring : "(none)", api_version);
    else if (!cJSON_IsObject(status))
        snprintf(err, errlen, "exec plugin didn't return a status field");
    else {
        out->token = dup_str(status, "token");
        out->cert_pem = dup_str(status, "clientCertificateData");
        out->key_pem = dup_str(status, "clientKeyData");
        char *exp = dup_str(status, "expirationTimestamp");
        mt_time t = 0;
        if (exp && !fmt_parse_rfc3339(exp, &t))
            snprintf(err, errlen, "status.expirationTimestamp \"%s\" is not RFC 3339", exp);
        else if (!out->token && !(out->cert_pem && out->key_pem))
            snprintf(err, errlen, "exec plugin didn't return a token or cert/key pair");
        else if ((out->cert_pem != NULL) != (out->key_pem != NULL))
            snprintf(err, errlen, "exec plugin returned only one of clientCertificateData "
                     "and clientKeyData");
        else {
            out->expires_ms = exp ? (int64_t)t * 1000 : 0;
            ok = true;
        }
        free(exp);
    }
    cJSON_Delete(doc);
    if (!ok)
        kube_exec_cred_clear(out);
    return ok;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const unsigned char *p, size_t n)
{
    char *out = malloc(n / 3 * 4 + 8), *o = out;
    if (!out)
        abort();
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        *o++ = b64[v >> 18 & 63];
        *o++ = b64[v >> 12 & 63];
        *o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* KUBERNETES_EXEC_INFO: what the plugin may know about the request. */
static char *exec_info(const kube_config *c)
{
    cJSON *o = cJSON_CreateObject(), *spec;
    cJSON_AddStringToObject(o, "kind", "ExecCredential");
    cJSON_AddStringToObject(o, "apiVersion", c->exec.api_version);
    cJSON_AddItemToObject(o, "spec", spec = cJSON_CreateObject());
    cJSON_AddBoolToObject(spec, "interactive", false);
    if (c->exec.provide_cluster_info) {
        cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");
        cJSON_AddStringToObject(cl, "server", c->server);
        if (c->tls_server_name)
            cJSON_AddStringToObject(cl, "tls-server-name", c->tls_server_name);
        if (c->insecure)
            cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", true);
        if (c->ca.len) {
            char *e = base64_encode(c->ca.data, c->ca.len);
            cJSON_AddStringToObject(cl, "certificate-authority-data", e);
            free(e);
        }
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static void strv_push(strv *s, char *x)
{
    if (s->n + 2 > s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v)
            abort();
    }
    s->v[s->n++] = x;
    s->v[s->n] = NULL;
}

/* The plugin's environment: ours, with the kubeconfig's env entries and
 * KUBERNETES_EXEC_INFO replacing variables of the same name. */
static strv build_env(const kube_config *c, char **owned_info)
{
    strv e = {0};
    const kube_exec_cfg *x = &c->exec;
    for (char **p = environ; p && *p; p++) {
        size_t kl = strcspn(*p, "=");
        bool overridden = kl == strlen("KUBERNETES_EXEC_INFO") &&
                          !strncmp(*p, "KUBERNETES_EXEC_INFO", kl);
        for (size_t i = 0; i < x->n_env && !overridden; i++)
            overridden = strlen(x->env_names[i]) == kl && !strncmp(*p, x->env_names[i], kl);
        if (!overridden)
            strv_push(&e, strdup(*p));
    }
    for (size_t i = 0; i < x->n_env; i++) {
        size_t n = strlen(x->env_names[i]) + strlen(x->env_values[i]) + 2;
        char *kv = malloc(n);
        snprintf(kv, n, "%s=%s", x->env_names[i], x->env_values[i]);
        strv_push(&e, kv);
    }
    char *info = exec_info(c);
    size_t n = strlen(info) + 32;
    char *kv = malloc(n);
    snprintf(kv, n, "KUBERNETES_EXEC_INFO=%s", info);
    free(info);
    strv_push(&e, kv);
    *owned_info = NULL;
    return e;
}

static void strv_free(strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static void append(char **buf, size_t *len, const char *p, size_t n, size_t limit)
{
    if (*len + n > limit)
        n = limit - *len;
    char *nb = realloc(*buf, *len + n + 1);
    if (!nb)
        abort();
    memcpy(nb + *len, p, n);
    *len += n;
    nb[*len] = '\0';
    *buf = nb;
}

/* Starts the plugin with stdout and stderr on pipes (*out_fd, *err_fd);
 * false with err. */
static bool spawn_plugin(const kube_config *c, pid_t *pid, int *out_fd, int *err_fd, char *err,
                         size_t errlen)
{
    const kube_exec_cfg *x = &c->exec;
    int po[2], pe[2];
    if (pipe(po)) {
        snprintf(err, errlen, "exec plugin: pipe: %s", strerror(errno));
        return false;
    }
    if (pipe(pe)) {
        snprintf(err, errlen, "exec plugin: pipe: %s", strerror(errno));
        close(po[0]);
        close(po[1]);
        return false;
    }
    char *unused;
    strv env = build_env(c, &unused);
    strv argv = {0};
    strv_push(&argv, strdup(x->command));
    for (size_t i = 0; i < x->n_args; i++)
        strv_push(&argv, strdup(x->args[i]));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    int rc = posix_spawnp(pid, x->command, &fa, NULL, argv.v, env.v);
    posix_spawn_file_actions_destroy(&fa);
    strv_free(&argv);
    strv_free(&env);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        char eb[128];
        snprintf(err, errlen, "exec: executable %s failed with: %s%s%s", x->command,
                 kube_errno_text(rc, eb, sizeof eb), x->install_hint ? "\n" : "",
                 x->install_hint ? x->install_hint : "");
        close(po[0]);
        close(pe[0]);
        return false;
    }
    *out_fd = po[0];
    *err_fd = pe[0];
    return true;
}

/* Reads both pipes to their end (stdout up to 1 MiB, stderr 4 KiB) or
 * until the deadline; false when it ran out. The fds are closed. */
static bool read_plugin(int out_fd, int err_fd, int timeout_ms, char **obuf, size_t *olen,
                        char **ebuf, size_t *elen)
{
    struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int64_t deadline = fmt_mono_ms() + timeout_ms;
    bool in_time = true;
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        int64_t left = deadline - fmt_mono_ms();
        if (left <= 0) {
            in_time = false;
            break;
        }
        if (poll(fds, 2, (int)left) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char tmp[4096];
            ssize_t r = read(fds[i].fd, tmp, sizeof tmp);
            if (r <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
            } else if (i == 0) {
                append(obuf, olen, tmp, (size_t)r, 1 << 20);
            } else {
                append(ebuf, elen, tmp, (size_t)r, 4096);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    return in_time;
}

bool kube_exec_run(const kube_config *c, int timeout_ms, kube_exec_cred *out, char *err,
                   size_t errlen)
{
    const kube_exec_cfg *x = &c->exec;
    pid_t pid;
    int out_fd, err_fd;
    if (!spawn_plugin(c, &pid, &out_fd, &err_fd, err, errlen))
        return false;
    char *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, elen = 0;
    bool timed_out = !read_plugin(out_fd, err_fd, timeout_ms, &obuf, &olen, &ebuf, &elen);
    if (timed_out)
        kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    bool ok = false;
    if (timed_out) {
        snprintf(err, errlen, "exec plugin \"%s\": no answer within %d s", x->command,
                 timeout_ms / 1000);
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        size_t first = ebuf ? strcspn(ebuf, "\n") : 0;
        snprintf(err, errlen, "exec plugin \"%s\": %s %d%s%.*s", x->command,
                 WIFEXITED(st) ? "exit status" : "killed by signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), first ? ": " : "", (int)first,
                 ebuf ? ebuf : "");
    } else {
        char perr[384];
        ok = kube_exec_parse(x->api_version, obuf ? obuf : "", olen, out, perr, sizeof perr);
        if (!ok)
            snprintf(err, errlen, "exec plugin \"%s\": %s", x->command, perr);
    }
    free(obuf);
    free(ebuf);
    return ok;
}
