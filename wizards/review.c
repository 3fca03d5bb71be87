#include "wizards/review.h"

#include "pgprobe/task_endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/flags.h"
#include "model/task_build.h"
#include "model/print_yaml.h"
#include "backends/backend_select.h"
#include "engine/spec.h"

static void wipe(char *s, size_t n)
{
    volatile char *p = s;
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
}

/* Copies what fits (answers are cut at their field's size on purpose). */
static void cp(char *dst, size_t n, const char *s)
{
    if (!n)
        return;
    size_t l = s ? strnlen(s, n - 1) : 0;
    memcpy(dst, s ? s : "", l);
    dst[l] = 0;
}

bool wiz_answers_endpoint(create_answers *s, int which, form *fm, const wiz_conn_test *tested,
                          char *err, size_t n)
{
    create_endpoint *e = &s->ep[which];
    const char *flag = which ? "sink" : "source";
    if (e->have_ep)
        wiz_endpoint_wipe_free(&e->ep);
    e->have_ep = false;
    pgp_error pe = {0};
    if (!wiz_endpoint_make(fm, flag, &e->ep, &pe)) {
        snprintf(err, n, "%s: %s", flag, pe.msg);
        return false;
    }
    e->have_ep = true;
    const form_field *f = fm->fields;
    if (tested) { /* what libpq connected with */
        cp(e->host, sizeof e->host, tested->host);
        cp(e->port, sizeof e->port, tested->port);
        cp(e->db, sizeof e->db, tested->db);
        cp(e->user, sizeof e->user, tested->user);
        cp(e->password, sizeof e->password, tested->password);
    } else if (f[EPF_MODE].choice == 0) {
        cp(e->host, sizeof e->host, f[EPF_HOST].value);
        cp(e->port, sizeof e->port, f[EPF_PORT].value);
        cp(e->db, sizeof e->db, f[EPF_DB].value);
        cp(e->user, sizeof e->user, f[EPF_USER].value);
        cp(e->password, sizeof e->password, f[EPF_PASSWORD].value);
    } else { /* untested URI: only what it spells out */
        cp(e->host, sizeof e->host, pgp_endpoint_get(&e->ep, "host"));
        cp(e->port, sizeof e->port, pgp_endpoint_get(&e->ep, "port"));
        cp(e->db, sizeof e->db, pgp_endpoint_get(&e->ep, "dbname"));
        cp(e->user, sizeof e->user, pgp_endpoint_get(&e->ep, "user"));
        cp(e->password, sizeof e->password, pgp_endpoint_get(&e->ep, "password"));
        if (!e->port[0])
            cp(e->port, sizeof e->port, "5432");
    }
    if (!e->host[0] || !e->user[0]) {
        snprintf(err, n, "%s: the %s names no %s; test the connection (Ctrl-T on its step) so "
                         "libpq resolves it, or give the fields", flag,
                 f[EPF_MODE].choice ? "URI/service" : "form", e->host[0] ? "user" : "host");
        return false;
    }
    return true;
}

void wiz_answers_objects(create_answers *s, const form_field *list)
{
    strbuf b = {0};
    const char *schema = NULL;
    bool whole = false;
    for (int i = 0; i < list->n_items; i++) {
        const form_item *it = &list->items[i];
        if (it->depth == 0) {
            schema = it->label;
            whole = it->checked;
            if (!whole)
                continue;
        } else if (whole || !it->checked || !schema) {
            continue;
        }
        mt_object_arg(&b, schema, it->depth ? it->label : NULL);
    }
    snprintf(s->objects, sizeof s->objects, "%s", strbuf_str(&b));
    strbuf_free(&b);
}

bool wiz_answers_request(const create_answers *s, arena *ar, bool mask, mt_create_req *req,
                         char *err, size_t n)
{
    memset(req, 0, sizeof *req);
    req->name = arena_strdup(ar, s->name);
    req->namespace_ = s->kube && s->namespace_[0] ? arena_strdup(ar, s->namespace_) : NULL;
    req->template_name = s->template_name[0] ? arena_strdup(ar, s->template_name) : NULL;
    for (int i = 0; i < 2; i++) {
        const create_endpoint *e = &s->ep[i];
        mt_endpoint_arg *d = i ? &req->sink : &req->source;
        d->user = arena_strdup(ar, e->user);
        d->password = arena_strdup(ar, mask && e->password[0] ? "****" : e->password);
        d->host = arena_strdup(ar, e->host);
        d->port = atoi(e->port[0] ? e->port : "5432");
        d->database = arena_strdup(ar, e->db);
        /* host:port as kbcli's address, an IPv6 host in brackets. */
        d->address = arena_printf(ar, strchr(e->host, ':') ? "[%s]:%d" : "%s:%d", e->host,
                                  d->port);
    }
    const char *objs[1] = {s->objects};
    const char *steps[1] = {s->steps};
    /* The default is left out: the object then carries no annotation. */
    req->sink_tables = s->sink_tables[0] && strcmp(s->sink_tables, "fail")
                           ? arena_strdup(ar, s->sink_tables) : NULL;
    return mt_parse_objects(ar, objs, 1, &req->objects, err, n) &&
           mt_parse_steps(steps, 1, &req->steps, err, n);
}

void wiz_answers_wipe(create_answers *s)
{
    for (int i = 0; i < 2; i++) {
        wipe(s->ep[i].password, sizeof s->ep[i].password);
        if (s->ep[i].have_ep)
            wiz_endpoint_wipe_free(&s->ep[i].ep);
        s->ep[i].have_ep = false;
    }
}

/* --- the object as YAML ------------------------------------------------ */

static const char *backend_ns(const create_answers *s)
{
    wiz_host *h = s->host;
    if (s->kube && s->namespace_[0])
        return s->namespace_;
    if (h->backend && h->backend->ops->default_namespace &&
        !strcmp(h->backend->ops->name, s->kube ? "kube" : "local"))
        return h->backend->ops->default_namespace(h->backend);
    return s->kube ? "default" : "";
}

static char *object_yaml(const create_answers *s, char *err, size_t n)
{
    arena ar;
    arena_init(&ar);
    mt_create_req req;
    char *out = NULL;
    if (wiz_answers_request(s, &ar, true, &req, err, n)) {
        cJSON *o = mt_task_build(&req, backend_ns(s), req.template_name, MT_PG_SERVER_ID);
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (f) {
            print_yaml(f, o);
            fclose(f);
        }
        cJSON_Delete(o);
    }
    arena_free(&ar);
    return out;
}

/* --- the precheck job -------------------------------------------------- */

typedef struct precheck_job {
    pgp_endpoint src, sink;
    arena ar;
    mt_objects objects;
    char name[FORM_VALUE_MAX], template_name[128], sink_tables[16];
    bool cdc, kube;
    pgp_report rep;
    bool have_rep;
} precheck_job;

static void precheck_free(void *arg)
{
    precheck_job *p = arg;
    wiz_endpoint_wipe_free(&p->src);
    wiz_endpoint_wipe_free(&p->sink);
    if (p->have_rep)
        pgp_report_free(&p->rep);
    arena_free(&p->ar);
    free(p);
}

static void precheck_run(wiz_job *j, void *arg)
{
    precheck_job *p = arg;
    wiz_job_progress(j, "on %s and %s", pgp_endpoint_label(&p->src), pgp_endpoint_label(&p->sink));
    pgp_precheck_input in = {.source = &p->src, .sink = &p->sink, .objects = &p->objects,
                             .task_name = p->name, .cdc = p->cdc,
                             .template_name = p->kube ? p->template_name : NULL,
                             .timeout_s = 10,
                             .sink_tables = p->sink_tables[0] ? p->sink_tables : NULL};
    pgp_precheck_run(&in, &p->rep);
    p->have_rep = true;
}

void wiz_review_start(wiz_review *r, wiz *w, create_answers *s, bool cdc)
{
    free(r->yaml);
    r->yaml = object_yaml(s, r->error, sizeof r->error);
    if (r->have_report)
        pgp_report_free(&r->report);
    r->have_report = false;
    r->n_fail = 0;
    if (!r->yaml) {
        wiz_status(w, P_ERROR, "%s", r->error);
        return;
    }
    precheck_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    arena_init(&p->ar);
    pgp_endpoint_copy(&p->src, &s->ep[0].ep);
    pgp_endpoint_copy(&p->sink, &s->ep[1].ep);
    const char *objs[1] = {s->objects};
    char err[256];
    mt_parse_objects(&p->ar, objs, 1, &p->objects, err, sizeof err);
    snprintf(p->name, sizeof p->name, "%s", s->name);
    snprintf(p->template_name, sizeof p->template_name, "%s", s->template_name);
    snprintf(p->sink_tables, sizeof p->sink_tables, "%s", s->sink_tables);
    p->cdc = cdc;
    p->kube = s->kube;
    r->checking = true;
    r->submitting = false;
    wiz_run(w, "running the precheck", precheck_run, p, precheck_free);
}

bool wiz_review_busy(const wiz_review *r) { return r->checking || r->submitting; }

/* found/fix texts hold several lines: each wrapped on its own, under a
 * lead on the first. */
static void wrap_lines(doc *d, pane_role role, const char *lead, const char *text, int width)
{
    /* The doc keeps the lead's pointer: it must live as long as the frame. */
    const char *pad = arena_printf(d->a, "%*s", (int)strlen(lead), "");
    for (bool first = true; *text; first = false) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        doc_wrap(d, role, first ? lead : pad, arena_strndup(d->a, text, len), width);
        text += len + (nl ? 1 : 0);
    }
}

void wiz_review_build(const wiz_review *r, doc *text, int width)
{
    doc_section(text, "Precheck", width);
    if (r->checking)
        doc_text(text, P_DIM, "running on the source and the sink...");
    else if (!r->have_report)
        doc_text(text, P_DIM, "not run");
    for (size_t i = 0; r->have_report && i < r->report.n; i++) {
        const pgp_check *c = &r->report.v[i];
        doc_line *l = doc_add(text);
        pane_role role = c->status == PGP_CHECK_OK ? P_OK : c->status == PGP_CHECK_WARN ? P_WARN
                                                                                       : P_ERROR;
        doc_putf(text, l, role, "%-5s", c->status == PGP_CHECK_OK   ? "ok"
                                        : c->status == PGP_CHECK_WARN ? "warn"
                                                                      : "FAIL");
        /* "connect" is said of both ends: name the end when the title does not. */
        const char *dot = strchr(c->id, '.');
        if (dot && !strstr(c->title, "source") && !strstr(c->title, "sink"))
            doc_putf(text, l, P_DIM, "%.*s: ", (int)(dot - c->id), c->id);
        doc_put(text, l, P_NORMAL, c->title);
        if (c->status != PGP_CHECK_OK) {
            if (c->found && c->found[0])
                wrap_lines(text, P_DIM, "      found: ", c->found, width);
            if (c->fix && c->fix[0])
                wrap_lines(text, P_KEY, "      fix:   ", c->fix, width);
        }
    }
    if (r->have_report)
        doc_text(text, r->report.n_fail ? P_ERROR : P_OK,
                 arena_printf(text->a, "%zu checks: %zu ok, %zu warnings, %zu failed",
                              r->report.n, r->report.n_ok, r->report.n_warn, r->report.n_fail));
    doc_blank(text);
    doc_section(text, "The object that will be created (passwords masked)", width);
    const char *y = r->yaml ? r->yaml : "";
    while (*y) {
        const char *nl = strchr(y, '\n');
        size_t len = nl ? (size_t)(nl - y) : strlen(y);
        doc_text(text, P_NORMAL, arena_strndup(text->a, y, len));
        y += len + (nl ? 1 : 0);
    }
    doc_blank(text);
    doc_text(text, P_DIM, "Enter creates the task; PgUp/PgDn scroll; Esc goes back.");
}

/* --- submit ------------------------------------------------------------ */

typedef struct submit_job {
    create_answers ans; /* a copy (passwords wiped on free) */
    pgp_endpoint src, sink; /* to check what CDC would publish, what the sink holds */
    bool have_src, have_sink;
    mt_backend *shared; /* the dashboard's backend when it is the chosen one */
    bool ok;
    char err[1024];
    char ns[256];
} submit_job;

static void submit_free(void *arg)
{
    submit_job *p = arg;
    if (p->have_src)
        wiz_endpoint_wipe_free(&p->src);
    if (p->have_sink)
        wiz_endpoint_wipe_free(&p->sink);
    for (int i = 0; i < 2; i++)
        wipe(p->ans.ep[i].password, sizeof p->ans.ep[i].password);
    free(p);
}

/* The same refusals as `migtop create`: no table the source could not
 * update once it is published, no sink table whose rows are not the
 * migration's unless the answers say what to do with them. A local task's
 * servers are reached from here; a Kubernetes task's may not be (the
 * runner and the precheck check again). */
static bool create_checks(submit_job *p, wiz_job *j, const mt_create_req *req)
{
    if (!p->have_src || p->ans.kube)
        return true;
    wiz_job_progress(j, "checking the tables on the source and the sink");
    pgp_error e;
    PGconn *c = pgp_connect_cancelable(&p->src, "migtop create", 10, false,
                                       wiz_job_cancel_flag(j), &e);
    if (!c)
        return true;
    bool ok = !req->steps.cdc || pgp_check_publishable(c, &req->objects, p->err, sizeof p->err);
    PGconn *k = ok && p->have_sink ? pgp_connect_cancelable(&p->sink, "migtop create", 10, false,
                                                            wiz_job_cancel_flag(j), &e)
                                   : NULL;
    if (k)
        ok = pgp_check_sink_rows(c, k, &req->objects, req->sink_tables, p->err, sizeof p->err);
    PQfinish(k);
    PQfinish(c);
    return ok;
}

static void submit_run(wiz_job *j, void *arg)
{
    submit_job *p = arg;
    mt_backend *b = p->shared, *own = NULL;
    if (!b) {
        wiz_job_progress(j, "opening the %s backend", p->ans.kube ? "Kubernetes" : "local");
        backend_args args = {.backend = p->ans.kube ? "kube" : "local",
                             .context = p->ans.context[0] ? p->ans.context : NULL,
                             .namespace_ = p->ans.kube && p->ans.namespace_[0] ? p->ans.namespace_
                                                                          : NULL};
        b = own = backend_open(&args, p->err, sizeof p->err);
        if (!b)
            return;
    }
    arena ar;
    arena_init(&ar);
    mt_create_req req;
    wiz_job_progress(j, "creating %s", p->ans.name);
    if (wiz_answers_request(&p->ans, &ar, false, &req, p->err, sizeof p->err) &&
        create_checks(p, j, &req)) {
        p->ok = b->ops->create(b, &req, p->err, sizeof p->err);
        /* Where the task went, for opening its detail. */
        const char *ns = req.namespace_ ? req.namespace_
                         : b->ops->default_namespace ? b->ops->default_namespace(b) : "";
        snprintf(p->ns, sizeof p->ns, "%s", ns ? ns : "");
    }
    /* The request's copy of the passwords lives in the arena. */
    for (int i = 0; i < 2; i++) {
        mt_endpoint_arg *e = i ? &req.sink : &req.source;
        if (e->password)
            wipe((char *)e->password, strlen(e->password));
    }
    arena_free(&ar);
    if (own)
        own->ops->free(own);
}

void wiz_review_submit(wiz_review *r, wiz *w, create_answers *s)
{
    submit_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->ans = *s;
    if (s->ep[0].have_ep) {
        pgp_endpoint_copy(&p->src, &s->ep[0].ep);
        p->have_src = true;
    }
    if (s->ep[1].have_ep) {
        pgp_endpoint_copy(&p->sink, &s->ep[1].ep);
        p->have_sink = true;
    }
    for (int i = 0; i < 2; i++) /* the precheck endpoints stay with the wizard */
        p->ans.ep[i].have_ep = false, memset(&p->ans.ep[i].ep, 0, sizeof p->ans.ep[i].ep);
    wiz_host *h = s->host;
    if (h->backend && !strcmp(h->backend->ops->name, s->kube ? "kube" : "local") &&
        !s->context[0])
        p->shared = h->backend;
    r->submitting = true;
    wiz_run(w, "creating the task", submit_run, p, submit_free);
    w->job_firm = true;
}

bool wiz_review_news(wiz_review *r, wiz *w, wiz_host *h, create_answers *s, void *arg)
{
    (void)s;
    if (r->checking) {
        precheck_job *p = arg;
        r->checking = false;
        if (p->have_rep) {
            r->report = p->rep; /* taken over */
            p->have_rep = false;
            r->have_report = true;
            r->n_fail = (int)r->report.n_fail;
            if (r->n_fail)
                wiz_status(w, P_ERROR, "precheck: %d check%s failed (see fix: below; PgDn "
                                       "scrolls); Esc goes back", r->n_fail,
                           r->n_fail == 1 ? "" : "s");
            else
                wiz_status(w, P_OK, "precheck passed: Enter creates the task");
        }
        return false;
    }
    if (r->submitting) {
        submit_job *p = arg;
        r->submitting = false;
        if (!p->ok) {
            wiz_status(w, P_ERROR, "create failed: %s", p->err);
            return false;
        }
        /* The wizard closes after this returns and the detail opens in
         * its place, so Esc from the detail leads back to the list. */
        snprintf(w->then_task, sizeof w->then_task, "%s", p->ans.name);
        snprintf(w->then_ns, sizeof w->then_ns, "%s", p->ans.kube ? p->ns : "");
        w->close = true;
        wiz_say(h, false, "created %s%s%s", w->then_ns, w->then_ns[0] ? "/" : "",
                    w->then_task);
        return true;
    }
    return false;
}

void wiz_review_free(wiz_review *r)
{
    free(r->yaml);
    r->yaml = NULL;
    if (r->have_report)
        pgp_report_free(&r->report);
    r->have_report = false;
}
