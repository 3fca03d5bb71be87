/* terminate's source side: drop the task's slot and publication. Both are
 * looked up first, so it is idempotent and a second terminate, or one
 * after a partial run, is harmless. A slot still in use is released by
 * ending its walsender first (our own CDC has stopped by then). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/pg.h"
#include "engine/steps.h"
#include "model/fmt.h"

bool engine_drop_source_objects(engine_runner *r, char *err, size_t errlen)
{
    char e2[700];
    PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop terminate", e2,
                                 sizeof e2);
    if (!src) {
        snprintf(err, errlen, "%s", e2);
        return false;
    }
    const char *params[1] = {r->slot};
    PGresult *res = pg_query(src,
                             "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                             " WHERE slot_name = $1 AND active_pid IS NOT NULL",
                             1, params, e2, sizeof e2);
    bool ok = res != NULL;
    PQclear(res);
    for (int tries = 0; ok && tries < 50; tries++) {
        res = pg_query(src,
                       "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                       " WHERE slot_name = $1 AND active_pid IS NULL",
                       1, params, e2, sizeof e2);
        ok = res != NULL;
        PQclear(res);
        if (!ok)
            break;
        res = pg_query(src, "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", 1, params,
                       e2, sizeof e2);
        bool gone = res && PQntuples(res) == 0;
        ok = res != NULL;
        PQclear(res);
        if (gone) {
            engine_logf(&r->log[ES_CDC], "INFO", "replication slot %s is gone", r->slot);
            break;
        }
        /* The terminated walsender takes a moment to release the slot. */
        fmt_sleep_ms(100);
        if (tries == 49) {
            snprintf(e2, sizeof e2, "the slot is still in use");
            ok = false;
        }
    }
    if (!ok) {
        snprintf(err, errlen, "cannot drop the replication slot %s: %s", r->slot, e2);
        PQfinish(src);
        return false;
    }
    char *pub = PQescapeIdentifier(src, r->publication, strlen(r->publication));
    char sql[512];
    snprintf(sql, sizeof sql, "DROP PUBLICATION IF EXISTS %s", pub);
    PQfreemem(pub);
    ok = pg_exec(src, sql, e2, sizeof e2);
    if (!ok)
        snprintf(err, errlen, "cannot drop the publication %s: %s", r->publication, e2);
    else
        engine_logf(&r->log[ES_CDC], "INFO", "publication %s is gone", r->publication);
    PQfinish(src);
    return ok;
}
