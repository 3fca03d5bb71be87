#include "engine/lobs.h"

#include <cjson/cJSON.h>
#include <libpq/libpq-fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pg.h"
#include "model/strbuf.h"
#include "pgprobe/lobs.h"

#define LOB_PIECE (256 * 1024)

const engine_table engine_lobs_table = {
    .schema = "pg_catalog", .name = "large objects", .qname = "pg_largeobject",
    .target = "pg_largeobject",
};

/* Columns of the tables whose values may be large-object oids. */
static bool lob_refs(PGconn *src, const engine_table *t, size_t n, char *out, size_t outlen,
                     char *err, size_t errlen)
{
    cJSON *names = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(t[i].qname));
    char *json = cJSON_PrintUnformatted(names);
    cJSON_Delete(names);
    if (!json)
        abort();
    pgp_error e = {0};
    bool ok = pgp_lob_refs(src, json, out, outlen, &e);
    free(json);
    if (!ok)
        snprintf(err, errlen, "finding the columns that reference large objects: %s", e.msg);
    return ok;
}

bool engine_lobs_plan(PGconn *src, const engine_table *t, size_t n, int max_parts,
                      lob_plan *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!lob_refs(src, t, n, out->refs, sizeof out->refs, err, errlen))
        return false;
    if (!out->refs[0])
        return true;
    /* Part bounds at equal counts of objects. */
    char parts[16];
    snprintf(parts, sizeof parts, "%d", max_parts > 0 ? max_parts : 1);
    const char *p[1] = {parts};
    PGresult *r = pg_query(src,
        "WITH o AS (SELECT oid, ntile($1::int) OVER (ORDER BY oid) AS part"
        "           FROM pg_largeobject_metadata)"
        " SELECT min(oid)::text, (SELECT count(*) FROM pg_largeobject_metadata)::text,"
        "        (SELECT coalesce(sum(octet_length(data)), 0) FROM pg_largeobject)::text"
        " FROM o GROUP BY part ORDER BY part",
        1, p, err, errlen);
    if (!r)
        return false;
    int rows = PQntuples(r);
    out->parts = rows;
    out->bounds = calloc((size_t)rows + 1, sizeof *out->bounds);
    if (!out->bounds)
        abort();
    for (int i = 0; i < rows; i++)
        out->bounds[i] = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
    out->bounds[rows] = 0; /* no end */
    if (rows) {
        out->count = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
        out->bytes = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    }
    PQclear(r);
    return true;
}

void engine_lobs_plan_free(lob_plan *p)
{
    free(p->bounds);
    memset(p, 0, sizeof *p);
}

/* One object's contents, piece by piece, from the source's to the sink's. */
static bool copy_contents(PGconn *src, PGconn *sink, Oid oid, _Atomic int64_t *bytes, char *err,
                          size_t errlen)
{
    int in = lo_open(src, oid, INV_READ), out = lo_open(sink, oid, INV_WRITE);
    if (in < 0 || out < 0) {
        char e2[600];
        pg_error(in < 0 ? src : sink, NULL, e2, sizeof e2);
        snprintf(err, errlen, "large object %u: cannot open it on the %s: %s", oid,
                 in < 0 ? "source" : "sink", e2);
        return false;
    }
    char *buf = malloc(LOB_PIECE);
    if (!buf)
        abort();
    bool ok = true;
    for (;;) {
        int n = lo_read(src, in, buf, LOB_PIECE);
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        if (lo_write(sink, out, buf, (size_t)n) != n) {
            ok = false;
            break;
        }
        atomic_fetch_add(bytes, n);
    }
    free(buf);
    if (!ok) {
        char e2[600];
        pg_error(sink, NULL, e2, sizeof e2);
        snprintf(err, errlen, "large object %u: %s", oid, e2);
    }
    lo_close(src, in);
    lo_close(sink, out);
    return ok;
}

/* One object on the sink, in a transaction of its own: an earlier copy of
 * it dropped, created with the same oid and owner, filled. */
static bool copy_one(PGconn *src, PGconn *sink, Oid oid, const char *owner,
                     _Atomic int64_t *bytes, char *err, size_t errlen)
{
    char sql[512], e2[600];
    snprintf(sql, sizeof sql, "BEGIN; SELECT lo_unlink(oid) FROM pg_largeobject_metadata "
             "WHERE oid = %u", oid);
    bool ok = pg_exec(sink, sql, e2, sizeof e2);
    if (ok && lo_create(sink, oid) != oid) {
        pg_error(sink, NULL, e2, sizeof e2);
        ok = false;
    }
    ok = ok && copy_contents(src, sink, oid, bytes, err, errlen);
    if (ok) {
        char *role = PQescapeIdentifier(sink, owner, strlen(owner));
        snprintf(sql, sizeof sql, "ALTER LARGE OBJECT %u OWNER TO %s", oid, role ? role : "");
        PQfreemem(role);
        /* An owner the sink does not have leaves the object the copier's;
         * an ALTER that fails aborts the transaction, so it is asked first. */
        const char *p[1] = {owner};
        PGresult *has = pg_query(sink, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, p, e2,
                                 sizeof e2);
        if (has && PQntuples(has))
            ok = pg_exec(sink, sql, e2, sizeof e2);
        PQclear(has);
    }
    if (ok)
        ok = pg_exec(sink, "COMMIT", e2, sizeof e2);
    else
        PQclear(PQexec(sink, "ROLLBACK"));
    if (!ok && !err[0])
        snprintf(err, errlen, "large object %u: %s", oid, e2);
    return ok;
}

/* Copies the objects r lists (oid, owner). */
static bool copy_listed(PGconn *src, PGconn *sink, PGresult *r, _Atomic int64_t *done,
                        _Atomic int64_t *bytes, const atomic_bool *stop, char *err, size_t errlen)
{
    bool ok = true;
    for (int i = 0; ok && i < PQntuples(r); i++) {
        if (stop && atomic_load(stop)) {
            snprintf(err, errlen, "stopped before large object %s", PQgetvalue(r, i, 0));
            return false;
        }
        ok = copy_one(src, sink, (Oid)strtoul(PQgetvalue(r, i, 0), NULL, 10),
                      PQgetvalue(r, i, 1), bytes, err, errlen);
        if (ok)
            atomic_fetch_add(done, 1);
    }
    return ok;
}

bool engine_copy_lobs(PGconn *src, PGconn *sink, unsigned from, unsigned to,
                      _Atomic int64_t *done, _Atomic int64_t *bytes, const atomic_bool *stop,
                      char *err, size_t errlen)
{
    char f[16], t[16];
    snprintf(f, sizeof f, "%u", from);
    snprintf(t, sizeof t, "%u", to);
    const char *p[2] = {f, t};
    err[0] = '\0';
    PGresult *r = pg_query(src,
        "SELECT oid, pg_get_userbyid(lomowner) FROM pg_largeobject_metadata"
        " WHERE oid >= $1::oid AND ($2::oid = 0 OR oid < $2::oid) ORDER BY oid",
        2, p, err, errlen);
    if (!r)
        return false;
    bool ok = copy_listed(src, sink, r, done, bytes, stop, err, errlen);
    PQclear(r);
    return ok;
}

bool engine_copy_lob_list(PGconn *src, PGconn *sink, const unsigned *oids, size_t n,
                          _Atomic int64_t *done, _Atomic int64_t *bytes, const atomic_bool *stop,
                          char *err, size_t errlen)
{
    strbuf arr = {0};
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&arr, "%s%u", i ? "," : "{", oids[i]);
    strbuf_put(&arr, n ? "}" : "{}", n ? 1 : 2);
    const char *p[1] = {arr.s};
    err[0] = '\0';
    /* lo_open needs a transaction; one snapshot for all of them. */
    bool ok = pg_exec(src, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen);
    PGresult *r = ok ? pg_query(src,
        "SELECT oid, pg_get_userbyid(lomowner) FROM pg_largeobject_metadata"
        " WHERE oid = ANY($1::oid[]) ORDER BY oid", 1, p, err, errlen) : NULL;
    strbuf_free(&arr);
    ok = r && copy_listed(src, sink, r, done, bytes, stop, err, errlen);
    PQclear(r);
    PQclear(PQexec(src, "ROLLBACK"));
    return ok;
}
