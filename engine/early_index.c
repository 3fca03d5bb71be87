#include "engine/early_index.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/index_progress.h"
#include "engine/pg.h"
#include "engine/restore.h"
#include "engine/taskdir.h"
#include "model/fmt.h"
#include "model/strbuf.h"

/* Smaller tables' indexes take less than a pg_restore's start: post-data
 * builds them with the rest. */
#define EARLY_MIN_BYTES (32LL << 20)
#define EARLY_LIST_FILE "post-data-early.list"

typedef struct early_entry {
    unsigned dump_id, table_oid;
    char *line;  /* the list's line, as pg_restore -L reads it */
    bool ready;  /* its table's copy ended before the copy's end */
    bool taken;  /* built here, or under way */
} early_entry;

struct early_index {
    engine_runner *r;
    early_entry *e;
    size_t n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    bool closed, failed;
    long mem_mb;
    char err[1024];
};

/* Which plain table of the copy owns each index and index-backed
 * constraint of the list (dump ids in *ids, object OIDs in *oids). */
static const char *const OWNER_SQL =
    "SELECT i.indexrelid, i.indrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
    " WHERE c.relkind = 'r' AND NOT c.relispartition AND i.indexrelid = ANY($1::oid[])"
    "   AND c.oid = ANY($3::oid[])"
    "   AND NOT EXISTS (SELECT 1 FROM pg_constraint n WHERE n.conindid = i.indexrelid"
    "                    AND n.conrelid = i.indrelid)"
    " UNION ALL "
    "SELECT n.oid, n.conrelid FROM pg_constraint n JOIN pg_class c ON c.oid = n.conrelid"
    " WHERE c.relkind = 'r' AND NOT c.relispartition AND n.contype IN ('p', 'u', 'x')"
    "   AND n.conparentid = 0 AND n.oid = ANY($2::oid[]) AND c.oid = ANY($3::oid[])";

/* The tables whose entries may start early (see early_index.h), as an
 * array literal; false when there is none. */
static bool eligible(const engine_runner *r, strbuf *oids)
{
    size_t n = 0;
    strbuf_put(oids, "{", 1);
    for (size_t i = 0; i < r->n_tables; i++) {
        const engine_table *t = &r->tables[i];
        if (t->target && !strcmp(t->target, t->qname) && engine_table_fills_target(t) &&
            t->bytes >= EARLY_MIN_BYTES)
            strbuf_printf(oids, "%s%u", n++ ? "," : "", t->oid);
    }
    strbuf_put(oids, "}", 1);
    return n > 0;
}

static void add_entry(early_index *x, unsigned dump_id, unsigned table, const char *line)
{
    early_entry *e = realloc(x->e, (x->n + 1) * sizeof *e);
    if (!e)
        abort();
    x->e = e;
    x->e[x->n++] = (early_entry){.dump_id = dump_id, .table_oid = table, .line = strdup(line)};
}

/* The list's INDEX and CONSTRAINT lines: their dump ids and objects. */
static void scan_list(FILE *f, strbuf *idx, strbuf *con, strbuf *lines)
{
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        unsigned id, classid, objid;
        int used = 0;
        if (sscanf(line, "%u; %u %u %n", &id, &classid, &objid, &used) < 3 || !used)
            continue;
        const char *type = line + used;
        bool index = classid == 1259 && !strncmp(type, "INDEX ", 6) &&
                     strncmp(type, "INDEX ATTACH", 12);
        bool constraint = classid == 2606 && !strncmp(type, "CONSTRAINT ", 11);
        if (!index && !constraint)
            continue;
        strbuf *b = index ? idx : con;
        strbuf_printf(b, "%s%u", b->n ? "," : "", objid);
        strbuf_printf(lines, "%u %u %s%s", id, objid, line, strchr(line, '\n') ? "" : "\n");
    }
}

/* Which listed entry is whose, from the source's answer to OWNER_SQL. */
static void keep_owned(early_index *x, const PGresult *res, const char *lines)
{
    for (const char *p = lines; *p;) {
        unsigned id = 0, objid = 0;
        int used = 0;
        const char *nl = strchr(p, '\n');
        sscanf(p, "%u %u %n", &id, &objid, &used);
        for (int i = 0; used && i < PQntuples(res); i++)
            if ((unsigned)strtoul(PQgetvalue(res, i, 0), NULL, 10) == objid) {
                char *line = strndup(p + used, (size_t)(nl - p - used) + 1);
                add_entry(x, id, (unsigned)strtoul(PQgetvalue(res, i, 1), NULL, 10), line);
                free(line);
                break;
            }
        p = nl + 1;
    }
}

/* Each listed entry of an eligible table, in the list's order; none
 * (and true) when no table is eligible: small tasks build all in
 * post-data, with nothing to say. */
static bool read_entries(early_index *x, PGconn *src, const char *path, char *err, size_t errlen)
{
    strbuf tables = {0};
    if (!eligible(x->r, &tables)) {
        strbuf_free(&tables);
        return true;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        strbuf_free(&tables);
        snprintf(err, errlen, "cannot read %.600s", path);
        return false;
    }
    strbuf idx = {0}, con = {0}, lines = {0};
    scan_list(f, &idx, &con, &lines);
    fclose(f);
    strbuf a1 = {0}, a2 = {0};
    strbuf_printf(&a1, "{%s}", strbuf_str(&idx));
    strbuf_printf(&a2, "{%s}", strbuf_str(&con));
    const char *params[3] = {a1.s, a2.s, tables.s};
    PGresult *res = pg_query(src, OWNER_SQL, 3, params, err, errlen);
    if (res)
        keep_owned(x, res, strbuf_str(&lines));
    bool ok = res != NULL;
    PQclear(res);
    strbuf_free(&a1);
    strbuf_free(&a2);
    strbuf_free(&tables);
    strbuf_free(&idx);
    strbuf_free(&con);
    strbuf_free(&lines);
    return ok;
}

/* The first entry ready and not taken, marked taken; false when the
 * copy ended first (nothing more starts here: post-data takes the rest
 * with all its jobs). One entry at a time, so that a table whose copy
 * ends just before the copy's end leaves post-data all but one build. */
static bool next_entry(early_index *x, size_t *k)
{
    pthread_mutex_lock(&x->mu);
    bool go = false;
    while (!x->closed) { /* after the close, what is not taken is post-data's */
        for (size_t i = 0; i < x->n && !go; i++)
            if (x->e[i].ready && !x->e[i].taken) {
                x->e[i].taken = go = true;
                *k = i;
            }
        if (go)
            break;
        pthread_cond_wait(&x->cv, &x->mu);
    }
    pthread_mutex_unlock(&x->mu);
    return go;
}

/* "217; 1259 16400 INDEX public t_idx owner" -> "INDEX public t_idx". */
static void entry_what(const char *line, char *out, size_t outlen)
{
    unsigned id, classid, objid;
    int used = 0;
    sscanf(line, "%u; %u %u %n", &id, &classid, &objid, &used);
    snprintf(out, outlen, "%s", line + used);
    out[strcspn(out, "\r\n")] = '\0';
    char *owner = strrchr(out, ' ');
    if (owner)
        *owner = '\0';
}

static bool build_entry(early_index *x, const early_entry *e, char *err, size_t errlen)
{
    engine_runner *r = x->r;
    const char *name = "?";
    for (size_t i = 0; i < r->n_tables; i++)
        if (r->tables[i].oid == e->table_oid)
            name = r->tables[i].qname;
    if (!engine_write_file_in(r->dir, &r->dir_id, EARLY_LIST_FILE, NULL, e->line,
                              strlen(e->line), err, errlen))
        return false;
    char what[512];
    entry_what(e->line, what, sizeof what);
    engine_log *log = &r->log[ES_INIT_STRUCT];
    engine_logf(log, "INFO", "early build of %s (%s) starts now, its copy done, while other "
                "tables still copy", name, what);
    int64_t t0 = fmt_mono_ms();
    bool ok = engine_restore(r, "post-data", EARLY_LIST_FILE, 1, x->mem_mb, err, errlen);
    if (ok)
        engine_logf(log, "INFO", "early build of %s (%s) done in %lld ms", name, what,
                    (long long)(fmt_mono_ms() - t0));
    return ok;
}

static void *loop(void *arg)
{
    early_index *x = arg;
    size_t k;
    char err[1024];
    /* Started at the first build, not during the copy before it. */
    index_progress ip = {.started = false};
    while (!x->failed && next_entry(x, &k)) {
        if (!ip.started)
            index_progress_start(&ip, x->r);
        if (build_entry(x, &x->e[k], err, sizeof err))
            continue;
        pthread_mutex_lock(&x->mu);
        x->failed = true;
        snprintf(x->err, sizeof x->err, "%s", err);
        pthread_mutex_unlock(&x->mu);
    }
    index_progress_stop(&ip);
    return NULL;
}

static void free_all(early_index *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->e[i].line);
    free(x->e);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    free(x);
}

early_index *early_index_start(engine_runner *r, PGconn *src, const char *list_name)
{
    early_index *x = calloc(1, sizeof *x);
    if (!x)
        abort();
    x->r = r;
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    char path[4400], err[700];
    snprintf(path, sizeof path, "%s/%s", r->dir, list_name);
    if (!read_entries(x, src, path, err, sizeof err))
        engine_logf(&r->log[ES_INIT_STRUCT], "INFO", "no index build starts before the copy "
                    "ends (post-data builds them all): %s", err);
    /* The copy's jobs and this one build (or copy) at once. */
    if (x->n)
        x->mem_mb = engine_index_mem_mb(r, r->jobs + 1);
    if (!x->n || pthread_create(&x->th, NULL, loop, x) != 0) {
        free_all(x);
        return NULL;
    }
    return x;
}

void early_index_table_done(void *early, const engine_table *t, bool copy_ending)
{
    early_index *x = early;
    if (!x || copy_ending) /* post-data builds it now with all its jobs */
        return;
    pthread_mutex_lock(&x->mu);
    for (size_t i = 0; i < x->n && !x->closed; i++)
        if (x->e[i].table_oid == t->oid)
            x->e[i].ready = true;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

void early_index_close(early_index *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&e->mu);
    e->closed = true;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

bool early_index_took(early_index *e, unsigned dump_id)
{
    if (!e)
        return false;
    bool took = false;
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n; i++)
        if (e->e[i].dump_id == dump_id)
            took = e->e[i].taken;
    pthread_mutex_unlock(&e->mu);
    return took;
}

bool early_index_finish(early_index *e, char *err, size_t errlen)
{
    if (!e)
        return true;
    early_index_close(e);
    pthread_join(e->th, NULL);
    bool ok = !e->failed;
    if (!ok)
        snprintf(err, errlen, "%s", e->err);
    free_all(e);
    return ok;
}
