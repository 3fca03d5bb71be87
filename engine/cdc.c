#include "engine/cdc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/cdc_metrics.h"
#include "engine/cdc_origin.h"
#include "engine/cdc_session.h"
#include "model/fmt.h"

static void wait_s(engine_runner *r, cdc_metrics *m, int secs)
{
    for (int i = 0; i < secs * 10 && !engine_runner_stopping(r); i++) {
        fmt_sleep_ms(100);
        cdc_metrics_tick(m, false);
    }
}


bool engine_cdc_run(engine_runner *r, char *err, size_t errlen)
{
    cdc_metrics m;
    cdc_metrics_init(&m, r);
    engine_log *log = &r->log[ES_CDC];
    int backoff = 1;
    char last_reason[1200] = "";
    while (!engine_runner_stopping(r)) {
        char e[1200] = "";
        bool progressed = false;
        session_end end = cdc_session_run(r, &m, &progressed, e, sizeof e);
        if (end == END_STOP || engine_runner_stopping(r))
            break;
        if (progressed)
            backoff = 1;
        m.reconnects++;
        cdc_metrics_error(&m, e, progressed);
        if (end == END_STRUCTURE) {
            m.state = "paused";
            m.same_errors = 0;
            char why[1300];
            snprintf(why, sizeof why, "CDC paused: %s", e);
            cdc_set_reason(r, why);
            if (strcmp(last_reason, e)) {
                engine_logf(log, "ERROR", "%s (the slot keeps the WAL; retrying every 5 s)", why);
                snprintf(last_reason, sizeof last_reason, "%s", e);
            }
            cdc_metrics_tick(&m, true);
            wait_s(r, &m, 5);
            continue;
        }
        last_reason[0] = 0;
        /* The same failure again and again (a change the sink refuses) is
         * not a reconnect: CDC is failing, and says on what. */
        bool failing = m.same_errors >= 3;
        m.state = failing ? "failing" : "reconnecting";
        char why[1300];
        snprintf(why, sizeof why, "CDC %s in %d s (attempt %d): %s",
                 failing ? "failing the same way each time; next try" : "reconnecting", backoff,
                 m.reconnects, e);
        cdc_set_reason(r, why);
        engine_logf(log, failing ? "ERROR" : "WARN", "CDC %s: %s; %s in %d s (attempt %d)",
                    failing ? "failing" : "interrupted", e,
                    failing ? "trying again" : "reconnecting", backoff, m.reconnects);
        cdc_metrics_tick(&m, true);
        wait_s(r, &m, backoff);
        int cap = failing ? 30 : 10;
        backoff = backoff * 2 > cap ? cap : backoff * 2;
    }
    m.state = "stopped";
    cdc_metrics_tick(&m, true);
    cdc_metrics_free(&m);
    snprintf(err, errlen, "stopped");
    return false;
}

bool engine_cdc_drop(engine_runner *r, char *err, size_t errlen)
{
    char app[300], origin[200], e2[900];
    cdc_appname(r, app, sizeof app);
    cdc_origin_name(r->slot, origin, sizeof origin);
    PGconn *sink = engine_connect(&r->spec, &r->spec.sink, false, "migtop terminate", e2,
                                  sizeof e2);
    if (!sink) {
        snprintf(err, errlen, "%s", e2);
        return false;
    }
    bool ok = cdc_origin_drop(sink, origin, app, err, errlen);
    if (ok)
        engine_logf(&r->log[ES_CDC], "INFO", "replication origin %s is gone", origin);
    PQfinish(sink);
    return ok;
}
