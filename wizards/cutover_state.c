#include "wizards/cutover_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wizards/cutover_jobs.h"

void cutw_start_pg_job(cut_wiz *c, cut_job kind, bool flag)
{
    if (c->job == J_SAMPLE) {
        c->pending = kind;
        c->pending_flag = flag;
        return;
    }
    if (!c->have_eps) {
        wiz_status(&c->w, P_ERROR, "the task's endpoints are not known: %s", c->log.outcome);
        return;
    }
    pg_job *p = pg_job_new(&c->src, &c->sink, &c->objects);
    p->apply = kind == J_SEQ && flag;
    p->full = kind == J_VAL && flag;
    c->job = kind;
    wiz_run(&c->w, kind == J_SEQ ? (flag ? "applying the setval plan" : "reading the sequences")
                                 : (flag ? "validating every row" : "validating samples"),
            kind == J_SEQ ? seq_run : val_run, p, pg_job_free);
    if (p->apply)
        c->w.job_firm = true;
}

void cutw_start_pause(cut_wiz *c, pause_what what)
{
    if (c->job == J_SAMPLE) {
        c->pending = J_PAUSE;
        c->pending_flag = what; /* a pause_what, kept in the flag */
        return;
    }
    pause_job *p = pause_job_new(&c->src, what);
    if (what == PJ_PAUSE) /* paused before (a record): what was there then */
        p->rec = c->pause;
    if (what == PJ_RESUME)
        p->rec = c->pause;
    c->job = J_PAUSE;
    wiz_run(&c->w, what == PJ_LIST    ? "listing the sessions that can write"
                   : what == PJ_PAUSE ? "pausing the writes on the source"
                                      : "resuming the writes on the source",
            pause_run, p, pause_free);
    c->w.job_firm = what != PJ_LIST;
}

void cutw_sample_now(cut_wiz *c)
{
    if (!c->sampler || wiz_busy(&c->w))
        return;
    sample_job *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    p->s = c->sampler; /* lent */
    c->sampler = NULL;
    c->job = J_SAMPLE;
    c->last_sample_ms = fmt_mono_ms();
    wiz_run_quiet(&c->w, "reading the source", sample_run, p, sample_free);
}

void cutw_start_repair(cut_wiz *c, bool matviews)
{
    if (c->job == J_SAMPLE) {
        c->pending = matviews ? J_MATVIEWS : J_LOBS;
        return;
    }
    if (wiz_busy(&c->w))
        return;
    repair_job *p = repair_job_new(&c->src, &c->sink, &c->objects);
    p->matviews = matviews;
    if (!matviews) {
        p->oids = c->lobs; /* handed over */
        p->n = c->n_lobs;
        c->lobs = NULL;
        c->n_lobs = 0;
    }
    c->job = matviews ? J_MATVIEWS : J_LOBS;
    wiz_run(&c->w, matviews ? "refreshing the materialized views on the sink"
                            : "copying the large objects again", repair_run, p, repair_free);
    c->w.job_firm = true;
}

/* Gate 3's pause: the list asks its question; the pause and the resume
 * say what they did, on screen and in the report. */
static cut_news pause_news(cut_wiz *c, pause_job *p)
{
    if (!p->ok) {
        wiz_status(&c->w, P_ERROR, "%s failed: %s", p->what == PJ_LIST ? "listing the sessions"
                   : p->what == PJ_PAUSE ? "pausing the writes" : "resuming the writes", p->err);
        cut_log_event(&c->log, "gate 3: %s failed: %s", p->what == PJ_PAUSE ? "pause" : "resume",
                      p->err);
        return CUT_NEWS_NONE;
    }
    if (p->what == PJ_LIST) {
        c->writers = p->writers;
        c->have_writers = true;
        cut_writers_text(&c->writers, c->writers_text, sizeof c->writers_text);
        c->asking_pause = true;
        wiz_ask(&c->w, "Pause the writes? The database %s becomes read-only for new sessions "
                "and the %zu session(s) listed above are ended (not the migration's, not "
                "superusers'). y pauses; any other key cancels.",
                pgp_endpoint_get(&c->src, "dbname"), c->writers.n + c->writers.n_more);
        return CUT_NEWS_NONE;
    }
    char err[600];
    if (p->what == PJ_PAUSE) {
        c->paused = true;
        c->pause = p->rec;
        if (!cut_pause_save(c->report_dir, c->name, &c->pause, err, sizeof err))
            cut_log_event(&c->log, "the pause record could not be kept: %s", err);
        cut_log_event(&c->log, "gate 3: writes paused: database %s read-only for new sessions "
                      "(its own setting was %s), %d session(s) ended", c->pause.db,
                      c->pause.previous, c->pause.ended);
        wiz_status(&c->w, P_OK, "writes paused: %s is read-only for new sessions and %d "
                   "session(s) were ended; the gate passes once no write is seen",
                   c->pause.db, c->pause.ended);
        return CUT_NEWS_NONE;
    }
    c->paused = false;
    cut_pause_forget(c->report_dir, c->name);
    cut_log_event(&c->log, "writes resumed: the database's own setting (%s) is back",
                  c->pause.previous);
    return CUT_NEWS_ABORT;
}

static void repair_news(cut_wiz *c, cut_job kind, repair_job *p)
{
    const char *what = kind == J_MATVIEWS ? "materialized view" : "large object";
    if (!p->ok) {
        cut_log_event(&c->log, "gate 6: %zu %s%s done, then: %s", p->done, what,
                      p->done == 1 ? "" : "s", p->err);
        wiz_status(&c->w, P_ERROR, "%s", p->err);
        return;
    }
    snprintf(c->repaired, sizeof c->repaired, "%zu %s%s %s", p->done, what,
             p->done == 1 ? "" : "s", kind == J_MATVIEWS ? "refreshed" : "copied again");
    cut_log_event(&c->log, "gate 6: %s on the sink", c->repaired);
    cutw_start_pg_job(c, J_VAL, c->last_full);
}

/* A validation or the sequences: the gate as the job read it, keeping an
 * override the operator typed meanwhile. */
static void gate_news(cut_wiz *c, cut_job kind, pg_job *p)
{
    cut_gate_id id = kind == J_SEQ ? CG_SEQUENCES : CG_VALIDATE;
    cut_gate *g = &c->log.gates[id];
    cut_state keep = g->state;
    char reason[sizeof g->reason];
    memcpy(reason, g->reason, sizeof reason);
    *g = p->g;
    if (keep == CGS_OVERRIDE) {
        g->state = CGS_OVERRIDE;
        memcpy(g->reason, reason, sizeof reason);
    }
    if (kind == J_VAL) {
        free(c->lobs);
        c->lobs = p->lobs; /* taken */
        c->n_lobs = p->n_lobs;
        p->lobs = NULL;
        c->last_full = p->full;
    }
    cut_log_event(&c->log, "gate %d %s: %.200s", id + 1, cut_state_name(p->g.state),
                  g->reading);
    if (kind == J_VAL && c->repaired[0]) {
        wiz_status(&c->w, p->g.state == CGS_PASS ? P_OK : P_WARN, "%s; validated again: %s",
                   c->repaired, cut_state_name(p->g.state));
        c->repaired[0] = '\0';
    }
}

cut_news cutw_job_news(cut_wiz *c, void *arg)
{
    cut_job kind = c->job;
    c->job = J_NONE;
    if (kind == J_SAMPLE) {
        sample_job *p = arg;
        c->sampler = p->s; /* back */
        p->s = NULL;
        /* For the report's charts: every reading, a failed one as a gap. */
        const cut_sampler *s = c->sampler;
        cut_log_point(&c->log, fmt_now_ms(), s->have ? s->slot_r.lag_s : -1,
                      s->have && s->act_r.rates_known ? s->act_r.write_xacts_per_s : -1);
        return CUT_NEWS_EVALUATE;
    }
    if (kind == J_PAUSE)
        return pause_news(c, arg);
    if (kind == J_LOBS || kind == J_MATVIEWS)
        repair_news(c, kind, arg);
    else
        gate_news(c, kind, arg);
    return CUT_NEWS_NONE;
}
