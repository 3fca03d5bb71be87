#include "cutover/writes.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/taskdir.h"
#include "model/fmt.h"

/* The sessions of the database that are not the migration's nor this one. */
#define OTHERS \
    " FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid" \
    " WHERE a.datname = current_database() AND a.backend_type = 'client backend'" \
    "   AND a.pid <> pg_backend_pid() AND coalesce(a.application_name, '') NOT LIKE 'migtop%'"

static PGconn *open_src(const pgp_endpoint *src, const volatile bool *cancel, char *err,
                        size_t errlen)
{
    pgp_error e = {0};
    PGconn *c = pgp_connect_cancelable(src, "migtop cutover", 10, false, cancel, &e);
    if (!c)
        snprintf(err, errlen, "[%s] %s", pgp_errcode_id(e.code), e.msg);
    return c;
}

static void fill(cut_session *s, const PGresult *r, int i)
{
    s->pid = atoi(PQgetvalue(r, i, 0));
    snprintf(s->role, sizeof s->role, "%s", PQgetvalue(r, i, 1));
    snprintf(s->app, sizeof s->app, "%s", PQgetvalue(r, i, 2));
    snprintf(s->client, sizeof s->client, "%s", PQgetvalue(r, i, 3));
    snprintf(s->state, sizeof s->state, "%s", PQgetvalue(r, i, 4));
    snprintf(s->query, sizeof s->query, "%s", PQgetvalue(r, i, 5));
    for (char *p = s->query; *p; p++)
        if (*p == '\n' || *p == '\t' || *p == '\r')
            *p = ' ';
    s->superuser = !strcmp(PQgetvalue(r, i, 6), "t");
}

bool cut_writers_list(const pgp_endpoint *src, const volatile bool *cancel, cut_writers *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    PGconn *c = open_src(src, cancel, err, errlen);
    if (!c)
        return false;
    pgp_error e = {0};
    PGresult *r = pgp_query(c,
        "SELECT a.pid, a.usename, coalesce(a.application_name, ''),"
        "       coalesce(host(a.client_addr), 'local socket'), coalesce(a.state, ''),"
        "       left(coalesce(a.query, ''), 150), r.rolsuper" OTHERS
        " ORDER BY r.rolsuper, a.usename, a.pid", 0, NULL, &e);
    if (!r) {
        snprintf(err, errlen, "[%s] %s", pgp_errcode_id(e.code), e.msg);
        PQfinish(c);
        return false;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        bool super = !strcmp(PQgetvalue(r, i, 6), "t");
        if (super && out->n_alone < sizeof out->alone / sizeof *out->alone)
            fill(&out->alone[out->n_alone++], r, i);
        else if (!super && out->n < CUT_MAX_SESSIONS)
            fill(&out->v[out->n++], r, i);
        else if (!super)
            out->n_more++;
    }
    PQclear(r);
    PQfinish(c);
    return true;
}

static void session_line(char *out, size_t outlen, size_t *o, const cut_session *s)
{
    fmt_append(out, outlen, o, "\n  pid %d %s@%s (role %s, %s): %.100s", s->pid,
               s->app[0] ? s->app : "no application name", s->client, s->role, s->state,
               s->query[0] ? s->query : "-");
}

void cut_writers_text(const cut_writers *w, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = '\0';
    fmt_append(out, outlen, &o, "%zu session%s that can write", w->n + w->n_more,
               w->n + w->n_more == 1 ? "" : "s");
    for (size_t i = 0; i < w->n && o + 1 < outlen; i++)
        session_line(out, outlen, &o, &w->v[i]);
    if (w->n_more)
        fmt_append(out, outlen, &o, "\n  ... and %zu more", w->n_more);
    if (w->n_alone) {
        fmt_append(out, outlen, &o, "\nleft alone (superusers' sessions):");
        for (size_t i = 0; i < w->n_alone && o + 1 < outlen; i++)
            session_line(out, outlen, &o, &w->alone[i]);
    }
}

/* The database's own default_transaction_read_only: "absent", "on", "off". */
static bool previous_setting(PGconn *c, char *out, size_t n, pgp_error *e)
{
    char v[32];
    if (!pgp_query_value(c,
            "SELECT coalesce((SELECT split_part(x, '=', 2) FROM pg_db_role_setting s,"
            " unnest(s.setconfig) x WHERE s.setrole = 0 AND s.setdatabase ="
            " (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND x LIKE 'default\\_transaction\\_read\\_only=%'), 'absent')",
            0, NULL, v, sizeof v, e))
        return false;
    snprintf(out, n, "%s", !strcmp(v, "absent") ? "absent" : !strcmp(v, "on") ||
                           !strcmp(v, "true") || !strcmp(v, "1") ? "on" : "off");
    return true;
}

static bool set_database(PGconn *c, const char *how, pgp_error *e)
{
    char *db = pgp_quote_ident(c, PQdb(c));
    char sql[700];
    if (!strcmp(how, "absent"))
        snprintf(sql, sizeof sql, "ALTER DATABASE %s RESET default_transaction_read_only", db);
    else
        snprintf(sql, sizeof sql, "ALTER DATABASE %s SET default_transaction_read_only = %s", db,
                 how);
    free(db);
    return pgp_exec(c, sql, e);
}

bool cut_pause_writes(const pgp_endpoint *src, const volatile bool *cancel, cut_pause *rec,
                      char *err, size_t errlen)
{
    PGconn *c = open_src(src, cancel, err, errlen);
    if (!c)
        return false;
    pgp_error e = {0};
    snprintf(rec->db, sizeof rec->db, "%s", PQdb(c));
    snprintf(rec->host, sizeof rec->host, "%s", PQhost(c));
    snprintf(rec->port, sizeof rec->port, "%s", PQport(c));
    snprintf(rec->user, sizeof rec->user, "%s", PQuser(c));
    /* Paused already (a record kept): what was there before that pause. */
    bool ok = rec->previous[0] || previous_setting(c, rec->previous, sizeof rec->previous, &e);
    ok = ok && set_database(c, "on", &e);
    PGresult *r = ok ? pgp_query(c, "SELECT count(pg_terminate_backend(a.pid))" OTHERS
                                    " AND NOT r.rolsuper", 0, NULL, &e) : NULL;
    if (r) {
        rec->ended = atoi(PQgetvalue(r, 0, 0));
        rec->paused_ms = fmt_now_ms();
        PQclear(r);
    }
    ok = r != NULL;
    if (!ok)
        snprintf(err, errlen, "[%s] %s", pgp_errcode_id(e.code), e.msg);
    PQfinish(c);
    return ok;
}

bool cut_resume_writes(const pgp_endpoint *src, const cut_pause *rec,
                       const volatile bool *cancel, char *err, size_t errlen)
{
    PGconn *c = open_src(src, cancel, err, errlen);
    if (!c)
        return false;
    pgp_error e = {0};
    bool ok = set_database(c, rec->previous[0] ? rec->previous : "absent", &e);
    if (!ok)
        snprintf(err, errlen, "[%s] %s", pgp_errcode_id(e.code), e.msg);
    PQfinish(c);
    return ok;
}

static void record_path(const char *dir, const char *task, char *out, size_t n)
{
    snprintf(out, n, "%s/%s.paused.json", dir, task);
}

bool cut_pause_save(const char *dir, const char *task, const cut_pause *rec, char *err,
                    size_t errlen)
{
    if (!engine_mkdirs(dir, err, errlen))
        return false;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "host", rec->host);
    cJSON_AddStringToObject(o, "port", rec->port);
    cJSON_AddStringToObject(o, "user", rec->user);
    cJSON_AddStringToObject(o, "database", rec->db);
    cJSON_AddStringToObject(o, "previous", rec->previous);
    cJSON_AddNumberToObject(o, "paused_ms", (double)rec->paused_ms);
    cJSON_AddNumberToObject(o, "switched_ms", (double)rec->switched_ms);
    cJSON_AddNumberToObject(o, "ended", rec->ended);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    char name[600];
    snprintf(name, sizeof name, "%s.paused.json", task);
    bool ok = text && engine_write_file(dir, name, text, strlen(text), err, errlen);
    cJSON_free(text);
    return ok;
}

bool cut_pause_load(const char *dir, const char *task, cut_pause *rec)
{
    memset(rec, 0, sizeof *rec);
    char path[4800], err[256];
    record_path(dir, task, path, sizeof path);
    char *text = engine_read_file(path, NULL, err, sizeof err);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!o)
        return false;
    const char *keys[] = {"host", "port", "user"};
    char *dst[] = {rec->host, rec->port, rec->user};
    size_t sizes[] = {sizeof rec->host, sizeof rec->port, sizeof rec->user};
    for (int i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        snprintf(dst[i], sizes[i], "%s", cJSON_IsString(v) ? v->valuestring : "");
    }
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(o, "database");
    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "previous");
    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(o, "paused_ms");
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(o, "switched_ms");
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(o, "ended");
    snprintf(rec->db, sizeof rec->db, "%s", cJSON_IsString(db) ? db->valuestring : "");
    snprintf(rec->previous, sizeof rec->previous, "%s",
             cJSON_IsString(pv) ? pv->valuestring : "absent");
    rec->paused_ms = cJSON_IsNumber(pm) ? (int64_t)pm->valuedouble : 0;
    rec->switched_ms = cJSON_IsNumber(sm) ? (int64_t)sm->valuedouble : 0;
    rec->ended = cJSON_IsNumber(en) ? en->valueint : 0;
    cJSON_Delete(o);
    return true;
}

void cut_pause_forget(const char *dir, const char *task)
{
    char path[4800];
    record_path(dir, task, path, sizeof path);
    unlink(path);
}
