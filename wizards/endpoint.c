#include "wizards/endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const modes[] = {"host, port, user", "URI, conninfo or service"};

static bool need(const form_field *f, void *ctx, char *err, size_t n)
{
    (void)ctx;
    if (f->value[0])
        return true;
    snprintf(err, n, "%s is required", f->label);
    return false;
}

static bool host_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    if (!need(f, ctx, err, n))
        return false;
    for (const char *p = f->value; *p; p++)
        if (*p == ' ' || *p == '/' || *p == '@' || *p == '\'') {
            snprintf(err, n, "a host name or address has no '%c' (use the URI form for "
                             "more than a host)", *p);
            return false;
        }
    return true;
}

static bool port_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    (void)ctx;
    char *end;
    long p = strtol(f->value, &end, 10);
    if (!f->value[0] || *end || p < 1 || p > 65535) {
        snprintf(err, n, "a port is a number from 1 to 65535");
        return false;
    }
    return true;
}

/* Checked by pgprobe's own parser, so the error is the one a connect
 * would give. */
static bool uri_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    (void)ctx;
    if (!f->value[0]) {
        snprintf(err, n, "a postgresql:// URI, host=... dbname=... pairs, or service=NAME");
        return false;
    }
    pgp_endpoint ep;
    pgp_error e = {0};
    bool ok = pgp_endpoint_parse(&ep, "endpoint", f->value, &e);
    if (ok)
        wiz_endpoint_wipe_free(&ep);
    else
        snprintf(err, n, "%s", e.msg);
    return ok;
}

void wiz_endpoint_fields(form_field f[EPF_N])
{
    memset(f, 0, sizeof *f * EPF_N);
    f[EPF_MODE] = (form_field){.kind = F_CHOICE, .key = "mode", .label = "Give",
                               .choices = modes, .n_choices = 2};
    f[EPF_HOST] = (form_field){.kind = F_TEXT, .key = "host", .label = "Host",
                               .validate = host_ok};
    f[EPF_PORT] = (form_field){.kind = F_TEXT, .key = "port", .label = "Port",
                               .value = "5432", .validate = port_ok};
    f[EPF_DB] = (form_field){.kind = F_TEXT, .key = "db", .label = "Database",
                             .validate = need};
    f[EPF_USER] = (form_field){.kind = F_TEXT, .key = "user", .label = "User",
                               .validate = need};
    f[EPF_PASSWORD] = (form_field){.kind = F_PASSWORD, .key = "password", .label = "Password",
                                   .hint = "(empty: ~/.pgpass or PGPASSFILE)"};
    f[EPF_URI] = (form_field){.kind = F_TEXT, .key = "uri", .label = "URI/service",
                              .secrets = true,
                              .hidden = true, .validate = uri_ok,
                              .hint = "postgresql://user@host:5432/db or service=NAME"};
}

void wiz_endpoint_sync(form *fm)
{
    bool uri = fm->fields[EPF_MODE].choice == 1;
    for (int i = EPF_HOST; i <= EPF_PASSWORD; i++)
        fm->fields[i].hidden = uri;
    fm->fields[EPF_URI].hidden = !uri;
    for (int i = EPF_HOST; i <= EPF_URI; i++)
        if (fm->fields[i].hidden)
            fm->fields[i].error[0] = '\0';
}

/* A conninfo value in single quotes, ' and \ escaped as libpq wants. */
static void put_quoted(char *out, size_t n, size_t *o, const char *key, const char *v)
{
    *o += (size_t)snprintf(out + *o, *o < n ? n - *o : 0, "%s%s='", *o ? " " : "", key);
    for (; *v && *o + 3 < n; v++) {
        if (*v == '\'' || *v == '\\')
            out[(*o)++] = '\\';
        out[(*o)++] = *v;
    }
    if (*o + 1 < n)
        out[(*o)++] = '\'';
    out[*o < n ? *o : n - 1] = '\0';
}

bool wiz_endpoint_make(form *fm, const char *flag, pgp_endpoint *ep, pgp_error *err)
{
    form_field *f = fm->fields;
    if (f[EPF_MODE].choice == 1)
        return pgp_endpoint_parse(ep, flag, f[EPF_URI].value, err);
    /* The password never goes into the text: it is set as its own keyword. */
    char ci[2048];
    size_t o = 0;
    put_quoted(ci, sizeof ci, &o, "host", f[EPF_HOST].value);
    put_quoted(ci, sizeof ci, &o, "port", f[EPF_PORT].value);
    put_quoted(ci, sizeof ci, &o, "dbname", f[EPF_DB].value);
    put_quoted(ci, sizeof ci, &o, "user", f[EPF_USER].value);
    if (!pgp_endpoint_parse(ep, flag, ci, err))
        return false;
    if (f[EPF_PASSWORD].value[0])
        pgp_endpoint_set(ep, "password", f[EPF_PASSWORD].value);
    return true;
}

void wiz_endpoint_wipe_free(pgp_endpoint *ep)
{
    for (size_t i = 0; i < ep->n; i++)
        if (!strcmp(ep->keys[i], "password") && ep->vals[i]) {
            volatile char *p = (volatile char *)ep->vals[i];
            while (*p)
                *p++ = 0;
        }
    pgp_endpoint_free(ep);
}

static void wipe(char *s, size_t n)
{
    volatile char *p = s;
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
}

wiz_conn_test *wiz_conn_test_new(const pgp_endpoint *ep, const char *flag)
{
    wiz_conn_test *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    pgp_endpoint_copy(&t->ep, ep);
    snprintf(t->flag, sizeof t->flag, "%s", flag);
    return t;
}

wiz_conn_test *wiz_conn_test_clone(const wiz_conn_test *t)
{
    wiz_conn_test *k = malloc(sizeof *k);
    if (!k)
        abort();
    *k = *t;
    pgp_endpoint_copy(&k->ep, &t->ep); /* not the original's arena */
    return k;
}

void wiz_conn_test_free(void *arg)
{
    wiz_conn_test *t = arg;
    if (!t)
        return;
    wiz_endpoint_wipe_free(&t->ep);
    wipe(t->password, sizeof t->password);
    free(t);
}

static void copy_str(char *dst, size_t n, const char *s) { snprintf(dst, n, "%s", s ? s : ""); }

void wiz_conn_test_run(wiz_job *j, void *arg)
{
    wiz_conn_test *t = arg;
    wiz_job_progress(j, "connecting to %s", pgp_endpoint_label(&t->ep));
    PGconn *c = pgp_connect_cancelable(&t->ep, "migtop wizard", 10, false,
                                       wiz_job_cancel_flag(j), &t->err);
    if (!c)
        return;
    int v = PQserverVersion(c);
    snprintf(t->server, sizeof t->server, "PostgreSQL %d.%d", v / 10000, v % 10000);
    /* What libpq really used: a URI or a service file may have filled in
     * any of them, and the create request needs them spelled out. */
    copy_str(t->host, sizeof t->host, PQhost(c));
    copy_str(t->port, sizeof t->port, PQport(c));
    copy_str(t->db, sizeof t->db, PQdb(c));
    copy_str(t->user, sizeof t->user, PQuser(c));
    copy_str(t->password, sizeof t->password, PQpass(c));
    snprintf(t->label, sizeof t->label, "%s@%s:%s/%s", t->user, t->host, t->port, t->db);
    PQfinish(c);
    t->ok = true;
}

void wiz_conn_test_describe(const wiz_conn_test *t, char *buf, size_t n)
{
    if (t->ok) {
        snprintf(buf, n, "%s: connected to %s as %s (%s)", t->flag, t->label, t->user, t->server);
        return;
    }
    const char *hint = pgp_errcode_hint(t->err.code);
    snprintf(buf, n, "%s [%s]: %s%s%s", t->flag, pgp_errcode_id(t->err.code), t->err.msg,
             hint[0] ? " | fix: " : "", hint);
}
