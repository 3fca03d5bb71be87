#include "engine/struct_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/strbuf.h"

void struct_tally_add(struct_tally *t, const char *kind)
{
    if (!kind)
        return;
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->kind[i], kind)) {
            t->count[i]++;
            return;
        }
    if (t->n < STRUCT_KINDS) {
        t->kind[t->n] = kind;
        t->count[t->n++] = 1;
    }
}

bool struct_closure(engine_runner *r, PGconn *src, pgp_closure *out, char *err, size_t errlen)
{
    unsigned *oids = calloc(r->n_tables + 1, sizeof *oids);
    if (!oids)
        abort();
    for (size_t i = 0; i < r->n_tables; i++)
        oids[i] = r->tables[i].oid;
    const char *schemas[256];
    size_t ns = pgp_whole_schemas(&r->spec.task.objects, schemas, 256);
    pgp_error e = {0};
    bool ok = pgp_closure_build(src, oids, r->n_tables, schemas, ns, out, &e);
    free(oids);
    if (!ok)
        snprintf(err, errlen, "reading what the objects need on the source: %s", e.msg);
    return ok;
}

static int count_of(const struct_tally *t, const char *kind)
{
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->kind[i], kind))
            return t->count[i];
    return 0;
}

static const char *plural(const char *kind, int n)
{
    if (n == 1)
        return kind;
    static char buf[64];
    size_t l = strlen(kind);
    if (l > 1 && kind[l - 1] == 'y')
        snprintf(buf, sizeof buf, "%.*sies", (int)(l - 1), kind);
    else if (!strcmp(kind, "index"))
        snprintf(buf, sizeof buf, "indexes");
    else
        snprintf(buf, sizeof buf, "%ss", kind);
    return buf;
}

/* "22 tables (2 partitioned), 7 views, ..." in a fixed order, the rest after. */
static void summary(const struct_tally *t, strbuf *b)
{
    static const char *const order[] = {"schema", "extension", "collation", "type", "domain",
                                        "function", "procedure", "aggregate", "sequence",
                                        "view", "materialized view", "index",
                                        "table constraint", "trigger", "rule", "policy"};
    int tables = count_of(t, "table") + count_of(t, "partitioned table");
    int parted = count_of(t, "partitioned table");
    if (tables) {
        strbuf_printf(b, "%d %s", tables, plural("table", tables));
        if (parted)
            strbuf_printf(b, " (%d partitioned)", parted);
    }
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        int n = count_of(t, order[k]);
        if (n)
            strbuf_printf(b, "%s%d %s", b->n ? ", " : "", n, plural(order[k], n));
    }
    for (int i = 0; i < t->n; i++) {
        bool listed = !strcmp(t->kind[i], "table") || !strcmp(t->kind[i], "partitioned table");
        for (size_t k = 0; k < sizeof order / sizeof *order && !listed; k++)
            listed = !strcmp(t->kind[i], order[k]);
        if (!listed)
            strbuf_printf(b, "%s%d %s", b->n ? ", " : "", t->count[i],
                          plural(t->kind[i], t->count[i]));
    }
}

void struct_report(engine_runner *r, const pgp_closure *c, const struct_tally *t, long kept)
{
    engine_log *log = &r->log[ES_INIT_STRUCT];
    strbuf sum = {0}, skipped = {0};
    summary(t, &sum);
    for (size_t i = 0; i < c->n_skipped; i++) {
        const pgp_skipped *s = &c->skipped[i];
        engine_logf(log, "WARN", "not migrated: %s %s: %s", s->kind ? s->kind : "object",
                    s->name ? s->name : "?", s->why ? s->why : "");
        strbuf_printf(&skipped, "%s%s %s: %s", skipped.n ? "; " : "", s->kind ? s->kind : "object",
                      s->name ? s->name : "?", s->why ? s->why : "");
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].kind && !strcmp(c->v[i].kind, "extension"))
            engine_logf(log, "INFO", "extension %s (needed by %s)", c->v[i].name,
                        c->v[i].needed_by ? c->v[i].needed_by : "the objects");
    engine_logf(log, "INFO", "structure: %ld entries of the dump for %zu table(s): %s; skipped: %s",
                kept, r->n_tables, sum.n ? sum.s : "nothing", skipped.n ? skipped.s : "none");
    engine_status_structure(&r->status, strbuf_str(&sum), strbuf_str(&skipped));
    strbuf_free(&sum);
    strbuf_free(&skipped);
}
