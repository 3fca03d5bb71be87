/* The terminate flow's background work (wizards/terminate.c), each on a
 * wiz_job: the backend's terminate, the source's check (and the DROP
 * statements when confirmed), and forgetting a local task whose cleanup
 * cannot finish. */
#ifndef MIGTOP_WIZARDS_TERMINATE_JOBS_H
#define MIGTOP_WIZARDS_TERMINATE_JOBS_H

#include "model/backend.h"
#include "pgprobe/cleanup.h"
#include "pgprobe/slot.h"
#include "wizards/form.h"
#include "wizards/job.h"

typedef struct terminate_job {
    mt_backend *b;
    char ns[FORM_VALUE_MAX], name[FORM_VALUE_MAX];
    bool ok;
    char err[1024];
} terminate_job;

typedef struct forget_job {
    mt_backend *b;
    char ns[FORM_VALUE_MAX], name[FORM_VALUE_MAX];
    bool ok;
    strbuf report;
    char err[1024];
} forget_job;

typedef struct check_job {
    pgp_endpoint ep;
    PGconn *conn; /* handed back to the wizard */
    char task[FORM_VALUE_MAX], slot[128];
    bool ok, have_slot;
    pgp_error err;
    pgp_cleanup check;
    pgp_slot_reading slot_reading;
    char *drop_sql; /* when set: run these first (one statement a line) */
    bool dropped;
    char drop_err[800];
} check_job;

void terminate_run(wiz_job *j, void *arg);
void forget_run(wiz_job *j, void *arg);
void forget_free(void *arg);
void check_run(wiz_job *j, void *arg);
void check_free(void *arg);

#endif
