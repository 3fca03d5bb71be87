#include "tui/backend_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli_args.h"

#ifdef MIGTOP_HAVE_KUBE
#include "kube/backend.h"
#endif
#ifdef MIGTOP_HAVE_ENGINE
#include "engine/backend_local.h"
#endif

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
    if ((r = cli_take("--backend", NULL, argc, argv, i, &a->backend, err, errlen)) ||
        (r = cli_take("--kubeconfig", NULL, argc, argv, i, &a->kubeconfig, err, errlen)) ||
        (r = cli_take("--context", NULL, argc, argv, i, &a->context, err, errlen)) ||
        (r = cli_take("--namespace", "-n", argc, argv, i, &a->namespace_, err, errlen)) ||
        (r = cli_take("--state-dir", NULL, argc, argv, i, &a->state_dir, err, errlen)))
        return r;
    return 0;
}

#ifdef MIGTOP_HAVE_KUBE
static mt_backend *open_kube(const backend_args *args, char *err, size_t errlen)
{
    kube_config_opts o = {.kubeconfig = args->kubeconfig, .context = args->context,
                          .namespace_ = args->namespace_, .all_namespaces = args->all_namespaces};
    return kube_backend_open(&o, err, errlen);
}
#endif

mt_backend *backend_open(const backend_args *args, char *err, size_t errlen)
{
    const char *which = args->backend;
#ifdef MIGTOP_HAVE_KUBE
    if (!which) {
        bool kube_asked = args->kubeconfig || args->context || args->all_namespaces;
        if (kube_asked)
            which = "kube";
#ifdef MIGTOP_HAVE_ENGINE
        else if (!args->state_dir) {
            /* The default: kube when a kubeconfig is usable. Loading
             * it makes no request, so this costs a file read. */
            char e2[512];
            mt_backend *b = open_kube(args, e2, sizeof e2);
            if (b)
                return b;
        }
#endif
    }
#endif
    if (!which) {
#ifdef MIGTOP_HAVE_ENGINE
        which = "local";
#else
        which = "kube";
#endif
    }
    if (!strcmp(which, "kube")) {
#ifdef MIGTOP_HAVE_KUBE
        return open_kube(args, err, errlen);
#else
        snprintf(err, errlen, "the kube backend is not built into this migtop");
        return NULL;
#endif
    }
    if (!strcmp(which, "local")) {
#ifdef MIGTOP_HAVE_ENGINE
        return engine_backend_open(args->state_dir, err, errlen);
#else
        snprintf(err, errlen, "the local backend is not built into this migtop");
        return NULL;
#endif
    }
    snprintf(err, errlen, "--backend must be local or kube, not \"%s\"", which);
    return NULL;
}

/* The dashboard's backend: forwards every op to the backend in use, which
 * `:ctx` / `:ns` replace while the dashboard keeps the same handle. */
typedef struct switchable {
    mt_backend base;
    mt_backend_ops ops; /* the inner backend's name, these forwarders */
    mt_backend *inner;
    /* The flags it was opened with (copies), the base of every switch. */
    char *backend, *kubeconfig, *context, *namespace_, *state_dir;
    bool all_namespaces;
} switchable;

static mt_backend *inner_of(mt_backend *b) { return ((switchable *)b)->inner; }

static mt_snapshot *sw_fetch(mt_backend *b, const char *ns, const char *task, char *err,
                             size_t errlen)
{
    mt_backend *in = inner_of(b);
    return in->ops->fetch(in, ns, task, err, errlen);
}

static bool sw_logs(mt_backend *b, const char *ns, const char *task, const mt_logs_opts *o,
                    mt_log_line_fn fn, void *ctx, char *err, size_t errlen)
{
    mt_backend *in = inner_of(b);
    return in->ops->logs(in, ns, task, o, fn, ctx, err, errlen);
}

static bool sw_create(mt_backend *b, const mt_create_req *req, char *err, size_t errlen)
{
    mt_backend *in = inner_of(b);
    return in->ops->create(in, req, err, errlen);
}

static bool sw_terminate(mt_backend *b, const char *ns, const char *task, char *err,
                         size_t errlen)
{
    mt_backend *in = inner_of(b);
    return in->ops->terminate(in, ns, task, err, errlen);
}

static mt_feed *sw_feed(mt_backend *b, char *err, size_t errlen)
{
    mt_backend *in = inner_of(b);
    return in->ops->feed(in, err, errlen);
}

static const char *sw_default_namespace(mt_backend *b)
{
    mt_backend *in = inner_of(b);
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
    s->inner->ops->free(s->inner);
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
                              .default_namespace = sw_default_namespace, .free = sw_free};
    s->base.ops = &s->ops;
    s->inner = in;
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
    s->inner->ops->free(s->inner);
    s->inner = in;
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
