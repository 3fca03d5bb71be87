/* precheck: pgprobe's precheck (pgprobe/precheck.h) on the task's
 * endpoints, every check written to precheck.log with what was found and
 * the fix; the first failing check fails the step, named in the reason.
 * Warnings (a table without a replica identity, say) are logged and do
 * not stop the task. The endpoints are given to pgprobe as libpq keywords
 * with the task's pgpass file, never with a password. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/local_objects.h"
#include "engine/registry.h"
#include "engine/steps.h"
#include "engine/tools.h"
#include "pgprobe/precheck.h"

static void endpoint_of(const engine_spec *sp, const engine_endpoint *e, const char *flag,
                        pgp_endpoint *out)
{
    pgp_endpoint_parse(out, flag, "", NULL); /* empty: libpq's defaults, then ours */
    pgp_endpoint_set(out, "host", e->host);
    pgp_endpoint_set(out, "port", e->port);
    pgp_endpoint_set(out, "dbname", e->db);
    pgp_endpoint_set(out, "user", e->user);
    pgp_endpoint_set(out, "passfile", sp->passfile);
}

/* One check per log line; found and fix may run over several lines. */
static void log_check(engine_log *log, const pgp_check *c)
{
    const char *level = c->status == PGP_CHECK_FAIL ? "ERROR" :
                        c->status == PGP_CHECK_WARN ? "WARN" : "INFO";
    char found[1024];
    size_t n = 0;
    for (const char *p = c->found ? c->found : ""; *p && n + 1 < sizeof found; p++)
        found[n++] = *p == '\n' ? ';' : *p;
    found[n] = 0;
    engine_logf(log, level, "check %s: %s: %s (%s)", c->id, pgp_status_name(c->status),
                c->title, found);
    if (c->status != PGP_CHECK_OK && c->fix && *c->fix) {
        const char *p = c->fix;
        while (*p) {
            size_t l = strcspn(p, "\n");
            engine_logf(log, level, "  fix: %.*s", (int)l, p);
            p += l + (p[l] == '\n');
        }
    }
}

bool engine_step_precheck(engine_runner *r, char *err, size_t errlen)
{
    engine_log *log = &r->log[ES_PRECHECK];
    pgp_endpoint src, sink;
    endpoint_of(&r->spec, &r->spec.src, "source", &src);
    endpoint_of(&r->spec, &r->spec.sink, "sink", &sink);
    pgp_precheck_input in = {
        .source = &src,
        .sink = &sink,
        .objects = &r->spec.task.objects,
        .task_name = r->opts.name,
        .cdc = r->spec.cdc,
        .template_name = "local", /* user types and arrays are fine here */
        .timeout_s = 10,
        .sink_tables = mt_meta_annotation(&r->spec.task.meta, MT_SINK_TABLES_ANNOTATION),
    };
    char dump[1024], terr[512];
    if (r->spec.enabled[ES_INIT_STRUCT]) {
        engine_tool_path("pg_dump", dump, sizeof dump);
        in.dump_path = dump;
        in.dump_major = engine_tool_major(dump, terr, sizeof terr);
        if (!in.dump_major) {
            snprintf(err, errlen, "init-struct needs pg_dump: %s", terr);
            engine_logf(log, "ERROR", "%s", err);
            return false;
        }
    }
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    char **slots;
    size_t n_slots = engine_local_slots(r->state_dir, &slots);
    in.host = host;
    in.known_slots = (const char *const *)slots;
    in.n_known_slots = n_slots;
    pgp_report rep;
    pgp_precheck_run(&in, &rep);
    engine_free_names(slots, n_slots);
    const pgp_check *first = NULL;
    for (size_t i = 0; i < rep.n; i++) {
        log_check(log, &rep.v[i]);
        if (!first && rep.v[i].status == PGP_CHECK_FAIL)
            first = &rep.v[i];
    }
    engine_logf(log, first ? "ERROR" : "INFO", "precheck: %zu ok, %zu warning(s), %zu failed",
                rep.n_ok, rep.n_warn, rep.n_fail);
    if (first) {
        /* The found text on one line: it names what failed (tables...). */
        char found[600];
        size_t n = 0;
        for (const char *p = first->found ? first->found : ""; *p && n + 3 < sizeof found; p++)
            if (*p != '\n')
                found[n++] = *p;
            else if (p[1] && n && found[n - 1] != ':')
                found[n++] = ';', found[n++] = ' ';
            else if (p[1])
                found[n++] = ' ';
        found[n] = 0;
        snprintf(err, errlen, "check %s failed: %s (%s)%s", first->id, first->title, found,
                 rep.n_fail > 1 ? "; more in the precheck log" : "");
    }
    pgp_report_free(&rep);
    pgp_endpoint_free(&src);
    pgp_endpoint_free(&sink);
    return first == NULL;
}
