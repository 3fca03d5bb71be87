/* The create wizard (`c` on the task list): backend, name, template,
 * source, sink, objects, steps, review. Every answer ends up in the same
 * mt_create_req `migtop create` builds from its flags (model/flags.h
 * parses the objects and steps from the same text kbcli takes), so the
 * object created is the one kbcli would create for those answers. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/flags.h"
#include "wizards/catalog.h"
#include "wizards/endpoint.h"
#include "wizards/review.h"
#include "wizards/wizard.h"
#include "engine/spec.h"

enum { S_BACKEND, S_NAME, S_TEMPLATE, S_SOURCE, S_SINK, S_OBJECTS, S_STEPS, S_REVIEW, S_N };
enum { BF_KIND, BF_CONTEXT, BF_NS, BF_N };
enum { TF_STEPS_PRECHECK, TF_STEPS_STRUCT, TF_STEPS_DATA, TF_STEPS_CDC, TF_SINK_TABLES, TF_N };

#define MAX_TEMPLATES 64

typedef struct create_wiz {
    wiz w;
    const char *kinds[2];
    int n_kinds;
    form_field fb[BF_N], fname[1], ftmpl[1], fsrc[EPF_N], fsink[EPF_N], fobj[1], fsteps[TF_N];
    form mb, mname, mtmpl, msrc, msink, mobj, msteps;
    char tmpl_names[MAX_TEMPLATES][128];
    const char *tmpl_ptrs[MAX_TEMPLATES];
    /* The last connection test of each endpoint, and the values it was for
     * (a hash of the fields), so a changed field is tested again. */
    wiz_conn_test *tested[2];
    uint64_t tested_sig[2], failed_sig[2], testing_sig[2];
    uint64_t catalog_sig; /* the source the object list was read from */
    create_answers ans;   /* built for the review and the submit */
    wiz_review review;
    bool review_confirmed; /* Enter once more after precheck failures */
} create_wiz;

static create_wiz *self(wiz *w) { return w->self; }

/* --- validation -------------------------------------------------------- */

static bool name_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    create_wiz *c = ctx;
    wiz_host *h = c->ans.host;
    if (!mt_valid_name(f->value, err, n))
        return false;
    if (h && h->snap) {
        const char *ns = c->fb[BF_NS].hidden ? NULL : c->fb[BF_NS].value;
        const mt_task *t = mt_snapshot_task(h->snap, ns && *ns ? ns : NULL, f->value);
        if (t && (!ns || !*ns || !strcmp(t->meta.namespace_, ns))) {
            snprintf(err, n, "a task named %s already exists%s%s", f->value,
                     t->meta.namespace_[0] ? " in namespace " : "", t->meta.namespace_);
            return false;
        }
    }
    return true;
}

static bool ns_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    (void)ctx;
    if (!f->value[0])
        return true; /* the kubeconfig context's namespace */
    return mt_valid_name(f->value, err, n);
}

static bool template_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    (void)ctx;
    if (f->n_choices)
        return true;
    snprintf(err, n, "no MigrationTemplate found in the cluster: install the KubeBlocks "
                     "migration add-on (kbcli addon enable migration)");
    return false;
}

static bool objects_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    (void)ctx;
    for (int i = 0; i < f->n_items; i++)
        if (f->items[i].checked)
            return true;
    snprintf(err, n, f->n_items ? "select at least one table or schema (space)"
                                : "the source has no tables to migrate");
    return false;
}

/* --- answers ----------------------------------------------------------- */

static bool kube_chosen(create_wiz *c)
{
    return !strcmp(c->kinds[c->fb[BF_KIND].choice], "kube");
}

/* FNV-1a over an endpoint form's values: which values a test was for. */
static uint64_t form_sig(form *fm)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < fm->n; i++) {
        const form_field *f = &fm->fields[i];
        for (const char *p = f->value; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ (unsigned)(f->choice + 1)) * 1099511628211ULL;
    }
    return h;
}

static void fill_templates(create_wiz *c)
{
    wiz_host *h = c->ans.host;
    int n = 0;
    if (kube_chosen(c)) {
        /* The cluster's templates, as the dashboard's snapshot has them
         * (when the dashboard watches that cluster). */
        if (h->snap && h->backend && !strcmp(h->backend->ops->name, "kube"))
            for (size_t i = 0; i < h->snap->n_templates && n < MAX_TEMPLATES; i++)
                snprintf(c->tmpl_names[n++], sizeof c->tmpl_names[0], "%s",
                         h->snap->templates[i].meta.name);
    } else {
        snprintf(c->tmpl_names[n++], sizeof c->tmpl_names[0], "%s", ENGINE_LOCAL_TEMPLATE);
    }
    for (int i = 0; i < n; i++)
        c->tmpl_ptrs[i] = c->tmpl_names[i];
    c->ftmpl[0].choices = c->tmpl_ptrs;
    if (c->ftmpl[0].n_choices != n)
        c->ftmpl[0].choice = 0;
    c->ftmpl[0].n_choices = n;
    /* kbcli's PostgreSQL template is the usual choice: preselect it. */
    for (int i = 0; i < n && c->ftmpl[0].choice == 0; i++)
        if (strstr(c->tmpl_names[i], "pg2pg") || strstr(c->tmpl_names[i], "postgresql"))
            c->ftmpl[0].choice = i;
}

/* Collects every answer into c->ans (see wiz_review.h). */
static bool collect(create_wiz *c, char *err, size_t n)
{
    create_answers *s = &c->ans;
    s->kube = kube_chosen(c);
    snprintf(s->context, sizeof s->context, "%s", s->kube ? c->fb[BF_CONTEXT].value : "");
    snprintf(s->namespace_, sizeof s->namespace_, "%s", s->kube ? c->fb[BF_NS].value : "");
    snprintf(s->name, sizeof s->name, "%s", c->fname[0].value);
    snprintf(s->template_name, sizeof s->template_name, "%s",
             c->ftmpl[0].n_choices ? c->ftmpl[0].choices[c->ftmpl[0].choice] : "");
    form *eps[2] = {&c->msrc, &c->msink};
    for (int i = 0; i < 2; i++)
        if (!wiz_answers_endpoint(s, i, eps[i], c->tested_sig[i] == form_sig(eps[i])
                                                    ? c->tested[i] : NULL, err, n))
            return false;
    wiz_answers_objects(s, &c->fobj[0]);
    snprintf(s->steps, sizeof s->steps, "precheck=%s,init-struct=%s,init-data=true,cdc=%s",
             c->fsteps[TF_STEPS_PRECHECK].on ? "true" : "false",
             c->fsteps[TF_STEPS_STRUCT].on ? "true" : "false",
             c->fsteps[TF_STEPS_CDC].on ? "true" : "false");
    const form_field *st = &c->fsteps[TF_SINK_TABLES];
    snprintf(s->sink_tables, sizeof s->sink_tables, "%s", st->choices[st->choice]);
    return true;
}

/* --- steps ------------------------------------------------------------- */

static void test_endpoint(create_wiz *c, int which)
{
    form *fm = which ? &c->msink : &c->msrc;
    const char *flag = which ? "sink" : "source";
    pgp_endpoint ep;
    pgp_error e = {0};
    if (!wiz_endpoint_make(fm, flag, &ep, &e)) {
        wiz_status(&c->w, P_ERROR, "%s: %s", flag, e.msg);
        return;
    }
    c->testing_sig[which] = form_sig(fm);
    wiz_run(&c->w, which ? "testing the sink connection" : "testing the source connection",
            wiz_conn_test_run, wiz_conn_test_new(&ep, flag), wiz_conn_test_free);
    wiz_endpoint_wipe_free(&ep);
}

static void load_catalog(create_wiz *c)
{
    pgp_endpoint ep;
    pgp_error e = {0};
    if (!wiz_endpoint_make(&c->msrc, "source", &ep, &e)) {
        wiz_status(&c->w, P_ERROR, "source: %s", e.msg);
        return;
    }
    c->catalog_sig = form_sig(&c->msrc);
    wiz_run(&c->w, "reading the source's tables", wiz_catalog_run, wiz_catalog_new(&ep),
            wiz_catalog_free);
    wiz_endpoint_wipe_free(&ep);
}

static bool endpoint_leave(create_wiz *c, int which)
{
    form *fm = which ? &c->msink : &c->msrc;
    uint64_t sig = form_sig(fm);
    if (c->tested[which] && c->tested_sig[which] == sig)
        return true;
    /* Kubernetes runs the steps in the cluster, which may reach an
     * address this machine cannot: a second Enter goes on anyway. The
     * local engine connects from here, so there it must work. */
    if (c->failed_sig[which] == sig && kube_chosen(c))
        return true;
    test_endpoint(c, which);
    return false;
}

static bool leave(wiz *w, wiz_host *h)
{
    create_wiz *c = self(w);
    (void)h;
    switch (w->step) {
    case S_BACKEND:
        fill_templates(c);
        form_check_field(&c->mname, &c->fname[0]);
        return true;
    case S_SOURCE: return endpoint_leave(c, 0);
    case S_SINK: return endpoint_leave(c, 1);
    case S_REVIEW: {
        if (wiz_review_busy(&c->review)) { /* its job was cancelled (Esc): again */
            wiz_review_start(&c->review, w, &c->ans, c->fsteps[TF_STEPS_CDC].on);
            return false;
        }
        if (c->review.n_fail && !c->review_confirmed) {
            c->review_confirmed = true;
            wiz_status(w, P_WARN, "the precheck found %d failure%s: the task's own precheck "
                                  "step will fail too. Esc goes back to fix it; Enter again "
                                  "creates the task anyway", c->review.n_fail,
                       c->review.n_fail == 1 ? "" : "s");
            return false;
        }
        return true;
    }
    default: return true;
    }
}

static void arrive(wiz *w, wiz_host *h)
{
    create_wiz *c = self(w);
    (void)h;
    if (w->step == S_TEMPLATE)
        fill_templates(c);
    if (w->step == S_OBJECTS && (c->catalog_sig != form_sig(&c->msrc) || !c->fobj[0].n_items))
        load_catalog(c);
    if (w->step == S_REVIEW) {
        char err[512];
        c->review_confirmed = false;
        if (!collect(c, err, sizeof err)) {
            wiz_status(w, P_ERROR, "%s", err);
            return;
        }
        wiz_review_start(&c->review, w, &c->ans, c->fsteps[TF_STEPS_CDC].on);
    }
}

static void finish(wiz *w, wiz_host *h)
{
    create_wiz *c = self(w);
    wiz_review_submit(&c->review, w, &c->ans);
    (void)h;
}

static bool key(wiz *w, wiz_host *h, int ch)
{
    create_wiz *c = self(w);
    (void)h;
    if (ch == ('t' & 0x1f) && (w->step == S_SOURCE || w->step == S_SINK)) { /* Ctrl-T */
        test_endpoint(c, w->step == S_SINK);
        return true;
    }
    if (ch == ('r' & 0x1f) && w->step == S_OBJECTS) { /* Ctrl-R */
        load_catalog(c);
        return true;
    }
    /* After the frame: a form key may switch the endpoint mode or the
     * backend, which shows other fields. */
    form *f = w->forms[w->step];
    if (f && ch != '\n' && ch != '\r' && ch != KEY_ENTER && ch != 27 && ch != KEY_NPAGE &&
        ch != KEY_PPAGE && form_key(f, ch)) {
        if (w->step == S_SOURCE || w->step == S_SINK)
            wiz_endpoint_sync(f);
        if (w->step == S_BACKEND) {
            c->fb[BF_CONTEXT].hidden = c->fb[BF_NS].hidden = !kube_chosen(c);
        }
        return true;
    }
    return false;
}

static void job_news(wiz *w, wiz_host *h, void *arg)
{
    create_wiz *c = self(w);
    if (w->step == S_SOURCE || w->step == S_SINK) {
        int which = w->step == S_SINK;
        wiz_conn_test *t = arg;
        char msg[1024];
        wiz_conn_test_describe(t, msg, sizeof msg);
        form *fm = which ? &c->msink : &c->msrc;
        if (t->ok) {
            /* Keep the result (the resolved values) for the request. */
            wiz_conn_test_free(c->tested[which]);
            c->tested[which] = wiz_conn_test_clone(t);
            c->tested_sig[which] = c->testing_sig[which];
            wiz_status(w, P_OK, "%s", msg);
            /* Enter tested and moves on, unless the fields changed meanwhile. */
            if (c->testing_sig[which] == form_sig(fm))
                wiz_goto(w, h, w->step + 1);
        } else {
            c->failed_sig[which] = c->testing_sig[which];
            wiz_status(w, P_ERROR, "%s%s", msg,
                       kube_chosen(c) ? " | Enter again to go on anyway (the cluster may "
                                        "reach it when this machine cannot)" : "");
        }
        return;
    }
    if (w->step == S_OBJECTS) {
        wiz_catalog *cat = arg;
        if (!cat->ok) {
            wiz_status(w, P_ERROR, "source [%s]: %s (Ctrl-R reads again)",
                       pgp_errcode_id(cat->err.code), cat->err.msg);
            return;
        }
        wiz_catalog_fill(cat, &c->fobj[0]);
        form_check_field(&c->mobj, &c->fobj[0]);
        wiz_status(w, P_DIM, "%zu schema%s, %zu table%s on the source", cat->n_schemas,
                   cat->n_schemas == 1 ? "" : "s", cat->tables.n, cat->tables.n == 1 ? "" : "s");
        return;
    }
    if (w->step == S_REVIEW && wiz_review_news(&c->review, w, h, &c->ans, arg))
        w->close = true;
}

static void build(wiz *w, wiz_host *h, wizard_view *v, doc *text, int width)
{
    create_wiz *c = self(w);
    (void)h;
    static const char *const help[S_N] = {
        [S_BACKEND] = "Where the task runs: migtop's local engine on this machine, or the "
                      "KubeBlocks migration add-on in a Kubernetes cluster.",
        [S_NAME] = "The task's name: lower case letters, digits and '-' (a Kubernetes name). "
                   "The replication slot is named after it.",
        [S_TEMPLATE] = "The MigrationTemplate that runs the steps.",
        [S_SOURCE] = "The database to migrate from. Enter tests the connection first; "
                     "Ctrl-T tests it without moving on.",
        [S_SINK] = "The database to migrate into. Enter tests the connection first.",
        [S_OBJECTS] = "Space selects a table, or a schema with all its tables; a selects all "
                      "shown; / filters; Ctrl-R reads the source again.",
        [S_STEPS] = "The steps the task runs. init-data is always on.",
    };
    if (w->step == S_REVIEW) {
        wiz_review_build(&c->review, text, width);
        return;
    }
    if (help[w->step])
        doc_wrap(text, P_DIM, "", help[w->step], width);
    (void)v;
}

static void destroy(wiz *w)
{
    create_wiz *c = self(w);
    form *forms[] = {&c->mb, &c->mname, &c->mtmpl, &c->msrc, &c->msink, &c->mobj, &c->msteps};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        form_wipe(forms[i]);
    wiz_conn_test_free(c->tested[0]);
    wiz_conn_test_free(c->tested[1]);
    wiz_review_free(&c->review);
    wiz_answers_wipe(&c->ans);
    free(c);
}

static const char *const create_keys[] = {
    "Ctrl-T\tsource and sink steps: test the connection now",
    "Left, Right, space\tchange a choice or a toggle",
    "space\tobjects step: select a row (a schema row takes its tables)",
    "a\tobjects step: select every shown row, or none",
    "/\tobjects step: filter the rows (Enter keeps the filter, Esc clears it)",
    "Ctrl-R\tobjects step: read the source's catalog again",
    NULL};

static const wiz_ops create_ops = {
    .title = "create a migration task",
    .key = key,
    .leave = leave,
    .arrive = arrive,
    .finish = finish,
    .build = build,
    .job_news = job_news,
    .free = destroy,
    .keys = create_keys,
};

wiz *wiz_create_new(wiz_host *h)
{
    create_wiz *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->w.ops = &create_ops;
    c->w.self = c;
    c->ans.host = h;
    static const char *const names[S_N] = {"Backend", "Name",    "Template", "Source",
                                           "Sink",    "Objects", "Steps",    "Review"};
    for (int i = 0; i < S_N; i++)
        c->w.steps[i] = names[i];
    c->w.n_steps = S_N;
    /* The backends this build has; the dashboard's own comes first. */
    const char *cur = h->backend ? h->backend->ops->name : "";
    if (!strcmp(cur, "local") || !*cur)
        c->kinds[c->n_kinds++] = "local";
    c->kinds[c->n_kinds++] = "kube";
    if (strcmp(cur, "local") && *cur)
        c->kinds[c->n_kinds++] = "local";
    c->fb[BF_KIND] = (form_field){.kind = F_CHOICE, .key = "backend", .label = "Backend",
                                  .choices = c->kinds, .n_choices = c->n_kinds};
    c->fb[BF_CONTEXT] = (form_field){.kind = F_TEXT, .key = "context", .label = "Context",
                                     .hint = "(the kubeconfig's current context)"};
    c->fb[BF_NS] = (form_field){.kind = F_TEXT, .key = "namespace", .label = "Namespace",
                                .validate = ns_ok, .hint = "(the context's namespace)"};
    if (h->backend && !strcmp(cur, "kube") && h->backend->ops->default_namespace)
        snprintf(c->fb[BF_NS].value, sizeof c->fb[BF_NS].value, "%s",
                 h->backend->ops->default_namespace(h->backend));
    c->fb[BF_CONTEXT].hidden = c->fb[BF_NS].hidden = !kube_chosen(c);
    c->fname[0] = (form_field){.kind = F_TEXT, .key = "name", .label = "Task name",
                               .validate = name_ok};
    c->ftmpl[0] = (form_field){.kind = F_CHOICE, .key = "template", .label = "Template",
                               .validate = template_ok};
    wiz_endpoint_fields(c->fsrc);
    wiz_endpoint_fields(c->fsink);
    c->fobj[0] = (form_field){.kind = F_CHECKLIST, .key = "objects", .label = "Objects",
                              .validate = objects_ok};
    c->fsteps[TF_STEPS_PRECHECK] = (form_field){.kind = F_TOGGLE, .key = "precheck",
                                                .label = "precheck", .on = true};
    c->fsteps[TF_STEPS_STRUCT] = (form_field){.kind = F_TOGGLE, .key = "init-struct",
                                              .label = "init-struct", .on = true};
    c->fsteps[TF_STEPS_DATA] = (form_field){.kind = F_TOGGLE, .key = "init-data",
                                            .label = "init-data", .on = true, .locked = true};
    c->fsteps[TF_STEPS_CDC] = (form_field){.kind = F_TOGGLE, .key = "cdc", .label = "cdc",
                                           .on = true};
    /* What init-data does with sink tables that already hold rows: asked,
     * never assumed (fail is the default: such rows are not the
     * migration's, the address may be wrong). */
    static const char *const sink_tables[] = {"fail", "truncate", "append"};
    c->fsteps[TF_SINK_TABLES] = (form_field){
        .kind = F_CHOICE, .key = "sink-tables", .label = "Sink tables with rows",
        .choices = sink_tables, .n_choices = 3,
        .hint = "(fail: refuse; truncate: empty them, logged; append: keep their rows)"};
    form_init(&c->mb, c->fb, BF_N, c);
    form_init(&c->mname, c->fname, 1, c);
    form_init(&c->mtmpl, c->ftmpl, 1, c);
    form_init(&c->msrc, c->fsrc, EPF_N, c);
    form_init(&c->msink, c->fsink, EPF_N, c);
    form_init(&c->mobj, c->fobj, 1, c);
    form_init(&c->msteps, c->fsteps, TF_N, c);
    c->msrc.focus = c->msink.focus = EPF_HOST;
    c->w.forms[S_BACKEND] = &c->mb;
    c->w.forms[S_NAME] = &c->mname;
    c->w.forms[S_TEMPLATE] = &c->mtmpl;
    c->w.forms[S_SOURCE] = &c->msrc;
    c->w.forms[S_SINK] = &c->msink;
    c->w.forms[S_OBJECTS] = &c->mobj;
    c->w.forms[S_STEPS] = &c->msteps;
    fill_templates(c);
    return &c->w;
}
