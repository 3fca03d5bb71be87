#include "engine/struct_after.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pg.h"
#include "engine/struct_report.h"
#include "engine/steps.h"
#include "model/strbuf.h"
#include "pgprobe/sequences.h"

bool engine_set_sequences(engine_runner *r, PGconn *src, PGconn *sink, char *err, size_t errlen)
{
    pgp_seq_report rep;
    pgp_error e = {0};
    if (!pgp_seq_read(src, sink, &r->spec.task.objects, 0, &rep, &e)) {
        snprintf(err, errlen, "reading the sequences: %s", e.msg);
        return false;
    }
    size_t set = 0, bad = 0;
    strbuf missing = {0};
    for (size_t i = 0; i < rep.n; i++) {
        set += rep.v[i].state == PGP_SEQ_SET;
        if (rep.v[i].state == PGP_SEQ_MISSING || rep.v[i].state == PGP_SEQ_OUT_OF_RANGE) {
            bad++;
            strbuf_printf(&missing, "%s%s (%s)", missing.n ? ", " : "", rep.v[i].qname,
                          rep.v[i].state == PGP_SEQ_MISSING ? "missing on the sink"
                                                            : "out of the sink's range");
        }
    }
    bool ok = !bad;
    if (!ok)
        snprintf(err, errlen, "sequences that cannot be set on the sink: %s", missing.s);
    else if (set && !(ok = pgp_seq_apply(sink, &rep, &e)))
        snprintf(err, errlen, "setting the sequences on the sink: %s", e.msg);
    if (ok)
        engine_logf(&r->log[ES_INIT_DATA], "INFO", "sequences: %zu set to the source's values, "
                    "%zu already there", set, rep.n - set);
    strbuf_free(&missing);
    pgp_seq_report_free(&rep);
    return ok;
}

bool engine_refresh_matviews(PGconn *sink, char **views, size_t n, char *err, size_t errlen)
{
    bool *done = calloc(n + 1, sizeof *done);
    if (!done)
        abort();
    size_t left = n;
    char last[700] = "";
    /* A view over another one refreshes once that one has data: rounds
     * until one makes no progress. */
    for (bool progress = true; left && progress;) {
        progress = false;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            strbuf sql = {0};
            strbuf_printf(&sql, "REFRESH MATERIALIZED VIEW %s", views[i]);
            if (pg_exec(sink, sql.s, last, sizeof last)) {
                done[i] = progress = true;
                left--;
            }
            strbuf_free(&sql);
        }
    }
    if (left) {
        strbuf names = {0};
        for (size_t i = 0; i < n; i++)
            if (!done[i])
                strbuf_printf(&names, "%s%s", names.n ? ", " : "", views[i]);
        snprintf(err, errlen, "materialized views that would not refresh: %s (%s)", names.s, last);
        strbuf_free(&names);
    }
    free(done);
    return !left;
}

/* COMMENT ON <what> for an object as pg_identify_object names it. */
static bool comment_target(const char *type, const char *identity, strbuf *b)
{
    if (strstr(type, "column")) {
        strbuf_printf(b, "COLUMN %s", identity);
    } else if (!strcmp(type, "domain constraint")) {
        const char *on = strstr(identity, " on ");
        if (!on)
            return false;
        strbuf_printf(b, "CONSTRAINT %.*s ON DOMAIN %s", (int)(on - identity), identity, on + 4);
    } else if (!strcmp(type, "table constraint")) {
        strbuf_printf(b, "CONSTRAINT %s", identity);
    } else if (!strcmp(type, "statistics object")) {
        strbuf_printf(b, "STATISTICS %s", identity);
    } else if (!strcmp(type, "composite type")) {
        strbuf_printf(b, "TYPE %s", identity);
    } else if (!strcmp(type, "default value")) {
        return false;
    } else {
        for (const char *p = type; *p; p++) {
            char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 32) : *p;
            strbuf_put(b, &c, 1);
        }
        strbuf_printf(b, " %s", identity);
    }
    return true;
}

/* The comments of every object of the closure, from the source. */
static void copy_comments(engine_runner *r, PGconn *src, PGconn *sink, const pgp_closure *c,
                          strbuf *failed)
{
    strbuf classes = {0}, objs = {0};
    for (size_t i = 0; i < c->n; i++) {
        strbuf_printf(&classes, "%s%u", i ? "," : "{", c->v[i].classid);
        strbuf_printf(&objs, "%s%u", i ? "," : "{", c->v[i].objid);
    }
    strbuf_put(&classes, "}", 1);
    strbuf_put(&objs, "}", 1);
    const char *p[2] = {classes.s, objs.s};
    char e2[700];
    PGresult *res = c->n ? pg_query(src,
        "SELECT io.type, io.identity, d.description FROM pg_description d,"
        " LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) io"
        " WHERE (d.classoid, d.objoid) IN (SELECT * FROM unnest($1::oid[], $2::oid[]))"
        /* Replication's own objects stay on the source: the task's
         * publication (whose comment is migtop's mark) is not migrated. */
        "   AND d.classoid NOT IN ('pg_publication'::regclass, 'pg_subscription'::regclass)",
        2, p, e2, sizeof e2) : NULL;
    int done = 0;
    for (int i = 0; res && i < PQntuples(res); i++) {
        strbuf sql = {0};
        strbuf_printf(&sql, "COMMENT ON ");
        const char *text = PQgetvalue(res, i, 2);
        char *lit = PQescapeLiteral(sink, text, strlen(text));
        if (lit && comment_target(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), &sql)) {
            strbuf_printf(&sql, " IS %s", lit);
            if (pg_exec(sink, sql.s, e2, sizeof e2))
                done++;
            else
                strbuf_printf(failed, "%scomment on %s %s: %s", failed->n ? "; " : "",
                              PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), e2);
        }
        PQfreemem(lit);
        strbuf_free(&sql);
    }
    if (res)
        engine_logf(&r->log[ES_INIT_STRUCT], "INFO", "%d comment(s) copied", done);
    PQclear(res);
    strbuf_free(&classes);
    strbuf_free(&objs);
}

bool engine_struct_after(engine_runner *r, char *err, size_t errlen)
{
    PGconn *src = engine_connect(&r->spec, &r->spec.src, false, "migtop post-data", err, errlen);
    PGconn *sink = src ? engine_connect(&r->spec, &r->spec.sink, false, "migtop post-data", err,
                                        errlen) : NULL;
    pgp_closure c;
    bool ok = sink && engine_runner_tables(r, src, err, errlen) &&
              struct_closure(r, src, &c, err, errlen);
    if (ok) {
        char **views = calloc(c.n + 1, sizeof *views);
        size_t nv = 0;
        for (size_t i = 0; views && i < c.n; i++)
            if (c.v[i].kind && !strcmp(c.v[i].kind, "materialized view"))
                views[nv++] = (char *)c.v[i].name;
        strbuf failed = {0};
        char e2[1200];
        if (nv && !engine_refresh_matviews(sink, views, nv, e2, sizeof e2))
            strbuf_printf(&failed, "%s", e2);
        else if (nv)
            engine_logf(&r->log[ES_INIT_STRUCT], "INFO", "%zu materialized view(s) refreshed", nv);
        copy_comments(r, src, sink, &c, &failed);
        if (failed.n) {
            engine_logf(&r->log[ES_INIT_STRUCT], "WARN", "not migrated: %s", failed.s);
            char sum[1024];
            snprintf(sum, sizeof sum, "%s", r->status.structure);
            strbuf both = {0};
            strbuf_printf(&both, "%s%s%s", r->status.structure_skipped,
                          r->status.structure_skipped[0] ? "; " : "", failed.s);
            engine_status_structure(&r->status, sum, both.s);
            strbuf_free(&both);
        }
        strbuf_free(&failed);
        free(views);
        pgp_closure_free(&c);
    }
    PQfinish(src);
    PQfinish(sink);
    return ok;
}
