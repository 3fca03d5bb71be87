#include "pgprobe/lobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"
#include "model/strbuf.h"

bool pgp_lob_refs(PGconn *c, const char *tables_json, char *out, size_t outlen, pgp_error *err)
{
    const char *p[1] = {tables_json};
    return pgp_query_value(c,
        "SELECT string_agg(a.attrelid::regclass::text || '.' || quote_ident(a.attname), ', '"
        "                  ORDER BY a.attrelid, a.attnum)"
        " FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid"
        " WHERE a.attrelid IN (SELECT jsonb_array_elements_text($1::jsonb)::regclass)"
        "   AND a.attnum > 0 AND NOT a.attisdropped"
        "   AND (ty.oid = 'oid'::regtype OR ty.typname = 'lo')",
        1, p, out, outlen, err) != NULL;
}

/* Per large object: its size and a digest of its pages. Pages that are
 * all zeros are left out of the digest: a hole in a sparse object on one
 * side reads as zeros on the other, where the copy wrote them. */
static const char *LOBS_SQL =
    "SELECT m.oid, coalesce(sum(octet_length(l.data)), 0),"
    "       md5(coalesce(string_agg(l.pageno || ':' || md5(l.data), ',' ORDER BY l.pageno)"
    "                    FILTER (WHERE btrim(l.data, '\\x00'::bytea) <> ''::bytea), ''))"
    " FROM pg_largeobject_metadata m LEFT JOIN pg_largeobject l ON l.loid = m.oid"
    " GROUP BY m.oid ORDER BY m.oid";

/* The query under a savepoint when c is inside a transaction (a
 * validation's snapshot): a privilege error must not end it. */
static PGresult *read_side(PGconn *c, bool *denied, pgp_error *err)
{
    bool in_tx = PQtransactionStatus(c) == PQTRANS_INTRANS;
    if (in_tx && !pgp_exec(c, "SAVEPOINT migtop_lobs", err))
        return NULL;
    PGresult *r = pgp_query(c, LOBS_SQL, 0, NULL, err);
    *denied = !r && !strcmp(err->sqlstate, "42501");
    if (in_tx) {
        pgp_error e2 = {0};
        if (!pgp_exec(c, r ? "RELEASE SAVEPOINT migtop_lobs" : "ROLLBACK TO SAVEPOINT migtop_lobs",
                      r ? err : &e2) &&
            r) {
            PQclear(r);
            return NULL;
        }
    }
    return r;
}

static void add_diff(arena *a, pgp_lob_report *out, size_t *cap, unsigned oid,
                     pgp_lob_diff_kind kind)
{
    if (out->n_diff == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        pgp_lob_diff *v = arena_alloc(a, ncap * sizeof *v);
        if (out->n_diff)
            memcpy(v, out->diff, out->n_diff * sizeof *v);
        out->diff = v;
        *cap = ncap;
    }
    out->diff[out->n_diff++] = (pgp_lob_diff){.oid = oid, .kind = kind};
    out->n_missing += kind == PGP_LOB_MISSING;
    out->n_extra += kind == PGP_LOB_EXTRA;
    out->n_changed += kind == PGP_LOB_CHANGED;
}

/* Both lists are ordered by oid: one merge. */
static void merge(arena *a, const PGresult *s, const PGresult *k, pgp_lob_report *out)
{
    int ns = PQntuples(s), nk = PQntuples(k), i = 0, j = 0;
    size_t cap = 0;
    out->source_count = ns;
    out->sink_count = nk;
    for (int x = 0; x < ns; x++)
        out->source_bytes += strtoll(PQgetvalue(s, x, 1), NULL, 10);
    while (i < ns || j < nk) {
        unsigned so = i < ns ? (unsigned)strtoul(PQgetvalue(s, i, 0), NULL, 10) : 0;
        unsigned ko = j < nk ? (unsigned)strtoul(PQgetvalue(k, j, 0), NULL, 10) : 0;
        if (j >= nk || (i < ns && so < ko)) {
            add_diff(a, out, &cap, so, PGP_LOB_MISSING);
            i++;
        } else if (i >= ns || ko < so) {
            add_diff(a, out, &cap, ko, PGP_LOB_EXTRA);
            j++;
        } else {
            if (strcmp(PQgetvalue(s, i, 1), PQgetvalue(k, j, 1)) ||
                strcmp(PQgetvalue(s, i, 2), PQgetvalue(k, j, 2)))
                add_diff(a, out, &cap, so, PGP_LOB_CHANGED);
            i++, j++;
        }
    }
}

bool pgp_lobs_compare(PGconn *src, PGconn *sink, arena *a, pgp_lob_report *out,
                      pgp_error *err)
{
    out->checked = true;
    bool denied = false;
    PGresult *s = read_side(src, &denied, err);
    if (!s && denied) {
        out->problem = arena_printf(a, "cannot read pg_largeobject on the source as %s (a "
                                       "superuser can): large objects not compared", PQuser(src));
        return true;
    }
    if (!s)
        return false;
    PGresult *k = read_side(sink, &denied, err);
    if (!k) {
        PQclear(s);
        if (!denied)
            return false;
        out->problem = arena_printf(a, "cannot read pg_largeobject on the sink as %s (a "
                                       "superuser can): large objects not compared", PQuser(sink));
        return true;
    }
    merge(a, s, k, out);
    PQclear(s);
    PQclear(k);
    return true;
}

bool pgp_lobs_ok(const pgp_lob_report *r)
{
    return !r->checked || (!r->problem && !r->n_missing && !r->n_changed);
}

static void list_oids(strbuf *b, const pgp_lob_report *r, pgp_lob_diff_kind kind)
{
    size_t shown = 0, n = 0;
    for (size_t i = 0; i < r->n_diff; i++) {
        if (r->diff[i].kind != kind)
            continue;
        if (shown < 5)
            strbuf_printf(b, "%s%u", shown++ ? ", " : " (oid ", r->diff[i].oid);
        n++;
    }
    if (shown)
        strbuf_printf(b, "%s)", n > shown ? ", ..." : "");
}

const char *pgp_lob_summary(arena *a, const pgp_lob_report *r)
{
    if (!r->checked)
        return "";
    if (r->problem)
        return r->problem;
    strbuf b = {0};
    char bytes[32];
    fmt_bytes((uint64_t)r->source_bytes, bytes, sizeof bytes);
    strbuf_printf(&b, "large objects: %lld on the source (%s), %lld on the sink",
                  (long long)r->source_count, bytes, (long long)r->sink_count);
    if (!r->n_diff)
        strbuf_printf(&b, ", all equal");
    if (r->n_changed) {
        strbuf_printf(&b, ", %zu changed", r->n_changed);
        list_oids(&b, r, PGP_LOB_CHANGED);
    }
    if (r->n_missing) {
        strbuf_printf(&b, ", %zu missing on the sink", r->n_missing);
        list_oids(&b, r, PGP_LOB_MISSING);
    }
    if (r->n_extra) {
        strbuf_printf(&b, ", %zu on the sink only", r->n_extra);
        list_oids(&b, r, PGP_LOB_EXTRA);
    }
    const char *s = arena_strdup(a, b.s);
    strbuf_free(&b);
    return s;
}
