/* The cutover wizard (`x` on a task): the seven gates of DESIGN.md one
 * page each, with live readings (cutover/gates.h). A gate that fails
 * cannot be passed unless the operator types a reason (o), which is
 * recorded. Gate 4's countdown restarts whenever the lag or the writes
 * fail their bound. Gate 5 previews the setval plan and applies it (A);
 * gate 6 validates (sampled; F for full). Gate 7 records the switch. Abort
 * (Q, or Esc at the first gate) says what it undid. Either way the report
 * (Markdown + JSON) is saved beside the task and its path shown. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "panes/spark.h"
#include "wizards/cutover_jobs.h"
#include "wizards/cutover_state.h"
#include "wizards/endpoint.h"


static cut_wiz *self(wiz *w) { return w->self; }
static cut_gate *gate(cut_wiz *c) { return &c->log.gates[c->w.step]; }

/* --- gates ------------------------------------------------------------------ */

static void evaluate(cut_wiz *c, wiz_host *h)
{
    cut_gate *g = gate(c);
    if (g->decided_ms)
        return;
    cut_state before = g->state;
    switch ((cut_gate_id)c->w.step) {
    case CG_HEALTHY: {
        const mt_task *t = h->snap ? mt_snapshot_task(h->snap, c->ns[0] ? c->ns : NULL, c->name)
                                   : NULL;
        cut_gate_healthy(h->snap, t, fmt_now_ms(), g);
        break;
    }
    case CG_LAG:
        if (c->sampler)
            cut_gate_lag(c->sampler, c->lag_s, g);
        break;
    case CG_WRITES:
        if (c->sampler)
            cut_gate_writes(c->sampler, g);
        break;
    case CG_STABLE:
        if (c->sampler) {
            int restarts = c->st.restarts;
            cut_gate_stable(&c->st, c->sampler, c->lag_s, c->need_s, fmt_mono_ms(), g);
            if (c->st.restarts != restarts)
                cut_log_event(&c->log, "gate 4: countdown restarted: %s", c->st.last_break);
        }
        break;
    default:
        break;
    }
    if (before != CGS_FAIL && g->state == CGS_FAIL)
        cut_log_event(&c->log, "gate %d fails: %.200s", c->w.step + 1, g->reading);
}

static void save_report(cut_wiz *c, wiz_host *h, const char *outcome)
{
    snprintf(c->log.outcome, sizeof c->log.outcome, "%s", outcome);
    c->log.ended_ms = fmt_now_ms();
    char err[600];
    if (cut_log_save(&c->log, c->report_dir, c->report_path, sizeof c->report_path, err,
                     sizeof err))
        c->saved = true;
    else
        wiz_say(h, true, "the cutover report could not be saved: %s", err);
}

static void abort_cutover(cut_wiz *c, wiz_host *h)
{
    if (c->done) { /* after the switch nothing is undone */
        wiz_status(&c->w, P_DIM, "the cutover is done (switched to the sink): Enter closes");
        return;
    }
    if (c->paused) { /* the writes resumed first; the abort completes when they are */
        if (!wiz_busy(&c->w) || c->job == J_SAMPLE) {
            wiz_job_release(c->w.job); /* a sample: not needed any more */
            c->w.job = NULL;
            if (c->job == J_SAMPLE)
                c->job = J_NONE;
            cut_log_event(&c->log, "abort: resuming the writes on the source");
            c->resumed_by_abort = true;
            cutw_start_pause(c, PJ_RESUME);
        } else {
            wiz_status(&c->w, P_WARN, "%s first (Esc cancels it), then Q resumes the writes and "
                                      "aborts", c->w.job_label);
        }
        return;
    }
    cut_log_event(&c->log, "aborted at gate %d", c->w.step + 1);
    /* Sequences set on the sink stay set (moving them back could only
     * create duplicate keys). Said first, short: 80 columns show it whole. */
    const char *undo = c->resumed_by_abort ? "writes resumed on the source"
                       : c->seq_applied    ? "nothing to undo (sink sequences stay set)"
                                           : "nothing to undo";
    char outcome[256];
    snprintf(outcome, sizeof outcome, "aborted at gate %d, %s", c->w.step + 1, undo);
    save_report(c, h, outcome);
    wiz_say(h, false, "cutover %s; report %s", outcome, c->saved ? c->report_path : "not saved");
    c->w.close = true;
}

/* --- the wizard's hooks -------------------------------------------------------- */

static void open_reason(cut_wiz *c, bool open)
{
    c->reason_open = open;
    c->freason[0].hidden = !open;
    if (open)
        c->fm.focus = 0;
    c->w.forms[c->w.step] = open ? &c->fm : NULL;
}

static void arrive(wiz *w, wiz_host *h)
{
    cut_wiz *c = self(w);
    open_reason(c, false);
    cut_gate *g = gate(c);
    if (g->state != CGS_OVERRIDE) { /* a gate arrived at again is read again */
        g->decided_ms = 0;
        g->state = CGS_WAIT;
    }
    if (w->step == CG_STABLE)
        memset(&c->st, 0, sizeof c->st);
    if (w->step == CG_SEQUENCES && g->state != CGS_OVERRIDE)
        cutw_start_pg_job(c, J_SEQ, false);
    if (w->step == CG_VALIDATE && g->state != CGS_OVERRIDE)
        cutw_start_pg_job(c, J_VAL, false);
    evaluate(c, h);
}

/* Closing says where the report is, on the dashboard's status line. */
static void close_done(cut_wiz *c, wiz_host *h)
{
    if (c->saved)
        wiz_say(h, false, "cutover done; report %s", c->report_path);
    c->w.close = true;
}

static bool leave(wiz *w, wiz_host *h)
{
    cut_wiz *c = self(w);
    cut_gate *g = gate(c);
    if (w->step == CG_SWITCH) {
        if (c->done) {
            close_done(c, h);
            return false;
        }
        c->asking_switch = true;
        wiz_ask(w, "Has the application been switched to the sink? y records the switch; it "
                   "is final: nothing in this wizard undoes the pause of the source after it. "
                   "Any other key cancels.");
        return false;
    }
    if (g->state == CGS_PASS || g->state == CGS_OVERRIDE) {
        if (g->state == CGS_PASS) {
            g->decided_ms = fmt_now_ms();
            cut_log_event(&c->log, "gate %d passed: %.200s", w->step + 1, g->reading);
        }
        return true;
    }
    if (c->reason_open) {
        const char *r = c->freason[0].value;
        while (*r == ' ')
            r++;
        if (!*r) {
            wiz_status(w, P_ERROR, "an override needs a reason");
            return false;
        }
        snprintf(g->reason, sizeof g->reason, "%.*s", (int)sizeof g->reason - 1, r);
        g->state = CGS_OVERRIDE;
        g->decided_ms = fmt_now_ms();
        cut_log_event(&c->log, "gate %d overridden (it read: %.120s); reason: %s", w->step + 1,
                      g->reading, g->reason);
        form_set_text(&c->fm, &c->freason[0], "");
        return true;
    }
    wiz_status(w, P_ERROR, "gate %d does not pass: %s. o overrides it with a typed reason",
               w->step + 1, g->todo[0] ? g->todo : "wait for its reading");
    return false;
}

/* Gate 7 confirmed: recorded, the pause record marked (a later resume must
 * be asked for knowingly), the report saved, and the run over. */
static void switched(cut_wiz *c, wiz_host *h)
{
    cut_gate *g = &c->log.gates[CG_SWITCH];
    g->state = CGS_PASS;
    g->decided_ms = fmt_now_ms();
    snprintf(g->reading, sizeof g->reading, "the operator switched the application to the sink");
    cut_log_event(&c->log, "gate 7: switched to the sink");
    char when[64], outcome[256], err[600];
    time_t s = (time_t)(g->decided_ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    if (c->paused) {
        c->pause.switched_ms = g->decided_ms;
        if (!cut_pause_save(c->report_dir, c->name, &c->pause, err, sizeof err))
            cut_log_event(&c->log, "the pause record could not be kept: %s", err);
    }
    snprintf(outcome, sizeof outcome, "switched to the sink at %s%s", when,
             c->paused ? "; the source stays read-only" : "");
    save_report(c, h, outcome);
    c->done = true;
    wiz_status(&c->w, P_OK, "cutover done. Enter, Esc or q closes");
}

/* After the switch: a summary, and every key but the closing ones says so. */
static bool done_key(cut_wiz *c, wiz_host *h, int ch)
{
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER || ch == 27 || ch == 'q')
        close_done(c, h);
    else
        wiz_status(&c->w, P_DIM, "the cutover is done and recorded; nothing here undoes it. "
                                 "Enter, Esc or q closes");
    return true;
}

/* The answer to the question on screen: only the key it names confirms. */
static bool answer_key(cut_wiz *c, wiz_host *h, int ch)
{
    bool yes = ch == 'y';
    wiz_ask_done(&c->w);
    if (c->asking_pause) {
        c->asking_pause = false;
        if (!yes) {
            wiz_status(&c->w, P_WARN, "not paused: only y pauses the writes");
            return true;
        }
        cut_log_event(&c->log, "gate 3: pausing the writes (the operator confirmed %zu "
                      "session(s) to end)", c->writers.n + c->writers.n_more);
        cutw_start_pause(c, PJ_PAUSE);
        return true;
    }
    c->asking_switch = false;
    if (!yes) {
        wiz_status(&c->w, P_WARN, "not recorded: only y records the switch");
        return true;
    }
    switched(c, h);
    return true;
}

static void finish(wiz *w, wiz_host *h)
{
    cut_wiz *c = self(w);
    wiz_say(h, false, "cutover report: %s", c->report_path);
    w->close = true;
}

/* Gate 6's keys: validate again (v, F every row), copy the large objects
 * the last validation found changed again (L), refresh the sink's
 * materialized views (M). */
static bool validate_key(cut_wiz *c, int ch)
{
    wiz *w = &c->w;
    if (ch == 'L') {
        if (!c->n_lobs) {
            wiz_status(w, P_DIM, "the last validation found no large object to copy again");
            return true;
        }
        cut_log_event(&c->log, "gate 6: copying %zu large object%s again", c->n_lobs,
                      c->n_lobs == 1 ? "" : "s");
        cutw_start_repair(c, false);
        return true;
    }
    if (ch == 'M') {
        cut_log_event(&c->log, "gate 6: refreshing the materialized views on the sink");
        cutw_start_repair(c, true);
        return true;
    }
    if (ch == 'v' || ch == 'F') {
        cut_log_event(&c->log, "gate 6: %s validation", ch == 'F' ? "full" : "sampled");
        cutw_start_pg_job(c, J_VAL, ch == 'F');
        return true;
    }
    return false;
}

static bool key(wiz *w, wiz_host *h, int ch)
{
    cut_wiz *c = self(w);
    if (c->reason_open) {
        if (ch == 27) {
            open_reason(c, false);
            wiz_status(w, P_DIM, "no override");
            return true;
        }
        return false; /* typed into the reason; Enter goes to leave() */
    }
    if (c->done)
        return done_key(c, h, ch);
    if (w->prompt[0])
        return answer_key(c, h, ch);
    if (ch == 27 && w->step == 0) {
        abort_cutover(c, h);
        return true;
    }
    if (ch == 'E' && w->step == CG_WRITES && (!wiz_busy(w) || c->job == J_SAMPLE)) {
        if (c->paused) {
            wiz_status(w, P_DIM, "the writes are paused already (since the pause above)");
            return true;
        }
        cutw_start_pause(c, PJ_LIST);
        return true;
    }
    if (ch == 'Q') {
        abort_cutover(c, h);
        return true;
    }
    cut_gate *g = gate(c);
    if (ch == 'o' && w->step != CG_SWITCH && g->state != CGS_PASS && g->state != CGS_OVERRIDE) {
        open_reason(c, true);
        wiz_status(w, P_WARN, "gate %d fails: type why it may be passed anyway, then Enter "
                              "(recorded in the report); Esc cancels", w->step + 1);
        return true;
    }
    if (wiz_busy(w) && c->job != J_SAMPLE)
        return false;
    if (ch == 'A' && w->step == CG_SEQUENCES) {
        cut_log_event(&c->log, "gate 5: setval plan applied on the sink");
        cutw_start_pg_job(c, J_SEQ, true);
        c->seq_applied = true;
        return true;
    }
    if (w->step == CG_VALIDATE)
        return validate_key(c, ch);
    return false;
}

static void job_news(wiz *w, wiz_host *h, void *arg)
{
    cut_wiz *c = self(w);
    bool sample = c->job == J_SAMPLE;
    cut_news next = cutw_job_news(c, arg);
    if (next == CUT_NEWS_ABORT)
        abort_cutover(c, h); /* the abort that asked for the undo */
    if (!sample)
        return;
    evaluate(c, h);
    /* What was asked for while the reading was out. */
    cut_job pending = c->pending;
    c->pending = J_NONE;
    if (pending == J_PAUSE)
        cutw_start_pause(c, (pause_what)c->pending_flag);
    else if (pending == J_LOBS || pending == J_MATVIEWS)
        cutw_start_repair(c, pending == J_MATVIEWS);
    else if (pending != J_NONE)
        cutw_start_pg_job(c, pending, c->pending_flag != 0);
}

static void put_lines(doc *d, pane_role r, const char *lead, const char *text, int width)
{
    const char *pad = arena_printf(d->a, "%*s", (int)strlen(lead), "");
    for (bool first = true; *text; first = false) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        doc_wrap(d, r, first ? lead : pad, arena_strndup(d->a, text, len), width);
        text += len + (nl ? 1 : 0);
    }
}

/* Gate 3: the sessions the pause would end, or the pause in force. */
static void build_pause(cut_wiz *c, doc *d, int width)
{
    if (c->paused) {
        char when[40];
        time_t t = (time_t)(c->pause.paused_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%H:%M:%S UTC", &tm);
        put_lines(d, P_OK, "  paused: ", arena_printf(d->a, "database %s read-only for new "
                  "sessions since %s (its own setting was %s), %d session(s) ended",
                  c->pause.db, when, c->pause.previous, c->pause.ended), width);
    } else if (c->have_writers) {
        doc_blank(d);
        put_lines(d, P_NORMAL, "  ", c->writers_text, width);
    }
}

/* The run is over: what happened and where it is written, whole. */
static void build_done(cut_wiz *c, doc *d, int width)
{
    doc_line *l = doc_add(d);
    doc_put(d, l, P_OK, "Cutover done");
    put_lines(d, P_NORMAL, "  ", c->log.outcome, width);
    if (c->paused)
        put_lines(d, P_NORMAL, "  ", arena_printf(d->a, "The source database %s stays read-only "
                  "for new sessions. Writing there again would not reach the sink; if it must, "
                  "migtop cutover %s --resume-writes --after-switch says what that means.",
                  c->pause.db, c->name), width);
    doc_blank(d);
    put_lines(d, P_NORMAL, "  report: ", c->saved ? c->report_path : "not saved", width);
    if (c->saved)
        put_lines(d, P_NORMAL, "  and: ", arena_printf(d->a, "%.*s.json, %.*s.html (charts)",
                  (int)(strlen(c->report_path) - 3), c->report_path,
                  (int)(strlen(c->report_path) - 3), c->report_path), width);
    doc_blank(d);
    doc_wrap(d, P_DIM, "", "Enter, Esc or q closes. Nothing in this wizard undoes the cutover "
                           "now.", width);
}

/* Gates 2 and 4: the lag of the last minute's readings, one a second. */
static void build_lag_trend(const cut_wiz *c, doc *d)
{
    float lag[CUT_LAG_HISTORY];
    int n = cut_sampler_lags(c->sampler, lag);
    if (n < 2)
        return;
    float max = spark_max(lag, n, 1.0f);
    doc_line *l = doc_add(d);
    doc_put(d, l, P_DIM, "  lag, last minute  ");
    doc_put(d, l, P_HIGHLIGHT, spark_line(d->a, lag, n, max));
    doc_putf(d, l, P_DIM, "  max %.1f s", max);
}

static void build(wiz *w, wiz_host *h, wizard_view *v, doc *d, int width)
{
    cut_wiz *c = self(w);
    (void)v;
    if ((w->step == CG_LAG || w->step == CG_WRITES || w->step == CG_STABLE) &&
        fmt_mono_ms() - c->last_sample_ms >= 1000)
        cutw_sample_now(c);
    if (w->step == CG_HEALTHY)
        evaluate(c, h);
    if (c->done) {
        build_done(c, d, width);
        return;
    }
    /* Every gate at a glance, then the current one in full. */
    doc_line *l = doc_add(d);
    for (int i = 0; i < CG_N; i++) {
        cut_state s = c->log.gates[i].state;
        doc_putf(d, l, i == w->step ? P_HIGHLIGHT : s == CGS_PASS ? P_OK
                                              : s == CGS_FAIL   ? P_ERROR
                                              : s == CGS_OVERRIDE ? P_WARN : P_DIM,
                 "%d %s  ", i + 1, cut_state_name(s));
    }
    doc_blank(d);
    cut_gate *g = gate(c);
    l = doc_add(d);
    doc_putf(d, l, P_HEADER, "Gate %d: %s  ", w->step + 1, cut_gate_titles[w->step]);
    doc_put(d, l, g->state == CGS_PASS ? P_OK : g->state == CGS_FAIL ? P_ERROR : P_WARN,
            g->state == CGS_WAIT ? "reading..." : cut_state_name(g->state));
    if (g->reading[0])
        put_lines(d, P_NORMAL, "  ", g->reading, width);
    if (g->state == CGS_FAIL && g->todo[0])
        put_lines(d, P_KEY, "  to do: ", g->todo, width);
    if (g->state == CGS_OVERRIDE)
        put_lines(d, P_WARN, "  overridden: ", g->reason, width);
    if (w->step == CG_WRITES)
        build_pause(c, d, width);
    if ((w->step == CG_LAG || w->step == CG_STABLE) && c->sampler)
        build_lag_trend(c, d);
    static const char *const help[CG_N] = {
        [CG_HEALTHY] = "Every initialization step Complete and CDC Running.",
        [CG_LAG] = "The lag stays near zero while the business still writes, and the slot's "
                   "position advances.",
        [CG_WRITES] = "Pause the business writes now. The source's writes are read every "
                      "second; the gate passes when they stopped. E pauses them on the source: "
                      "lists the sessions that can write, then (y) makes the database "
                      "read-only and ends them; undone on an abort, kept after the switch.",
        [CG_STABLE] = "The lag at zero and no writes, held for the whole countdown.",
        [CG_SEQUENCES] = "CDC does not carry sequences: their values are set on the sink. A "
                         "applies the plan; it is then re-read and compared.",
        [CG_VALIDATE] = "Row counts and checksums by key range on both sides, and the large "
                        "objects one by one. v validates samples again, F every row; L copies "
                        "changed large objects again; M refreshes the sink's materialized "
                        "views.",
        [CG_SWITCH] = "Switch the application to the sink now, then press Enter and confirm "
                      "(y): the time is recorded, the report saved, and the run is over.",
    };
    doc_blank(d);
    doc_wrap(d, P_DIM, "", help[w->step], width);
    doc_wrap(d, P_DIM, "", "Enter: next gate when it passes | o: override with a reason | "
                           "Esc: previous gate | Q: abort", width);
}

static void destroy(wiz *w)
{
    cut_wiz *c = self(w);
    if (c->sampler) {
        cut_sampler_free(c->sampler);
        free(c->sampler);
    }
    if (c->have_eps) {
        wiz_endpoint_wipe_free(&c->src);
        wiz_endpoint_wipe_free(&c->sink);
    }
    form_wipe(&c->fm);
    arena_free(&c->ar);
    free(c->lobs);
    free(c);
}

static const char *const cutover_keys[] = {
    "E\tgate 3: list the sessions that can write, then y pauses the writes",
    "o\ta gate that fails: pass it anyway, with a typed reason (in the report)",
    "A\tgate 5: apply the setval plan on the sink",
    "v, F\tgate 6: validate again, sampled / every row",
    "L\tgate 6: copy the changed large objects again",
    "M\tgate 6: refresh the sink's materialized views",
    "y\tgate 7: confirm that the application was switched (final)",
    "Q\tabort the cutover (resumes the writes it paused)",
    NULL};

static const wiz_ops cutover_ops = {
    .title = "cut over a migration task",
    .key = key,
    .leave = leave,
    .arrive = arrive,
    .finish = finish,
    .build = build,
    .job_news = job_news,
    .free = destroy,
    .keys = cutover_keys,
};

wiz *wiz_cutover_new(wiz_host *h, const char *ns, const char *name)
{
    const mt_task *t = h->snap ? mt_snapshot_task(h->snap, ns && *ns ? ns : NULL, name) : NULL;
    if (!t) {
        wiz_say(h, true, "task %s is not in the latest data", name);
        return NULL;
    }
    if (!h->backend) {
        wiz_say(h, true, "the cutover needs a backend (Kubernetes or local); a saved "
                             "snapshot has none");
        return NULL;
    }
    if (t->meta.deleted) {
        wiz_say(h, true, "task %s is Terminating: there is nothing to cut over", name);
        return NULL;
    }
    cut_wiz *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->w.ops = &cutover_ops;
    c->w.self = c;
    static const char *const names[CG_N] = {"Healthy", "Lag", "Writes", "Stable",
                                            "Sequences", "Validate", "Switch"};
    for (int i = 0; i < CG_N; i++)
        c->w.steps[i] = names[i];
    c->w.n_steps = CG_N;
    snprintf(c->w.about_ns, sizeof c->w.about_ns, "%s", t->meta.namespace_);
    snprintf(c->w.about_task, sizeof c->w.about_task, "%s", t->meta.name);
    snprintf(c->ns, sizeof c->ns, "%s", t->meta.namespace_);
    snprintf(c->name, sizeof c->name, "%s", t->meta.name);
    arena_init(&c->ar);
    mt_objects_copy(&c->ar, &t->objects, &c->objects);
    char err[600];
    c->lag_s = h->lag_warn_s > 0 ? h->lag_warn_s : 5;
    c->need_s = cut_stable_seconds();
    snprintf(c->log.task, sizeof c->log.task, "%.250s%s%.250s", c->ns, c->ns[0] ? "/" : "",
             c->name);
    snprintf(c->log.backend, sizeof c->log.backend, "%s", h->backend->ops->name);
    c->log.started_ms = fmt_now_ms();
    /* A local task's endpoints and credentials are the task's own (its
     * spec and pgpass, under the dashboard's state directory); a
     * Kubernetes task's are the MigrationTask's. */
    const char *scope = h->backend->ops->scope ? h->backend->ops->scope(h->backend) : NULL;
    bool local = !strcmp(h->backend->ops->name, "local");
    c->have_eps = cut_endpoints(h->backend->ops->name, local ? scope : NULL, t, &c->src,
                                &c->sink, c->task_dir, sizeof c->task_dir, err, sizeof err);
    if (!c->have_eps)
        snprintf(c->log.outcome, sizeof c->log.outcome, "%.*s", (int)sizeof c->log.outcome - 1,
                 err);
    /* Reports and the pause record: STATE/cutover/ (the task's own
     * directory goes when it is terminated; the report must outlive it),
     * or the Kubernetes context's place. */
    cut_report_dir(h->backend->ops->name, scope, c->report_dir, sizeof c->report_dir);
    /* Paused already (by a run aborted without its undo, or by
     * `cutover --pause-writes`): known, so an abort resumes it. */
    if (cut_pause_load(c->report_dir, c->name, &c->pause) && !c->pause.switched_ms)
        c->paused = true;
    if (c->have_eps) {
        c->sampler = calloc(1, sizeof *c->sampler);
        if (!c->sampler)
            abort();
        cut_sampler_init(c->sampler, &c->src, c->name);
    }
    c->freason[0] = (form_field){.kind = F_TEXT, .key = "reason", .label = "Reason",
                                 .hidden = true};
    form_init(&c->fm, c->freason, 1, c);
    cut_log_event(&c->log, "cutover wizard opened on %s (lag bound %d s, stable %d s)",
                  c->log.task, c->lag_s, c->need_s);
    return &c->w;
}
