/* The cutover wizard's state (wizards/cutover.c) and the background
 * jobs it starts (wizards/cutover_jobs.h): the source's readings, the
 * sequences, validation, gate 3's read-only enforcement and gate 6's
 * repairs. A job asked for while a reading is out waits for it (starting
 * it then would cancel the reading and lose the sampler). When a job ends,
 * cutw_job_news records what it found and says what the wizard must do
 * next. */
#ifndef MIGTOP_WIZARDS_CUTOVER_STATE_H
#define MIGTOP_WIZARDS_CUTOVER_STATE_H

#include "cutover/gates.h"
#include "cutover/report.h"
#include "wizards/cutover_jobs.h"
#include "wizards/form.h"
#include "wizards/wizard.h"

typedef enum cut_job { J_NONE, J_SAMPLE, J_SEQ, J_VAL, J_PAUSE, J_LOBS, J_MATVIEWS } cut_job;

typedef struct cut_wiz {
    wiz w;
    char ns[FORM_VALUE_MAX], name[FORM_VALUE_MAX], task_dir[4200];
    char report_dir[4200]; /* the reports and the pause record (cutover/report.h) */
    pgp_endpoint src, sink;
    bool have_eps;
    arena ar;
    mt_objects objects; /* the task's, owned (ar) */
    cut_sampler *sampler; /* NULL while lent to a job */
    int64_t last_sample_ms;
    cut_stability st;
    int lag_s, need_s;
    cut_job job;
    /* A job asked for while a sample was out: started when it is back
     * (starting it then would cancel the sample and lose the sampler). */
    cut_job pending;
    int pending_flag; /* the job's flag, or a pause_what */
    cut_log log;
    form_field freason[1];
    form fm;
    bool reason_open, saved, seq_applied;
    /* Gate 3's pause (E, the sessions listed, then y): on while paused,
     * undone on an abort before the switch, never after it. */
    bool asking_pause, asking_switch, paused, resumed_by_abort;
    cut_pause pause;
    cut_writers writers;
    bool have_writers;
    char writers_text[4000];
    /* Gate 7 confirmed: the run is over; no key undoes anything. */
    bool done;
    char report_path[4800];
    /* The last validation's large objects to copy again (L), its mode. */
    unsigned *lobs;
    size_t n_lobs;
    bool last_full;
    /* A repair's result, said once the validation after it is back. */
    char repaired[160];
} cut_wiz;

/* Starting a job: refused (with a status line) while another runs. */
void cutw_start_pg_job(cut_wiz *c, cut_job kind, bool flag);
/* Gate 3: list the sessions that can write, pause the writes, or (an
 * abort before the switch) resume them. */
void cutw_start_pause(cut_wiz *c, pause_what what);
/* Gate 6: copy the last validation's large objects again, or refresh the
 * sink's materialized views. */
void cutw_start_repair(cut_wiz *c, bool matviews);
/* A reading of the source, at most once a second. */
void cutw_sample_now(cut_wiz *c);

typedef enum cut_news {
    CUT_NEWS_NONE,
    CUT_NEWS_EVALUATE, /* a reading is back: evaluate the gate */
    CUT_NEWS_ABORT,    /* the writes resumed: complete the abort that asked for it */
} cut_news;
cut_news cutw_job_news(cut_wiz *c, void *arg);

#endif
