/* The terminate flow (`T` on a task): the task's name typed to confirm,
 * the backend's terminate, then the source checked every two seconds
 * through pgprobe until the task's slot and publication are gone. Stuck
 * for more than a minute, it shows the slot's state, who holds it, the WAL
 * it retains and how much more the source lets it keep, and offers the
 * DROP statements, applied only after a second, explicit confirmation.
 * When even that cannot finish (the source or the sink gone for good), F
 * then y forgets a local task (engine/forget.h): stopped, what may remain
 * listed with the SQL to drop it, its directory removed. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cutover/gates.h"
#include "pgprobe/task_endpoint.h"
#include "wizards/endpoint.h"
#include "wizards/terminate_jobs.h"
#include "wizards/wizard.h"

enum { S_CONFIRM, S_CLEANUP, S_N };
enum { TF_NAME, TF_PASS, TF_N };

#define CHECK_EVERY_MS 2000
/* A minute, or $MIGTOP_TERMINATE_STUCK_S seconds (tests). */
static int64_t stuck_after_ms(void)
{
    const char *v = getenv("MIGTOP_TERMINATE_STUCK_S");
    int s = v ? atoi(v) : 0;
    return (s > 0 && s <= 3600 ? s : 60) * 1000LL;
}

typedef struct term_wiz {
    wiz w;
    char ns[FORM_VALUE_MAX], name[FORM_VALUE_MAX];
    char slot[128], publication[192];
    char src_label[600];
    /* The source as the task names it; the password from the task when
     * the backend keeps one (Kubernetes), else from the field. */
    char src_host[256], src_port[16], src_db[256], src_user[256], src_password[256];
    form_field f[TF_N];
    form fm;
    int64_t requested_ms; /* wall clock of the terminate request; 0 before */
    int64_t last_check_ms; /* monotonic */
    PGconn *conn;          /* kept between checks; lent to one job at a time */
    bool have_check;
    pgp_cleanup check;
    pgp_slot_reading slot_reading;
    bool have_slot_reading;
    char check_error[800];
    bool confirm_drop;     /* asked "apply the DROP statements?" */
    char drop_result[800];
    bool confirm_forget, forgetting, forgotten;
    char *forget_report;   /* what may remain, with its SQL (malloc'd) */
} term_wiz;

static term_wiz *self(wiz *w) { return w->self; }

static void wipe(char *s, size_t n)
{
    volatile char *p = s;
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
}

static bool name_typed(const form_field *f, void *ctx, char *err, size_t n)
{
    term_wiz *t = ctx;
    if (!strcmp(f->value, t->name))
        return true;
    snprintf(err, n, "type the task's name, %s, to confirm", t->name);
    return false;
}

/* --- jobs (wizards/terminate_jobs.h) ---------------------------------- */

static void start_forget(term_wiz *t, wiz_host *h)
{
    forget_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->b = h->backend;
    snprintf(p->ns, sizeof p->ns, "%s", t->ns);
    snprintf(p->name, sizeof p->name, "%s", t->name);
    wiz_job_release(t->w.job); /* a periodic check: not needed any more */
    t->w.job = NULL;
    t->forgetting = true;
    wiz_run(&t->w, "forgetting the task", forget_run, p, forget_free);
    t->w.job_firm = true;
}

static void start_check(term_wiz *t, const char *drop_sql)
{
    check_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    char ci[2048];
    snprintf(ci, sizeof ci, "host='%s' port='%s' dbname='%s' user='%s'", t->src_host,
             t->src_port, t->src_db, t->src_user);
    pgp_error e = {0};
    if (!pgp_endpoint_parse(&p->ep, "source", ci, &e)) {
        snprintf(t->check_error, sizeof t->check_error, "source: %s", e.msg);
        free(p);
        return;
    }
    const char *pw = t->src_password[0] ? t->src_password : t->f[TF_PASS].value;
    if (pw[0])
        pgp_endpoint_set(&p->ep, "password", pw);
    p->conn = t->conn; /* lent; comes back in job_news (or is closed with the job) */
    t->conn = NULL;
    snprintf(p->task, sizeof p->task, "%s", t->name);
    snprintf(p->slot, sizeof p->slot, "%s", t->slot);
    p->drop_sql = drop_sql ? strdup(drop_sql) : NULL;
    t->last_check_ms = fmt_mono_ms();
    if (drop_sql) {
        wiz_run(&t->w, "dropping the slot and publication", check_run, p, check_free);
        t->w.job_firm = true;
    } else { /* the periodic check: Esc still leaves at once, the message stays */
        wiz_run_quiet(&t->w, "checking the source", check_run, p, check_free);
    }
}

/* --- the flow ----------------------------------------------------------- */

static bool leave(wiz *w, wiz_host *h)
{
    term_wiz *t = self(w);
    if (w->step == S_CONFIRM) {
        if (!h->backend) {
            wiz_status(w, P_ERROR, "terminating needs a backend (Kubernetes or local); a "
                                   "saved snapshot has none");
            return false;
        }
        terminate_job *p = calloc(1, sizeof *p);
        if (!p)
            abort();
        p->b = h->backend;
        snprintf(p->ns, sizeof p->ns, "%s", t->ns);
        snprintf(p->name, sizeof p->name, "%s", t->name);
        wiz_run(w, "terminating", terminate_run, p, free);
        w->job_firm = true;
        return false; /* moves on when the backend said yes */
    }
    return true;
}

static void finish(wiz *w, wiz_host *h)
{
    term_wiz *t = self(w);
    (void)h;
    if (t->have_check && t->check.clean) {
        w->close = true;
        w->then_list = true; /* the task is gone or going: its detail would be empty */
    }
    else
        wiz_status(w, P_WARN, "the source is not clean yet; Esc leaves this check (the "
                              "task's own cleanup goes on)");
}

/* F: the way out of a cleanup that cannot finish (local tasks). */
/* The answer to the question on screen: only y confirms; any other key
 * cancels, and says so. */
static bool answer_key(term_wiz *t, wiz_host *h, int ch)
{
    wiz *w = &t->w;
    wiz_ask_done(w);
    bool drop = t->confirm_drop;
    t->confirm_drop = t->confirm_forget = false;
    if (ch != 'y') {
        wiz_status(w, P_WARN, "%s: only y %s", drop ? "nothing dropped" : "not forgotten",
                   drop ? "applies the statements" : "forgets the task");
        return true;
    }
    if (drop)
        start_check(t, t->check.statements);
    else
        start_forget(t, h);
    return true;
}

/* F: the way out of a cleanup that cannot finish (local tasks). */
static bool forget_key(term_wiz *t, wiz_host *h)
{
    wiz *w = &t->w;
    if (!h->backend || !h->backend->ops->forget) {
        wiz_status(w, P_WARN, "the %s backend cannot forget a task: the add-on owns its "
                              "cleanup", h->backend ? h->backend->ops->name : "?");
        return true;
    }
    t->confirm_forget = true;
    wiz_ask(w, "Forget %s? Its supervisor and runner are stopped and its directory removed; "
               "what may remain is listed with the SQL to drop it. y forgets; any other key "
               "cancels.", t->name);
    return true;
}

static bool key(wiz *w, wiz_host *h, int ch)
{
    term_wiz *t = self(w);
    if (w->step != S_CLEANUP)
        return false;
    if (w->prompt[0])
        return answer_key(t, h, ch);
    if (ch == 27 && (!wiz_busy(w) || w->job_quiet)) { /* no way back to a terminate sent */
        w->close = true;
        return true;
    }
    bool late = t->requested_ms && fmt_now_ms() - t->requested_ms > stuck_after_ms();
    /* A periodic check may be out: it is let go (its connection too) for the drop. */
    bool free_hands = !wiz_busy(w) || w->job_quiet;
    if (ch == 'F' && late && !t->forgetting && !t->forgotten &&
        !(t->have_check && t->check.clean))
        return forget_key(t, h);
    if (ch == 'D' && late && free_hands && t->have_check && !t->check.clean) {
        t->confirm_drop = true;
        wiz_ask(w, "Apply the statements shown on the source? y applies them; any other key "
                   "cancels.");
        return true;
    }
    return false;
}

static void job_news(wiz *w, wiz_host *h, void *arg)
{
    term_wiz *t = self(w);
    if (w->step == S_CONFIRM) {
        terminate_job *p = arg;
        if (!p->ok) {
            wiz_status(w, P_ERROR, "terminate failed: %s", p->err);
            return;
        }
        t->requested_ms = fmt_now_ms();
        wiz_status(w, P_DIM, "terminate requested");
        wiz_goto(w, h, S_CLEANUP);
        start_check(t, NULL);
        return;
    }
    if (t->forgetting) {
        forget_job *f = arg;
        t->forgetting = false;
        if (!f->ok) {
            wiz_status(w, P_ERROR, "forget failed: %s", f->err);
            return;
        }
        t->forgotten = true;
        free(t->forget_report);
        t->forget_report = strdup(strbuf_str(&f->report));
        wiz_status(w, P_OK, "%s forgotten; drop what remains by hand (listed). Enter closes",
                   t->name);
        return;
    }
    check_job *p = arg;
    t->conn = p->conn; /* back to the wizard for the next check */
    p->conn = NULL;
    if (p->drop_sql) {
        snprintf(t->drop_result, sizeof t->drop_result, "%s",
                 p->dropped ? "the DROP statements were applied" : p->drop_err);
    }
    if (!p->ok) {
        snprintf(t->check_error, sizeof t->check_error, "source [%s]: %s%s%s",
                 pgp_errcode_id(p->err.code), p->err.msg,
                 pgp_errcode_hint(p->err.code)[0] ? " | fix: " : "",
                 pgp_errcode_hint(p->err.code));
        return;
    }
    t->check_error[0] = '\0';
    if (t->have_check)
        pgp_cleanup_free(&t->check);
    t->check = p->check; /* taken over */
    p->ok = false;
    t->have_check = true;
    t->slot_reading = p->slot_reading;
    t->have_slot_reading = p->have_slot;
    if (t->check.clean)
        wiz_status(w, P_OK, "clean: slot %s and publication %s are gone from the source. "
                            "Enter closes", t->slot, t->publication);
}

static void tick(term_wiz *t)
{
    if (t->w.step != S_CLEANUP || wiz_busy(&t->w) || (t->have_check && t->check.clean) ||
        t->forgotten)
        return;
    if (fmt_mono_ms() - t->last_check_ms >= CHECK_EVERY_MS)
        start_check(t, NULL);
}

static void put_kv(doc *d, const char *k, pane_role r, const char *v)
{
    doc_line *l = doc_add(d);
    doc_putf(d, l, P_DIM, "%-14s", k);
    doc_put(d, l, r, v);
}

static const mt_task *task_now(const wiz_host *h, const term_wiz *t)
{
    return h->snap ? mt_snapshot_task(h->snap, t->ns[0] ? t->ns : NULL, t->name) : NULL;
}

/* What forgetting the task left, line by line. */
static void put_report(doc *d, const char *report, int width)
{
    doc_blank(d);
    doc_section(d, "Forgotten: what may remain", width);
    for (const char *s = report; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        doc_wrap(d, P_KEY, "", arena_strndup(d->a, s, len), width);
        s += len + (nl ? 1 : 0);
    }
}

static void build_cleanup(term_wiz *t, wiz_host *h, doc *d, int width)
{
    arena *ar = d->a;
    const mt_task *task = task_now(h, t);
    char ago[32];
    fmt_duration_ms(fmt_now_ms() - t->requested_ms, ago, sizeof ago);
    put_kv(d, "requested", P_NORMAL, arena_printf(ar, "%s ago", ago));
    put_kv(d, "task", task ? P_WARN : P_OK,
           task ? arena_printf(ar, "%s%s", task->meta.deleted ? "Terminating" : "",
                               task->meta.deleted ? ""
                                                  : (task->task_status ? task->task_status : "?"))
                : "gone from the backend");
    if (t->check_error[0])
        doc_wrap(d, P_ERROR, "source check: ", t->check_error, width);
    if (task && task->meta.deleted) {
        const char *why = mt_meta_annotation(&task->meta, "migtop.io/terminating-reason");
        if (why)
            doc_wrap(d, P_NORMAL, "cleanup: ", why, width);
    }
    if (t->forget_report) {
        put_report(d, t->forget_report, width);
        return;
    }
    bool stuck = fmt_now_ms() - t->requested_ms > stuck_after_ms();
    if (!t->have_check) {
        doc_text(d, P_DIM, "checking the source...");
        if (stuck && h->backend && h->backend->ops->forget)
            doc_wrap(d, P_KEY, "", "The cleanup cannot finish while a server cannot be "
                                   "reached. If it is gone for good, F then y forgets the "
                                   "task and lists what to drop by hand.", width);
        return;
    }
    const pgp_cleanup *c = &t->check;
    put_kv(d, "slot", c->slot_exists ? P_WARN : P_OK,
           !c->slot_exists ? arena_printf(ar, "%s gone", c->slot)
           : c->slot_active ? arena_printf(ar, "%s active, held by pid %d (%s %s %s)", c->slot,
                                           c->holder_pid, c->holder_application,
                                           c->holder_user, c->holder_client_addr)
                            : arena_printf(ar, "%s present, inactive", c->slot));
    put_kv(d, "publication", c->publication_exists ? P_WARN : P_OK,
           arena_printf(ar, "%s %s", c->publication, c->publication_exists ? "present" : "gone"));
    if (c->slot_exists && t->have_slot_reading && t->slot_reading.exists) {
        const pgp_slot_reading *s = &t->slot_reading;
        char kept[32], left[32];
        fmt_bytes((uint64_t)(s->retained_bytes > 0 ? s->retained_bytes : 0), kept, sizeof kept);
        put_kv(d, "retained WAL", P_WARN, arena_printf(ar, "%s (wal_status %s)", kept,
                                                       s->wal_status[0] ? s->wal_status : "?"));
        if (s->has_safe_wal_size) {
            fmt_bytes((uint64_t)(s->safe_wal_size > 0 ? s->safe_wal_size : 0), left, sizeof left);
            put_kv(d, "headroom", P_NORMAL,
                   arena_printf(ar, "%s more before max_slot_wal_keep_size drops the slot", left));
        } else {
            put_kv(d, "headroom", P_WARN, "none: max_slot_wal_keep_size = -1, WAL is kept "
                                          "until the disk is full");
        }
    }
    if (t->drop_result[0])
        doc_wrap(d, P_KEY, "drop: ", t->drop_result, width);
    if (stuck && !c->clean && c->statements && c->statements[0]) {
        doc_blank(d);
        doc_section(d, arena_printf(ar, "Stuck for more than %lld s",
                                    (long long)(stuck_after_ms() / 1000)), width);
        doc_wrap(d, P_NORMAL, "", "The task's cleanup has not removed these. If nothing "
                                  "else uses them, drop them on the source (D, then y to "
                                  "confirm); if a server is gone for good, F then y forgets "
                                  "the task:", width);
        const char *s = c->statements;
        while (*s) {
            const char *nl = strchr(s, '\n');
            size_t len = nl ? (size_t)(nl - s) : strlen(s);
            doc_text(d, P_KEY, arena_printf(ar, "  %.*s", (int)len, s));
            s += len + (nl ? 1 : 0);
        }
    }
}

static void build(wiz *w, wiz_host *h, wizard_view *v, doc *d, int width)
{
    term_wiz *t = self(w);
    (void)v;
    tick(t);
    if (w->step == S_CLEANUP) {
        build_cleanup(t, h, d, width);
        return;
    }
    const mt_task *task = task_now(h, t);
    arena *ar = d->a;
    put_kv(d, "task", P_HIGHLIGHT, arena_printf(ar, "%s%s%s", t->ns, t->ns[0] ? "/" : "",
                                                t->name));
    put_kv(d, "status", P_NORMAL, task && task->task_status ? task->task_status : "?");
    put_kv(d, "source", P_NORMAL, t->src_label);
    put_kv(d, "slot", P_NORMAL, t->slot);
    put_kv(d, "publication", P_NORMAL, t->publication);
    doc_blank(d);
    doc_wrap(d, P_DIM, "", "Terminating stops CDC, drops the slot and the publication on "
                           "the source, and deletes the task. Then the source is checked "
                           "until both are gone.", width);
}

static void destroy(wiz *w)
{
    term_wiz *t = self(w);
    form_wipe(&t->fm);
    wipe(t->src_password, sizeof t->src_password);
    if (t->conn)
        PQfinish(t->conn);
    if (t->have_check)
        pgp_cleanup_free(&t->check);
    free(t->forget_report);
    free(t);
}

static const char *const term_keys[] = {
    "D\twhen the cleanup is stuck: drop the slot and publication by hand (asks first)",
    "F\twhen the cleanup is stuck: forget the task, printing what to drop",
    "Esc\tafter the terminate is sent: close (the cleanup goes on)",
    NULL};

static const wiz_ops term_ops = {
    .title = "terminate a migration task",
    .key = key,
    .leave = leave,
    .finish = finish,
    .build = build,
    .job_news = job_news,
    .free = destroy,
    .keys = term_keys,
};

/* A local task's source password, from the task's own pgpass, read now:
 * the dashboard never asks for what the engine holds, and the check after
 * the terminate still has it once the task's directory is gone. */
static void local_password(term_wiz *t, wiz_host *h, const mt_task *task)
{
    if (!h->backend || strcmp(h->backend->ops->name, "local") || t->src_password[0])
        return;
    pgp_endpoint src = {0}, sink = {0};
    char dir[4200], err[600];
    const char *scope = h->backend->ops->scope ? h->backend->ops->scope(h->backend) : NULL;
    if (!cut_endpoints("local", scope, task, &src, &sink, dir, sizeof dir, err, sizeof err))
        return;
    arena a;
    arena_init(&a);
    const char *pw = pgp_pgpass_lookup(&a, pgp_endpoint_get(&src, "passfile"), t->src_host,
                                       t->src_port, t->src_db, t->src_user);
    if (pw)
        snprintf(t->src_password, sizeof t->src_password, "%s", pw);
    if (pw)
        memset((char *)pw, 0, strlen(pw));
    arena_free(&a);
    wiz_endpoint_wipe_free(&src);
    wiz_endpoint_wipe_free(&sink);
}

/* "host:port" or "[v6]:port" into its parts. */
static void split_address(const char *addr, char *host, size_t hn, char *port, size_t pn)
{
    const char *colon = addr[0] == '[' ? strstr(addr, "]:") : strrchr(addr, ':');
    if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        snprintf(host, hn, "%.*s", end ? (int)(end - addr - 1) : (int)strlen(addr + 1), addr + 1);
        snprintf(port, pn, "%s", colon ? colon + 2 : "5432");
        return;
    }
    snprintf(host, hn, "%.*s", colon ? (int)(colon - addr) : (int)strlen(addr), addr);
    snprintf(port, pn, "%s", colon ? colon + 1 : "5432");
}

wiz *wiz_terminate_new(wiz_host *h, const char *ns, const char *name)
{
    const mt_task *task = h->snap ? mt_snapshot_task(h->snap, ns && *ns ? ns : NULL, name) : NULL;
    if (!task) {
        wiz_say(h, true, "task %s is not in the latest data", name);
        return NULL;
    }
    term_wiz *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->w.ops = &term_ops;
    t->w.self = t;
    t->w.steps[S_CONFIRM] = "Confirm";
    t->w.steps[S_CLEANUP] = "Cleanup";
    t->w.n_steps = S_N;
    snprintf(t->ns, sizeof t->ns, "%s", task->meta.namespace_);
    snprintf(t->name, sizeof t->name, "%s", task->meta.name);
    snprintf(t->w.about_ns, sizeof t->w.about_ns, "%s", t->ns);
    snprintf(t->w.about_task, sizeof t->w.about_task, "%s", t->name);
    arena ar;
    arena_init(&ar);
    snprintf(t->slot, sizeof t->slot, "%s", mt_slot_name(&ar, t->name));
    snprintf(t->publication, sizeof t->publication, "%s", mt_publication_name(&ar, t->name));
    snprintf(t->src_label, sizeof t->src_label, "%s", mt_endpoint_masked(&ar, &task->source));
    arena_free(&ar);
    const mt_endpoint *s = &task->source;
    split_address(s->address ? s->address : "", t->src_host, sizeof t->src_host, t->src_port,
                  sizeof t->src_port);
    snprintf(t->src_db, sizeof t->src_db, "%s", s->database ? s->database : "");
    snprintf(t->src_user, sizeof t->src_user, "%s", s->user ? s->user : "");
    snprintf(t->src_password, sizeof t->src_password, "%s", s->password ? s->password : "");
    local_password(t, h, task);
    t->f[TF_NAME] = (form_field){.kind = F_TEXT, .key = "name", .label = "Type the name",
                                .validate = name_typed};
    t->f[TF_PASS] = (form_field){.kind = F_PASSWORD, .key = "password",
                                    .label = "Password", .hidden = t->src_password[0] != 0,
                                    .hint = "(the source's, to check the slot; empty: ~/.pgpass)"};
    form_init(&t->fm, t->f, TF_N, t);
    t->w.forms[S_CONFIRM] = &t->fm;
    return &t->w;
}
