/* What every precheck topic (precheck_*.c) uses: growing found/fix
 * texts, quoting on the side's connection, pg_hba.conf lines for this
 * client, and the check for a query that failed unexpectedly. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgprobe/precheck_internal.h"

void pc_printf(pc_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&t->b, fmt, ap);
    va_end(ap);
}

void pc_item(pc_text *t, size_t max, const char *fmt, ...)
{
    t->items++;
    if (t->items > max)
        return;
    if (t->b.n)
        pc_printf(t, "\n");
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pc_printf(t, "%s", buf);
}

void pc_item_close(pc_text *t, size_t max)
{
    if (t->items > max)
        pc_printf(t, "\n... and %zu more", t->items - max);
}

const char *pc_str(const pc_text *t)
{
    return strbuf_str(&t->b);
}

void pc_text_free(pc_text *t)
{
    strbuf_free(&t->b);
    memset(t, 0, sizeof *t);
}

const char *pc_ident(pgp_pc *pc, PGconn *c, const char *name)
{
    char *q = pgp_quote_ident(c, name);
    const char *s = arena_strdup(&pc->rep->a, q);
    free(q);
    return s;
}

const char *pc_literal(pgp_pc *pc, PGconn *c, const char *text)
{
    char *q = PQescapeLiteral(c, text, strlen(text));
    if (!q)
        abort();
    const char *s = arena_strdup(&pc->rep->a, q);
    PQfreemem(q);
    return s;
}

/* The quoted value after `key "` in a server message, e.g. host "10.1.2.3". */
static bool msg_field(const char *msg, const char *key, char *out, size_t n)
{
    char pat[32];
    snprintf(pat, sizeof pat, "%s \"", key);
    const char *h = msg ? strstr(msg, pat) : NULL;
    if (!h)
        return false;
    h += strlen(pat);
    size_t len = strcspn(h, "\"");
    snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), h);
    return true;
}

/* The line for this client, user and database, from the server's own
 * message where it names them. A logical replication connection
 * (replication=database) is matched against the database column like any
 * other: a "replication" line is for physical replication only. */
const char *pc_hba_line(pgp_pc *pc, const char *user, const char *db, bool replication,
                        const char *server_msg)
{
    char addr[64] = "", u[128] = "", d[128] = "";
    if (!msg_field(server_msg, "host", addr, sizeof addr))
        snprintf(addr, sizeof addr, "%s", *pc->client_addr ? pc->client_addr : "<client-address>");
    if (!msg_field(server_msg, "user", u, sizeof u))
        snprintf(u, sizeof u, "%s", user && *user ? user : "all");
    if (!msg_field(server_msg, "database", d, sizeof d))
        snprintf(d, sizeof d, "%s", db && *db ? db : "all");
    const char *mask = strchr(addr, ':') ? "/128" : "/32";
    return arena_printf(&pc->rep->a,
                        "host  %s  %s  %s%s  scram-sha-256   # pg_hba.conf, then SELECT "
                        "pg_reload_conf();%s",
                        d, u, addr, mask,
                        replication ? "\n# logical replication (replication=database) matches the "
                                      "database column, not \"replication\""
                                    : "");
}

void pc_query_failed(pgp_pc *pc, const char *id, const pgp_error *err)
{
    pgp_report_add(pc->rep, id, "query the server", PGP_CHECK_FAIL, NULL, "%s%s%s%s",
                   err->msg, *err->sqlstate ? " (SQLSTATE " : "", err->sqlstate,
                   *err->sqlstate ? ")" : "");
}

bool pc_kubeblocks_template(const pgp_pc *pc)
{
    const char *t = pc->in->template_name;
    return !t || !*t || (strcmp(t, "local") != 0 && strcmp(t, MT_LOCAL_TEMPLATE) != 0);
}
