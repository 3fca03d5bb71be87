#include "engine/spec.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/taskdir.h"
#include "model/task_build.h"

/* pgpass fields escape ':' and '\'. */
static void pgpass_field(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == ':' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static void pgpass_line(FILE *f, const mt_endpoint_arg *e)
{
    if (!e->password || !*e->password)
        return;
    char port[16];
    snprintf(port, sizeof port, "%d", e->port);
    pgpass_field(f, e->host);
    fputc(':', f);
    pgpass_field(f, port);
    fputs(":*:", f); /* any database: also the replication connection's */
    pgpass_field(f, e->user);
    fputc(':', f);
    pgpass_field(f, e->password);
    fputc('\n', f);
}

bool engine_spec_write(const char *dir, const mt_create_req *req, char *err, size_t errlen)
{
    /* The object kbcli would create (model/task_build.h), without the
     * passwords: those go to the 0600 pgpass file below. */
    cJSON *root = mt_task_build(req, "", req->template_name ? req->template_name
                                                            : ENGINE_LOCAL_TEMPLATE,
                                MT_PG_SERVER_ID);
    cJSON *spec = cJSON_GetObjectItemCaseSensitive(root, "spec");
    cJSON_DeleteItemFromObjectCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "sourceEndpoint"), "password");
    cJSON_DeleteItemFromObjectCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(spec, "sinkEndpoint"), "password");
    cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    char ts[40];
    time_t now = time(NULL);
    fmt_rfc3339((mt_time)now, ts, sizeof ts);
    cJSON_AddStringToObject(md, "creationTimestamp", ts);
    char uid[300];
    snprintf(uid, sizeof uid, "local-%s-%ld", req->name, (long)now);
    cJSON_AddStringToObject(md, "uid", uid);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    bool ok = engine_write_file(dir, ENGINE_SPEC_FILE, text, strlen(text), err, errlen);
    cJSON_free(text);
    if (!ok)
        return false;

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    pgpass_line(f, &req->source);
    pgpass_line(f, &req->sink);
    fclose(f);
    ok = engine_write_file(dir, ENGINE_PGPASS_FILE, buf, len, err, errlen);
    explicit_bzero(buf, len);
    free(buf);
    return ok;
}

static bool split_address(const char *addr, engine_endpoint *e, char *err, size_t errlen)
{
    const char *colon;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (!close) {
            snprintf(err, errlen, "address \"%s\": missing ']'", addr);
            return false;
        }
        snprintf(e->host, sizeof e->host, "%.*s", (int)(close - addr - 1), addr + 1);
        colon = close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = strrchr(addr, ':');
        snprintf(e->host, sizeof e->host, "%.*s",
                 (int)(colon ? (size_t)(colon - addr) : strlen(addr)), addr);
    }
    snprintf(e->port, sizeof e->port, "%s", colon ? colon + 1 : "5432");
    if (!e->host[0]) {
        snprintf(err, errlen, "address \"%s\": no host", addr);
        return false;
    }
    return true;
}

static bool load_endpoint(const mt_endpoint *m, const char *what, engine_endpoint *e,
                          char *err, size_t errlen)
{
    memset(e, 0, sizeof *e);
    if (!m->address || !*m->address) {
        snprintf(err, errlen, "spec.json: the %s endpoint has no address", what);
        return false;
    }
    char e2[256];
    if (!split_address(m->address, e, e2, sizeof e2)) {
        snprintf(err, errlen, "spec.json: %s endpoint %s", what, e2);
        return false;
    }
    snprintf(e->db, sizeof e->db, "%s", m->database && *m->database ? m->database : "postgres");
    snprintf(e->user, sizeof e->user, "%s", m->user ? m->user : "");
    return true;
}

static bool has_step(const mt_task *t, const char *cr)
{
    for (size_t i = 0; i < t->n_steps; i++)
        if (!strcmp(t->steps[i], cr))
            return true;
    return false;
}

bool engine_spec_load(engine_spec *sp, const char *dir, char *err, size_t errlen)
{
    memset(sp, 0, sizeof *sp);
    arena_init(&sp->a);
    snprintf(sp->dir, sizeof sp->dir, "%s", dir);
    snprintf(sp->passfile, sizeof sp->passfile, "%s/%s", dir, ENGINE_PGPASS_FILE);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, ENGINE_SPEC_FILE);
    size_t len;
    char *text = engine_read_file(path, &len, err, errlen);
    if (!text)
        return false;
    sp->json = jx_parse(text, len, err, errlen);
    free(text);
    if (!sp->json)
        return false;
    jx c;
    jx_init(&c, &sp->a);
    mt_task_parse(&c, sp->json, "spec.json", &sp->task);
    if (c.failed) {
        snprintf(err, errlen, "%s", c.err);
        return false;
    }
    if (!load_endpoint(&sp->task.source, "source", &sp->src, err, errlen) ||
        !load_endpoint(&sp->task.sink, "sink", &sp->sink, err, errlen))
        return false;
    if (!sp->task.objects.n_white) {
        snprintf(err, errlen, "spec.json: no migration objects (spec.migrationObj.whiteList)");
        return false;
    }
    const mt_task *t = &sp->task;
    sp->cdc = strstr(t->task_type, "cdc") != NULL;
    sp->enabled[ES_PRECHECK] = has_step(t, "preCheck");
    sp->enabled[ES_INIT_STRUCT] = has_step(t, "initStruct");
    sp->enabled[ES_INIT_DATA] = has_step(t, "initData");
    sp->enabled[ES_POST_DATA] = sp->enabled[ES_INIT_STRUCT];
    sp->enabled[ES_CDC] = sp->cdc;
    return true;
}

void engine_spec_free(engine_spec *sp)
{
    if (sp->json)
        cJSON_Delete(sp->json);
    sp->json = NULL;
    arena_free(&sp->a);
}

PGconn *engine_connect(const engine_spec *sp, const engine_endpoint *e, bool replication,
                       const char *appname, char *err, size_t errlen)
{
    /* TCP keepalives and a user timeout: a peer that vanishes from the
     * network (no RST) is noticed in about 30 s instead of the kernel's
     * two hours, and the runner retries instead of waiting forever. */
    const char *keys[] = {"host", "port", "dbname", "user", "passfile", "application_name",
                          "connect_timeout", "keepalives", "keepalives_idle",
                          "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                          "options", "replication", NULL};
    /* Writable on a source the cutover made read-only: the runner's
     * terminate, CDC's feedback and the copy's bookkeeping keep working. */
    const char *vals[] = {e->host, e->port, e->db, e->user, sp->passfile, appname, "10",
                          "1", "10", "5", "3", "30000",
                          "-c default_transaction_read_only=off",
                          replication ? "database" : NULL, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char label[900];
        engine_endpoint_label(e, label, sizeof label);
        /* libpq's message runs over lines ("...failed: Connection
         * refused\n\tIs the server running..."): one line, for the log
         * and the status. */
        char m[1024];
        size_t n = 0;
        for (const char *p = c ? PQerrorMessage(c) : "out of memory"; *p && n + 1 < sizeof m;
             p++) {
            bool space = *p == '\n' || *p == '\t' || *p == ' ';
            if (space && (!n || m[n - 1] == ' '))
                continue;
            m[n++] = space ? ' ' : *p;
        }
        while (n && m[n - 1] == ' ')
            n--;
        m[n] = 0;
        snprintf(err, errlen, "cannot connect to %s: %s", label, m);
        PQfinish(c);
        return NULL;
    }
    return c;
}

static size_t put_quoted(char *out, size_t outlen, size_t pos, const char *key, const char *v)
{
    if (pos < outlen)
        pos += (size_t)snprintf(out + pos, outlen - pos, "%s%s='", pos ? " " : "", key);
    for (; *v && pos + 3 < outlen; v++) {
        if (*v == '\'' || *v == '\\')
            out[pos++] = '\\';
        out[pos++] = *v;
    }
    if (pos + 1 < outlen)
        out[pos++] = '\'';
    if (pos < outlen)
        out[pos] = 0;
    return pos;
}

void engine_conninfo(const engine_spec *sp, const engine_endpoint *e, char *out, size_t outlen)
{
    size_t p = 0;
    out[0] = 0;
    p = put_quoted(out, outlen, p, "host", e->host);
    p = put_quoted(out, outlen, p, "port", e->port);
    p = put_quoted(out, outlen, p, "dbname", e->db);
    p = put_quoted(out, outlen, p, "user", e->user);
    put_quoted(out, outlen, p, "passfile", sp->passfile);
}

void engine_endpoint_label(const engine_endpoint *e, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s@%s:%s/%s", e->user, e->host, e->port, e->db);
}
