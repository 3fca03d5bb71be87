#include "backends/backend_select.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/flags.h"

#include "kube/backend.h"
#include "engine/backend_local.h"
#include "engine/taskdir.h"

int backend_args_match(backend_args *a, int argc, char **argv, int *i, char *err,
                       size_t errlen)
{
    const char *arg = argv[*i];
    if (!strcmp(arg, "-A") || !strcmp(arg, "--all-namespaces")) {
        a->all_namespaces = true;
        *i += 1;
        return 1;
    }
    int r;
    if ((r = flag_take("--backend", NULL, argc, argv, i, &a->backend, err, errlen)) ||
        (r = flag_take("--kubeconfig", NULL, argc, argv, i, &a->kubeconfig, err, errlen)) ||
        (r = flag_take("--context", NULL, argc, argv, i, &a->context, err, errlen)) ||
        (r = flag_take("--namespace", "-n", argc, argv, i, &a->namespace_, err, errlen)) ||
        (r = flag_take("--state-dir", NULL, argc, argv, i, &a->state_dir, err, errlen)))
        return r;
    return 0;
}

static mt_backend *open_kube(const backend_args *args, char *err, size_t errlen)
{
    kube_config_opts o = {.kubeconfig = args->kubeconfig, .context = args->context,
                          .namespace_ = args->namespace_, .all_namespaces = args->all_namespaces};
    return kube_backend_open(&o, err, errlen);
}

/* The Kubernetes flags given with the local backend: the first one's
 * name, NULL when none. */
static const char *kube_flag(const backend_args *a)
{
    return a->kubeconfig     ? "--kubeconfig"
           : a->context      ? "--context"
           : a->namespace_   ? "-n/--namespace"
           : a->all_namespaces ? "-A/--all-namespaces"
                             : NULL;
}

mt_backend *backend_open(backend_args *args, char *err, size_t errlen)
{
    const char *which = args->backend;
    args->fallback[0] = '\0';
    const char *env = getenv("KUBECONFIG");
    if (!which) {
        if (kube_flag(args) || (env && *env && !args->state_dir)) {
            which = "kube";
        } else if (!args->state_dir) {
            /* ~/.kube/config when it is usable. Loading it makes no
             * request, so this costs a file read. */
            char e2[512];
            mt_backend *b = open_kube(args, e2, sizeof e2);
            if (b)
                return b;
            snprintf(args->fallback, sizeof args->fallback, "%s", e2);
        }
    }
    if (!which)
        which = "local";
    if (!strcmp(which, "kube")) {
        mt_backend *b = open_kube(args, err, errlen);
        if (!b && !args->backend && !kube_flag(args)) {
            char e2[600];
            snprintf(e2, sizeof e2, "%s", err);
            snprintf(err, errlen, "KUBECONFIG=%s: %.500s (for the tasks on this machine: "
                     "--backend local)", env, e2);
        }
        return b;
    }
    if (!strcmp(which, "local")) {
        const char *flag = kube_flag(args);
        if (flag) {
            snprintf(err, errlen, "%s is for Kubernetes tasks; the local backend has none "
                     "(drop it, or use --backend kube)", flag);
            return NULL;
        }
        return engine_backend_open(args->state_dir, err, errlen);
    }
    snprintf(err, errlen, "--backend must be local or kube, not \"%s\"", which);
    return NULL;
}

bool backend_files_dir(mt_backend *b, const char *what, char *out, size_t n, char *err,
                       size_t errlen)
{
    const char *scope = b->ops->scope ? b->ops->scope(b) : NULL;
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int w;
    if (!strcmp(b->ops->name, "local") && scope && *scope) {
        w = snprintf(out, n, "%s/%s", scope, what);
    } else {
        char ctx[256]; /* one directory per context, whatever its name holds */
        snprintf(ctx, sizeof ctx, "%s", scope && *scope ? scope : "default");
        for (char *p = ctx; *p; p++)
            if (*p == '/')
                *p = '_';
        if (xdg && *xdg)
            w = snprintf(out, n, "%s/migtop/%s/%s", xdg, what, ctx);
        else
            w = snprintf(out, n, "%s/.local/state/migtop/%s/%s", home && *home ? home : ".", what,
                         ctx);
    }
    if (w < 0 || (size_t)w >= n) {
        snprintf(err, errlen, "the path for %s is too long", what);
        return false;
    }
    return engine_mkdirs(out, err, errlen);
}

void backend_where(mt_backend *b, char *out, size_t n)
{
    const char *scope = b->ops->scope ? b->ops->scope(b) : NULL;
    if (!strcmp(b->ops->name, "local"))
        snprintf(out, n, "local tasks in %s", scope ? scope : "?");
    else
        snprintf(out, n, "context %s", scope && *scope ? scope : "(none)");
}

/* The dashboard's backend: forwards every op to the backend in use, which
 * `:ctx` / `:ns` replace while the dashboard keeps the same handle. */
typedef struct switchable {
    mt_backend base;
    mt_backend_ops ops; /* the inner backend's name, these forwarders */
    /* The backend in use. A log stream or a wizard's worker may still be
     * inside the previous one after a switch: each call holds a reference,
     * and whoever lets go last frees it, so a switch never waits. */
    struct inner_ref *cur;
    /* The flags it was opened with (copies), the base of every switch. */
    char *backend, *kubeconfig, *context, *namespace_, *state_dir;
    bool all_namespaces;
} switchable;

typedef struct inner_ref {
    mt_backend *b;
    int refs;
} inner_ref;

static pthread_mutex_t refs_mu = PTHREAD_MUTEX_INITIALIZER;

static inner_ref *ref_take(mt_backend *sw)
{
    pthread_mutex_lock(&refs_mu);
    inner_ref *r = ((switchable *)sw)->cur;
    r->refs++;
    pthread_mutex_unlock(&refs_mu);
    return r;
}

static void ref_drop(inner_ref *r)
{
    pthread_mutex_lock(&refs_mu);
    bool last = --r->refs == 0;
    pthread_mutex_unlock(&refs_mu);
    if (last) {
        r->b->ops->free(r->b);
        free(r);
    }
}

static inner_ref *ref_new(mt_backend *in)
{
    inner_ref *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->b = in;
    r->refs = 1; /* the switchable's own */
    return r;
}

static mt_snapshot *sw_fetch(mt_backend *b, const char *ns, const char *task, char *err,
                             size_t errlen)
{
    inner_ref *r = ref_take(b);
    mt_snapshot *s = r->b->ops->fetch(r->b, ns, task, err, errlen);
    ref_drop(r);
    return s;
}

static bool sw_logs(mt_backend *b, const char *ns, const char *task, const mt_logs_opts *o,
                    mt_log_line_fn fn, void *ctx, char *err, size_t errlen)
{
    inner_ref *r = ref_take(b);
    bool ok = r->b->ops->logs(r->b, ns, task, o, fn, ctx, err, errlen);
    ref_drop(r);
    return ok;
}

static bool sw_create(mt_backend *b, const mt_create_req *req, char *err, size_t errlen)
{
    inner_ref *r = ref_take(b);
    bool ok = r->b->ops->create(r->b, req, err, errlen);
    ref_drop(r);
    return ok;
}

static bool sw_terminate(mt_backend *b, const char *ns, const char *task, char *err,
                         size_t errlen)
{
    inner_ref *r = ref_take(b);
    bool ok = r->b->ops->terminate(r->b, ns, task, err, errlen);
    ref_drop(r);
    return ok;
}

static bool sw_forget(mt_backend *b, const char *ns, const char *task, strbuf *report,
                      char *err, size_t errlen)
{
    inner_ref *r = ref_take(b);
    bool ok = r->b->ops->forget(r->b, ns, task, report, err, errlen);
    ref_drop(r);
    return ok;
}

/* The feed's thread uses the backend it came from: the feed is always
 * freed (its thread joined) before that backend is let go. */
static mt_feed *sw_feed(mt_backend *b, char *err, size_t errlen)
{
    mt_backend *in = ((switchable *)b)->cur->b;
    return in->ops->feed(in, err, errlen);
}

/* Called on the UI thread, which is the only one that switches. */
static const char *sw_scope(mt_backend *b)
{
    mt_backend *in = ((switchable *)b)->cur->b;
    return in->ops->scope ? in->ops->scope(in) : NULL;
}

/* Called on the UI thread, which is the only one that switches. */
static const char *sw_default_namespace(mt_backend *b)
{
    mt_backend *in = ((switchable *)b)->cur->b;
    return in->ops->default_namespace(in);
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static void sw_free(mt_backend *b)
{
    switchable *s = (switchable *)b;
    ref_drop(s->cur);
    free(s->backend);
    free(s->kubeconfig);
    free(s->context);
    free(s->namespace_);
    free(s->state_dir);
    free(s);
}

mt_backend *backend_open_argv(int argc, char **argv, char *err, size_t errlen)
{
    backend_args a = {0};
    for (int i = 0; i < argc;) {
        int r = backend_args_match(&a, argc, argv, &i, err, errlen);
        if (r < 0)
            return NULL;
        if (r == 0) {
            snprintf(err, errlen, "unknown option \"%s\" (see migtop --help)", argv[i]);
            return NULL;
        }
    }
    mt_backend *in = backend_open(&a, err, errlen);
    if (!in)
        return NULL;
    switchable *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->ops = (mt_backend_ops){.name = in->ops->name, .fetch = sw_fetch, .logs = sw_logs,
                              .create = sw_create, .terminate = sw_terminate, .feed = sw_feed,
                              .default_namespace = sw_default_namespace, .scope = sw_scope,
                              .free = sw_free};
    /* A switch stays on this backend, so what it can do stays the same. */
    if (in->ops->forget)
        s->ops.forget = sw_forget;
    s->base.ops = &s->ops;
    s->cur = ref_new(in);
    s->backend = dup_or_null(in->ops->name); /* a switch stays on this backend */
    s->kubeconfig = dup_or_null(a.kubeconfig);
    s->context = dup_or_null(a.context);
    s->namespace_ = dup_or_null(a.namespace_);
    s->state_dir = dup_or_null(a.state_dir);
    s->all_namespaces = a.all_namespaces;
    return &s->base;
}

/* v may be *slot itself: copy before freeing. */
static void replace(char **slot, const char *v)
{
    char *n = dup_or_null(v);
    free(*slot);
    *slot = n;
}

bool backend_switch(mt_backend *b, const char *context, const char *ns, mt_feed **feed,
                    char *err, size_t errlen)
{
    if (b->ops->free != sw_free || strcmp(b->ops->name, "kube")) {
        snprintf(err, errlen, "contexts and namespaces are for the kube backend; this is the "
                              "%s backend", b->ops->name);
        return false;
    }
    switchable *s = (switchable *)b;
    backend_args a = {.backend = s->backend, .kubeconfig = s->kubeconfig,
                      .context = s->context, .namespace_ = s->namespace_,
                      .all_namespaces = s->all_namespaces};
    if (context) { /* a new context starts in its own namespace, like k9s */
        a.context = context;
        a.namespace_ = NULL;
        a.all_namespaces = false;
    }
    if (ns) {
        bool all = !strcmp(ns, "all") || !strcmp(ns, "-A");
        a.namespace_ = all ? NULL : ns;
        a.all_namespaces = all;
    }
    mt_backend *in = backend_open(&a, err, errlen);
    if (!in)
        return false;
    mt_feed *f = in->ops->feed(in, err, errlen);
    if (!f || !mt_feed_start(f, err, errlen)) {
        mt_feed_free(f);
        in->ops->free(in);
        return false;
    }
    /* The old feed's thread uses the old backend: stop it first. */
    mt_feed_free(*feed);
    *feed = f;
    pthread_mutex_lock(&refs_mu);
    inner_ref *old = s->cur;
    s->cur = ref_new(in);
    pthread_mutex_unlock(&refs_mu);
    ref_drop(old);
    replace(&s->context, a.context);
    replace(&s->namespace_, a.namespace_);
    s->all_namespaces = a.all_namespaces;
    return true;
}

const char *backend_namespace(const backend_args *args, mt_backend *b)
{
    if (args->all_namespaces)
        return NULL;
    if (args->namespace_ && *args->namespace_)
        return args->namespace_;
    return b->ops->default_namespace(b);
}

const char *const *backend_contexts(mt_backend *b)
{
    static const char *const none[] = {NULL};
    if (!b || b->ops->free != sw_free || strcmp(b->ops->name, "kube"))
        return none;
    return kube_backend_contexts(((switchable *)b)->cur->b);
}
