/* Endpoints: every way a user names a PostgreSQL server, turned into
 * libpq keywords (see conn.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/flags.h"
#include "pgprobe/conn.h"

static void ep_init(pgp_endpoint *ep, const char *flag)
{
    memset(ep, 0, sizeof *ep);
    arena_init(&ep->a);
    ep->flag = arena_strdup(&ep->a, flag ? flag : "endpoint");
}

void pgp_endpoint_set(pgp_endpoint *ep, const char *key, const char *val)
{
    for (size_t i = 0; i < ep->n; i++) {
        if (strcmp(ep->keys[i], key))
            continue;
        if (val) {
            ep->vals[i] = arena_strdup(&ep->a, val);
        } else {
            memmove(&ep->keys[i], &ep->keys[i + 1], (ep->n - i) * sizeof ep->keys[0]);
            memmove(&ep->vals[i], &ep->vals[i + 1], (ep->n - i) * sizeof ep->vals[0]);
            ep->n--;
        }
        return;
    }
    if (!val || ep->n >= PGP_MAX_KEYWORDS)
        return;
    ep->keys[ep->n] = arena_strdup(&ep->a, key);
    ep->vals[ep->n] = arena_strdup(&ep->a, val);
    ep->n++;
    ep->keys[ep->n] = ep->vals[ep->n] = NULL;
}

const char *pgp_endpoint_get(const pgp_endpoint *ep, const char *key)
{
    for (size_t i = 0; i < ep->n; i++)
        if (!strcmp(ep->keys[i], key))
            return ep->vals[i];
    return NULL;
}

static bool is_uri(const char *s)
{
    return !strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11);
}

/* libpq's parser takes both URIs and key=value strings; its keywords are
 * the only ones libpq accepts later, so a string it parses is one. */
static bool parse_libpq(pgp_endpoint *ep, const char *text, pgp_error *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(text, &perr);
    if (!opts) {
        char m[512];
        pgp_scrub_line(m, sizeof m, perr ? perr : "out of memory", NULL);
        pgp_error_set(err, PGP_ERR_SYNTAX, "--%s: %s", ep->flag, m);
        PQfreemem(perr);
        return false;
    }
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && *o->val)
            pgp_endpoint_set(ep, o->keyword, o->val);
    PQconninfoFree(opts);
    return true;
}

bool pgp_endpoint_parse(pgp_endpoint *ep, const char *flag, const char *text, pgp_error *err)
{
    ep_init(ep, flag);
    if (err)
        *err = (pgp_error){0};
    while (text && (*text == ' ' || *text == '\t'))
        text++;
    if (!text || !*text) {
        ep->form = "environment";
        return true;
    }
    if (is_uri(text)) {
        ep->form = "uri";
        return parse_libpq(ep, text, err);
    }
    /* key=value only if libpq accepts it: "user:pa=ss@h:5432/db" is not. */
    if (strchr(text, '=')) {
        PQconninfoOption *opts = PQconninfoParse(text, NULL);
        if (opts) {
            PQconninfoFree(opts);
            ep->form = "conninfo";
            return parse_libpq(ep, text, err);
        }
    }
    if (!strchr(text, '@')) {
        pgp_error_set(err, PGP_ERR_SYNTAX,
                      "--%s: not an endpoint: expected user:password@host:port/db, a "
                      "postgresql:// URI or key=value pairs such as \"host=h dbname=d\"",
                      ep->flag);
        return false;
    }
    ep->form = "kbcli";
    mt_endpoint_arg a;
    char m[512];
    if (!mt_parse_endpoint(&ep->a, ep->flag, text, &a, m, sizeof m)) {
        pgp_error_set(err, PGP_ERR_SYNTAX, "%s", m);
        return false;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", a.port);
    pgp_endpoint_set(ep, "host", a.host);
    pgp_endpoint_set(ep, "port", port);
    pgp_endpoint_set(ep, "user", a.user);
    if (*a.password)
        pgp_endpoint_set(ep, "password", a.password);
    if (*a.database)
        pgp_endpoint_set(ep, "dbname", a.database);
    return true;
}

const char *pgp_endpoint_label(pgp_endpoint *ep)
{
    const char *user = pgp_endpoint_get(ep, "user"), *host = pgp_endpoint_get(ep, "host");
    const char *port = pgp_endpoint_get(ep, "port"), *db = pgp_endpoint_get(ep, "dbname");
    const char *svc = pgp_endpoint_get(ep, "service");
    if (!user)
        user = getenv("PGUSER");
    if (!host)
        host = getenv("PGHOST");
    if (!port)
        port = getenv("PGPORT");
    if (!db)
        db = getenv("PGDATABASE");
    if (!svc && !host)
        svc = getenv("PGSERVICE");
    char *s = arena_printf(&ep->a, "%s@%s:%s/%s", user ? user : "(default user)",
                           host ? host : "(default host)", port ? port : "5432",
                           db ? db : user ? user : "(default db)");
    if (svc)
        s = arena_printf(&ep->a, "service %s (%s)", svc, s);
    return s;
}

void pgp_endpoint_copy(pgp_endpoint *dst, const pgp_endpoint *src)
{
    ep_init(dst, src->flag);
    dst->form = src->form;
    for (size_t i = 0; i < src->n; i++)
        pgp_endpoint_set(dst, src->keys[i], src->vals[i]);
}

void pgp_endpoint_free(pgp_endpoint *ep)
{
    arena_free(&ep->a);
    memset(ep, 0, sizeof *ep);
}

