#include "engine/index_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/pg.h"
#include "engine/spec.h"
#include "model/strbuf.h"
#include "model/fmt.h"

/* A plain CREATE INDEX reports no index OID while it builds: its name
 * comes from the statement (CREATE INDEX name, ADD CONSTRAINT name). */
static const char *const PROGRESS_SQL =
    "SELECT coalesce(nullif(p.index_relid, 0)::regclass::text,"
    "                substring(a.query from '(?:INDEX|CONSTRAINT)\\s+(?:IF NOT EXISTS\\s+)?"
    "(\"[^\"]+\"|[^\\s(]+)'), '?'),"
    "       p.relid::regclass::text, p.phase,"
    "       CASE WHEN p.blocks_total > 0 THEN 100.0 * p.blocks_done / p.blocks_total"
    "            WHEN p.tuples_total > 0 THEN 100.0 * p.tuples_done / p.tuples_total END"
    "  FROM pg_stat_progress_create_index p"
    "  LEFT JOIN pg_stat_activity a ON a.pid = p.pid"
    " WHERE p.datname = current_database() ORDER BY p.pid";

static void read_once(engine_runner *r, PGconn *c)
{
    char e[256];
    PGresult *res = pg_query(c, PROGRESS_SQL, 0, NULL, e, sizeof e);
    if (!res)
        return;
    strbuf b = {0};
    for (int i = 0; i < PQntuples(res); i++) {
        strbuf_printf(&b, "%s%s on %s: %s", i ? "; " : "", PQgetvalue(res, i, 0),
                      PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
        if (!PQgetisnull(res, i, 3))
            strbuf_printf(&b, " %.0f%%", atof(PQgetvalue(res, i, 3)));
    }
    PQclear(res);
    engine_status_building(&r->status, strbuf_str(&b));
    strbuf_free(&b);
}

static void *loop(void *arg)
{
    index_progress *p = arg;
    char err[600];
    PGconn *c = engine_connect(&p->r->spec, &p->r->spec.sink, false, "migtop post-data progress",
                               err, sizeof err);
    while (c && !atomic_load(&p->quit)) {
        read_once(p->r, c);
        fmt_nap(300, &p->quit); /* about 3 readings a second */
    }
    PQfinish(c);
    /* Another poller still running says what builds (all of the sink's). */
    if (atomic_fetch_sub(&p->r->index_pollers, 1) == 1)
        engine_status_building(&p->r->status, "");
    return NULL;
}

void index_progress_start(index_progress *p, engine_runner *r)
{
    *p = (index_progress){.r = r};
    atomic_init(&p->quit, false);
    atomic_fetch_add(&r->index_pollers, 1);
    p->started = pthread_create(&p->th, NULL, loop, p) == 0;
    if (!p->started)
        atomic_fetch_sub(&r->index_pollers, 1);
}

void index_progress_stop(index_progress *p)
{
    if (!p->started)
        return;
    atomic_store(&p->quit, true);
    pthread_join(p->th, NULL);
    p->started = false;
}
