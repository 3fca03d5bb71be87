/* A driver for kube/'s shell tests (tests/kube/kube_client_test.sh): the
 * kubeconfig loader, the HTTPS client, the backend ops and the dashboard's
 * watch feed, each reachable from a command line so the tests can point
 * them at the API stand-in (tests/standin/) and read what they did.
 *
 *   kube_tool [--kubeconfig F] [--context C] [-n NS] [-A] [--sa-dir D] CMD ...
 *     config                 the resolved configuration, one key=value a line
 *     request METHOD PATH [BODYFILE]
 *                            one request; prints the body, or "error: MSG"
 *     repeat N PATH [MS]     N GETs on one client, MS ms apart (exec cache)
 *     crds                   kbcli's CRD presence check
 *     fetch [TASK]           one snapshot: a line per task, job, pod, sts
 *     logs TASK STEP [tail=N] [since=S] [timestamps] [follow]
 *     create NAME SOURCE SINK OBJECTS [STEPS]
 *     terminate NAME
 *     watch SECONDS [FOCUS_TASK]
 *                            runs the feed; prints every snapshot and every
 *                            change of health until SECONDS pass or SIGTERM
 * Exit status: 0 ok, 1 the operation failed (message on stdout), 2 usage. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube/api.h"
#include "kube/backend.h"
#include "kube/yaml_json.h"
#include "model/fmt.h"
#include "model/task_build.h"

static volatile sig_atomic_t stop_flag;
static void on_term(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: kube_tool [--kubeconfig F] [--context C] [-n NS] [-A] [--sa-dir D] "
                    "config|request|repeat|crds|fetch|logs|create|terminate|watch ...\n");
    return 2;
}

static const char *auth_kind(const kube_config *c)
{
    if (c->has_exec)
        return "exec";
    if (c->token && *c->token)
        return "token";
    if (c->token_file && *c->token_file)
        return "token-file";
    if (c->client_cert.len)
        return "client-cert";
    if (c->username && c->password)
        return "basic";
    return "none";
}

static int cmd_config(mt_backend *b)
{
    const kube_config *c = kube_client_config(kube_backend_client(b));
    printf("origin=%s\ncontext=%s\ncluster=%s\nuser=%s\nserver=%s\nnamespace=%s\n"
           "all_namespaces=%d\nauth=%s\nca_bytes=%zu\ninsecure=%d\nlabel=%s\n",
           c->origin, c->context, c->cluster, c->user ? c->user : "", c->server, c->namespace_,
           c->all_namespaces, auth_kind(c), c->ca.len, c->insecure, kube_backend_label(b));
    return 0;
}

static int cmd_request(mt_backend *b, const char *method, const char *path, const char *file)
{
    char err[1024];
    char *body = NULL;
    if (file && !(body = kube_read_file(file, NULL, err, sizeof err))) {
        printf("error: %s\n", err);
        return 1;
    }
    CURL *h = curl_easy_init();
    kube_req r = {.method = method, .path = path, .body = body,
                  .content_type = !strcmp(method, "PATCH") ? "application/merge-patch+json"
                                                           : NULL};
    kube_resp resp;
    bool ok = kube_do(kube_backend_client(b), h, &r, &resp, err, sizeof err);
    if (ok)
        printf("status=%ld\n%s\n", resp.status, resp.body.data ? resp.body.data : "");
    else
        printf("status=%ld\nerror: %s\n", resp.status, err);
    kube_resp_free(&resp);
    curl_easy_cleanup(h);
    free(body);
    return ok ? 0 : 1;
}

static int cmd_repeat(mt_backend *b, long n, const char *path, long ms)
{
    CURL *h = curl_easy_init();
    int rc = 0;
    for (long i = 0; i < n && !rc; i++) {
        if (i && ms > 0)
            usleep((useconds_t)ms * 1000);
        char err[1024];
        long st = 0;
        cJSON *doc = kube_get_json(kube_backend_client(b), h, path, &st, err, sizeof err);
        if (!doc) {
            printf("error: %s\n", err);
            rc = 1;
        } else {
            printf("ok %ld\n", st);
        }
        cJSON_Delete(doc);
    }
    curl_easy_cleanup(h);
    return rc;
}

static void print_snapshot(const mt_snapshot *s, const char *prefix)
{
    printf("%stasks=%zu templates=%zu jobs=%zu pods=%zu sts=%zu\n", prefix, s->n_tasks,
           s->n_templates, s->n_jobs, s->n_pods, s->n_sts);
    for (size_t i = 0; i < s->n_tasks; i++) {
        const mt_task *t = &s->tasks[i];
        printf("%stask %s/%s %s%s\n", prefix, t->meta.namespace_ ? t->meta.namespace_ : "",
               t->meta.name, t->task_status && *t->task_status ? t->task_status : "-",
               t->meta.deleted ? " Terminating" : "");
    }
    for (size_t i = 0; i < s->n_templates; i++)
        printf("%stemplate %s\n", prefix, s->templates[i].meta.name);
    for (size_t i = 0; i < s->n_jobs; i++)
        printf("%sjob %s\n", prefix, s->jobs[i].meta.name);
    for (size_t i = 0; i < s->n_pods; i++)
        printf("%spod %s\n", prefix, s->pods[i].meta.name);
    for (size_t i = 0; i < s->n_sts; i++)
        printf("%ssts %s\n", prefix, s->sts[i].meta.name);
}

static int cmd_fetch(mt_backend *b, const char *task)
{
    char err[1024];
    mt_snapshot *s = b->ops->fetch(b, b->ops->default_namespace(b), task, err, sizeof err);
    if (!s) {
        printf("error: %s\n", err);
        return 1;
    }
    print_snapshot(s, "");
    mt_snapshot_free(s);
    return 0;
}

static bool print_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    printf("%.*s\n", (int)len, line);
    fflush(stdout);
    return !stop_flag;
}

static int cmd_logs(mt_backend *b, int argc, char **argv)
{
    if (argc < 2)
        return usage();
    mt_logs_opts o = {.step = argv[1], .tail_lines = -1};
    for (int i = 2; i < argc; i++) {
        if (!strncmp(argv[i], "tail=", 5))
            o.tail_lines = atol(argv[i] + 5);
        else if (!strncmp(argv[i], "since=", 6))
            o.since_seconds = atol(argv[i] + 6);
        else if (!strcmp(argv[i], "timestamps"))
            o.timestamps = true;
        else if (!strcmp(argv[i], "follow"))
            o.follow = true;
        else
            return usage();
    }
    char err[1024];
    if (!b->ops->logs(b, NULL, argv[0], &o, print_line, NULL, err, sizeof err)) {
        printf("error: %s\n", err);
        return 1;
    }
    return 0;
}

static int cmd_create(mt_backend *b, int argc, char **argv)
{
    if (argc < 4)
        return usage();
    char err[1024];
    arena a;
    arena_init(&a);
    mt_create_req r = {.name = argv[0], .template_name = "apecloud-pg2pg"};
    const char *objs[1] = {argv[3]};
    const char *steps[1] = {argc > 4 ? argv[4]
                                     : "precheck=true,init-struct=true,init-data=true,cdc=true"};
    bool ok = mt_parse_endpoint(&a, "--source", argv[1], &r.source, err, sizeof err) &&
              mt_parse_endpoint(&a, "--sink", argv[2], &r.sink, err, sizeof err) &&
              mt_parse_objects(&a, objs, 1, &r.objects, err, sizeof err) &&
              mt_parse_steps(steps, 1, &r.steps, err, sizeof err) &&
              b->ops->create(b, &r, err, sizeof err);
    arena_free(&a);
    if (!ok) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("created %s\n", argv[0]);
    return 0;
}

/* The dashboard's loop without the screen: wait on the feed's fd, take
 * snapshots and health, print what changed. */
static int cmd_watch(mt_backend *b, long seconds, const char *focus)
{
    char err[1024];
    mt_feed *f = b->ops->feed(b, err, sizeof err);
    if (!f || !mt_feed_start(f, err, sizeof err)) {
        printf("error: %s\n", err);
        if (f)
            mt_feed_free(f);
        return 1;
    }
    if (focus)
        mt_feed_set_focus(f, b->ops->default_namespace(b), focus);
    int64_t end = fmt_mono_ms() + seconds * 1000;
    char last_err[512] = "";
    uint64_t n = 0;
    while (!stop_flag && fmt_mono_ms() < end) {
        struct pollfd p = {mt_feed_fd(f), POLLIN, 0};
        poll(&p, 1, 100);
        mt_feed_health hl;
        mt_snapshot *s = mt_feed_take(f, &hl);
        if (strcmp(hl.error, last_err)) {
            if (hl.error[0])
                printf("health error: %s\n", hl.error);
            else
                printf("health ok\n");
            snprintf(last_err, sizeof last_err, "%s", hl.error);
        }
        if (s) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "snap %llu ", (unsigned long long)++n);
            print_snapshot(s, prefix);
            mt_snapshot_free(s);
        }
        fflush(stdout);
    }
    mt_feed_free(f);
    printf("watch ended\n");
    return 0;
}

int main(int argc, char **argv)
{
    kube_config_opts o = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-A")) {
            o.all_namespaces = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (!strcmp(a, "--kubeconfig"))
            o.kubeconfig = argv[++i];
        else if (!strcmp(a, "--context"))
            o.context = argv[++i];
        else if (!strcmp(a, "-n"))
            o.namespace_ = argv[++i];
        else if (!strcmp(a, "--sa-dir"))
            o.sa_dir = argv[++i];
        else
            return usage();
    }
    if (i >= argc)
        return usage();
    const char *cmd = argv[i++];
    int rest = argc - i;
    char **rv = argv + i;
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[1024];
    mt_backend *b = kube_backend_open(&o, err, sizeof err);
    if (!b) {
        printf("error: %s\n", err);
        return 1;
    }
    int rc;
    if (!strcmp(cmd, "config"))
        rc = cmd_config(b);
    else if (!strcmp(cmd, "request") && rest >= 2)
        rc = cmd_request(b, rv[0], rv[1], rest > 2 ? rv[2] : NULL);
    else if (!strcmp(cmd, "repeat") && rest >= 2)
        rc = cmd_repeat(b, atol(rv[0]), rv[1], rest > 2 ? atol(rv[2]) : 0);
    else if (!strcmp(cmd, "crds")) {
        CURL *h = curl_easy_init();
        rc = kube_backend_check_crds(b, h, err, sizeof err) ? 0 : 1;
        printf("%s%s\n", rc ? "error: " : "ok", rc ? err : "");
        curl_easy_cleanup(h);
    } else if (!strcmp(cmd, "fetch"))
        rc = cmd_fetch(b, rest > 0 ? rv[0] : NULL);
    else if (!strcmp(cmd, "logs"))
        rc = cmd_logs(b, rest, rv);
    else if (!strcmp(cmd, "create"))
        rc = cmd_create(b, rest, rv);
    else if (!strcmp(cmd, "terminate") && rest >= 1) {
        rc = b->ops->terminate(b, NULL, rv[0], err, sizeof err) ? 0 : 1;
        printf("%s%s\n", rc ? "error: " : "terminating ", rc ? err : rv[0]);
    } else if (!strcmp(cmd, "watch") && rest >= 1)
        rc = cmd_watch(b, atol(rv[0]), rest > 1 ? rv[1] : NULL);
    else
        rc = usage();
    b->ops->free(b);
    curl_global_cleanup();
    return rc;
}
