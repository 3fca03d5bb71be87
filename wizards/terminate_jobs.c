#include "wizards/terminate_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wizards/endpoint.h"
#include "model/fmt.h"

void terminate_run(wiz_job *j, void *arg)
{
    terminate_job *p = arg;
    wiz_job_progress(j, "asking the backend to terminate %s", p->name);
    p->ok = p->b->ops->terminate(p->b, p->ns[0] ? p->ns : NULL, p->name, p->err, sizeof p->err);
}

void forget_run(wiz_job *j, void *arg)
{
    forget_job *p = arg;
    wiz_job_progress(j, "stopping %s and checking what remains", p->name);
    p->ok = p->b->ops->forget(p->b, p->ns[0] ? p->ns : NULL, p->name, &p->report, p->err,
                              sizeof p->err);
}

void forget_free(void *arg)
{
    forget_job *p = arg;
    strbuf_free(&p->report);
    free(p);
}


void check_free(void *arg)
{
    check_job *p = arg;
    wiz_endpoint_wipe_free(&p->ep);
    if (p->conn)
        PQfinish(p->conn);
    if (p->ok)
        pgp_cleanup_free(&p->check);
    free(p->drop_sql);
    free(p);
}

static void run_drops(check_job *p)
{
    /* A cutover may have left the source read-only for new sessions. */
    pgp_error e0 = {0};
    pgp_exec(p->conn, "SET default_transaction_read_only = off", &e0);
    char *save = NULL;
    for (char *st = strtok_r(p->drop_sql, "\n", &save); st; st = strtok_r(NULL, "\n", &save)) {
        if (!*st)
            continue;
        pgp_error e = {0};
        /* A slot stays active for a moment after its walsender was told to
         * end: the drop is tried again for up to 5 s. */
        bool ok = false;
        for (int i = 0; i < 25 && !(ok = pgp_exec(p->conn, st, &e)); i++) {
            if (!strstr(e.msg, "is active"))
                break;
            fmt_sleep_ms(200);
        }
        if (!ok) {
            snprintf(p->drop_err, sizeof p->drop_err, "%s: %s", st, e.msg);
            return;
        }
    }
    p->dropped = true;
}

void check_run(wiz_job *j, void *arg)
{
    check_job *p = arg;
    if (p->conn && PQstatus(p->conn) != CONNECTION_OK) {
        PQfinish(p->conn);
        p->conn = NULL;
    }
    if (!p->conn) {
        wiz_job_progress(j, "connecting to %s", pgp_endpoint_label(&p->ep));
        p->conn = pgp_connect_cancelable(&p->ep, "migtop terminate check", 10, false,
                                         wiz_job_cancel_flag(j), &p->err);
        if (!p->conn)
            return;
    }
    if (p->drop_sql)
        run_drops(p);
    wiz_job_progress(j, "looking for slot %s", p->slot);
    if (!pgp_cleanup_check(p->conn, p->task, &p->check, &p->err))
        return;
    p->ok = true;
    pgp_slot_probe probe;
    pgp_slot_probe_init(&probe, p->slot);
    pgp_error e = {0};
    p->have_slot = pgp_slot_read(&probe, p->conn, &p->slot_reading, &e);
    pgp_slot_probe_free(&probe);
}
