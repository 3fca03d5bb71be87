#include "engine/pgoutput_decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bounds-checked reader over one message. Every read fails (and stays
 * failed) rather than run past the end, so malformed input is an error,
 * never a crash. */
typedef struct rd {
    const unsigned char *p;
    size_t len, pos;
    bool bad;
} rd;

static bool need(rd *r, size_t n)
{
    if (r->bad || r->len - r->pos < n) {
        r->bad = true;
        return false;
    }
    return true;
}

static uint8_t u8(rd *r)
{
    return need(r, 1) ? r->p[r->pos++] : 0;
}

static uint16_t u16(rd *r)
{
    if (!need(r, 2))
        return 0;
    uint16_t v = (uint16_t)(r->p[r->pos] << 8 | r->p[r->pos + 1]);
    r->pos += 2;
    return v;
}

static uint32_t u32(rd *r)
{
    if (!need(r, 4))
        return 0;
    const unsigned char *p = r->p + r->pos;
    r->pos += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t u64(rd *r)
{
    uint64_t hi = u32(r);
    return hi << 32 | u32(r);
}

/* A NUL-terminated string inside the message. */
static const char *str(rd *r)
{
    if (r->bad)
        return "";
    const void *z = memchr(r->p + r->pos, 0, r->len - r->pos);
    if (!z) {
        r->bad = true;
        return "";
    }
    const char *s = (const char *)r->p + r->pos;
    r->pos = (size_t)((const unsigned char *)z - r->p) + 1;
    return s;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        abort();
    return q;
}

void pgo_init(pgo_decoder *d)
{
    memset(d, 0, sizeof *d);
}

static void free_rel(pgo_relation *rel)
{
    free(rel->nspname);
    free(rel->relname);
    for (int i = 0; i < rel->ncols; i++)
        free(rel->cols[i].name);
    free(rel->cols);
}

void pgo_reset(pgo_decoder *d)
{
    for (size_t i = 0; i < d->n_rels; i++)
        free_rel(&d->rels[i]);
    d->n_rels = 0;
    d->in_stream = false;
}

void pgo_free(pgo_decoder *d)
{
    pgo_reset(d);
    free(d->rels);
    free(d->scratch);
    free(d->relid_buf);
    for (int t = 0; t < 2; t++) {
        pgo_tuple *tp = t ? &d->msg.new_tup : &d->msg.old_tup;
        free(tp->kinds);
        free(tp->vals);
        free(tp->lens);
    }
    memset(d, 0, sizeof *d);
}

const pgo_relation *pgo_relation_get(const pgo_decoder *d, uint32_t relid)
{
    for (size_t i = 0; i < d->n_rels; i++)
        if (d->rels[i].relid == relid)
            return &d->rels[i];
    return NULL;
}

/* A wire timestamp (microseconds since 2000) as Unix microseconds,
 * saturated: hostile or corrupt input near the ends of int64 must not
 * overflow (infinity is sent as INT64_MAX). */
static int64_t pg_ts(uint64_t v)
{
    int64_t t = (int64_t)v;
    if (t > INT64_MAX - PGO_EPOCH_OFFSET_US)
        return INT64_MAX;
    return t + PGO_EPOCH_OFFSET_US;
}

static bool relation(pgo_decoder *d, rd *r, char *err, size_t errlen)
{
    pgo_relation n = {0};
    n.relid = u32(r);
    n.nspname = xstrdup(str(r));
    n.relname = xstrdup(str(r));
    n.replident = (char)u8(r);
    int ncols = u16(r);
    /* Each column takes at least 10 bytes: a count beyond what is left is
     * malformed, and checking it first bounds the allocation. */
    if (!r->bad && (size_t)ncols * 10 > r->len - r->pos)
        r->bad = true;
    if (!r->bad) {
        n.cols = calloc((size_t)ncols + 1, sizeof *n.cols);
        if (!n.cols)
            abort();
        for (int i = 0; i < ncols && !r->bad; i++) {
            n.cols[i].key = (u8(r) & 1) != 0;
            n.cols[i].name = xstrdup(str(r));
            n.cols[i].type_oid = u32(r);
            n.cols[i].typmod = (int32_t)u32(r);
            n.ncols = i + 1;
        }
    }
    if (r->bad) {
        free_rel(&n);
        snprintf(err, errlen, "malformed Relation message");
        return false;
    }
    for (size_t i = 0; i < d->n_rels; i++) {
        if (d->rels[i].relid == n.relid) {
            n.version = d->rels[i].version + 1;
            free_rel(&d->rels[i]);
            d->rels[i] = n;
            d->msg.rel = &d->rels[i];
            return true;
        }
    }
    if (d->n_rels == d->cap_rels) {
        d->cap_rels = d->cap_rels ? d->cap_rels * 2 : 16;
        d->rels = xrealloc(d->rels, d->cap_rels * sizeof *d->rels);
    }
    n.version = 1;
    d->rels[d->n_rels] = n;
    d->msg.rel = &d->rels[d->n_rels++];
    return true;
}

static void tuple_room(pgo_decoder *d, int which, int ncols)
{
    pgo_tuple *t = which ? &d->msg.new_tup : &d->msg.old_tup;
    if (ncols > d->tup_cap[which]) {
        t->kinds = xrealloc(t->kinds, (size_t)ncols);
        t->vals = xrealloc(t->vals, (size_t)ncols * sizeof *t->vals);
        t->lens = xrealloc(t->lens, (size_t)ncols * sizeof *t->lens);
        d->tup_cap[which] = ncols;
    }
}

/* TupleData; text values are copied NUL-terminated into the scratch
 * buffer, which was sized for the whole message beforehand. */
static bool tuple(pgo_decoder *d, rd *r, int which, size_t *sp)
{
    pgo_tuple *t = which ? &d->msg.new_tup : &d->msg.old_tup;
    int ncols = u16(r);
    if (r->bad || (size_t)ncols > r->len - r->pos)
        return false;
    tuple_room(d, which, ncols);
    t->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        char k = (char)u8(r);
        t->kinds[i] = k;
        t->vals[i] = NULL;
        t->lens[i] = 0;
        if (k == 'n' || k == 'u')
            continue;
        if (k != 't' && k != 'b')
            return false;
        uint32_t n = u32(r);
        if (!need(r, n))
            return false;
        if (k == 'b') /* never requested (binary 'false'): refuse, not guess */
            return false;
        char *dst = d->scratch + *sp;
        memcpy(dst, r->p + r->pos, n);
        dst[n] = 0;
        *sp += (size_t)n + 1;
        r->pos += n;
        t->vals[i] = dst;
        t->lens[i] = (int)n;
    }
    return !r->bad;
}

static const pgo_relation *change_rel(const pgo_decoder *d, rd *r, char *err, size_t errlen)
{
    uint32_t relid = u32(r);
    const pgo_relation *rel = pgo_relation_get(d, relid);
    if (!rel && !r->bad)
        snprintf(err, errlen, "change for relation %u before its Relation message", relid);
    else if (r->bad)
        snprintf(err, errlen, "truncated change message");
    return rel;
}

static bool check_cols(const pgo_relation *rel, const pgo_tuple *t, char *err, size_t errlen)
{
    if (t->ncols == rel->ncols)
        return true;
    snprintf(err, errlen, "tuple of %d column(s) for %s.%s, which has %d", t->ncols,
             rel->nspname, rel->relname, rel->ncols);
    return false;
}

static bool dec_insert(pgo_decoder *d, rd *r, size_t *sp, char *err, size_t errlen)
{
    pgo_msg *m = &d->msg;
    m->kind = PGO_INSERT;
    if (!(m->rel = change_rel(d, r, err, errlen)))
        return false;
    if (u8(r) != 'N' || !tuple(d, r, 1, sp)) {
        snprintf(err, errlen, "malformed Insert for %s.%s", m->rel->nspname, m->rel->relname);
        return false;
    }
    return check_cols(m->rel, &m->new_tup, err, errlen);
}

/* Update: an optional old key ('K') or old row ('O'), then the new row.
 * Delete: the old key or row. */
static bool dec_update_delete(pgo_decoder *d, rd *r, char type, size_t *sp, char *err,
                              size_t errlen)
{
    pgo_msg *m = &d->msg;
    m->kind = type == 'U' ? PGO_UPDATE : PGO_DELETE;
    if (!(m->rel = change_rel(d, r, err, errlen)))
        return false;
    char k = (char)u8(r);
    bool ok = true;
    if (k == 'K' || k == 'O') {
        m->old_kind = k;
        ok = tuple(d, r, 0, sp) && check_cols(m->rel, &m->old_tup, err, errlen);
        if (ok && type == 'U')
            k = (char)u8(r);
    } else if (type == 'D') {
        ok = false;
    }
    if (ok && type == 'U')
        ok = k == 'N' && tuple(d, r, 1, sp) && check_cols(m->rel, &m->new_tup, err, errlen);
    if (!ok && !err[0])
        snprintf(err, errlen, "malformed %s for %s.%s", type == 'U' ? "Update" : "Delete",
                 m->rel->nspname, m->rel->relname);
    return ok;
}

static bool dec_truncate(pgo_decoder *d, rd *r, char *err, size_t errlen)
{
    pgo_msg *m = &d->msg;
    m->kind = PGO_TRUNCATE;
    uint32_t n = u32(r);
    uint8_t opt = u8(r);
    m->cascade = (opt & 1) != 0;
    m->restart_identity = (opt & 2) != 0;
    if (r->bad || (size_t)n * 4 > r->len - r->pos) {
        snprintf(err, errlen, "malformed Truncate message");
        return false;
    }
    if (n > d->relid_cap) {
        d->relid_buf = xrealloc(d->relid_buf, n * sizeof *d->relid_buf);
        d->relid_cap = n;
    }
    for (uint32_t i = 0; i < n; i++)
        d->relid_buf[i] = u32(r);
    m->relids = d->relid_buf;
    m->n_relids = (int)n;
    return true;
}

/* Begin, Commit, Origin, Type and the stream markers: fixed fields. */
static void dec_simple(pgo_decoder *d, rd *r, char type)
{
    pgo_msg *m = &d->msg;
    switch (type) {
    case 'B':
        m->kind = PGO_BEGIN;
        m->final_lsn = u64(r);
        m->commit_ts = pg_ts(u64(r));
        m->xid = u32(r);
        break;
    case 'C':
    case 'c':
        m->kind = type == 'C' ? PGO_COMMIT : PGO_STREAM_COMMIT;
        if (type == 'c')
            m->xid = u32(r);
        (void)u8(r); /* flags, unused */
        m->commit_lsn = u64(r);
        m->end_lsn = u64(r);
        m->commit_ts = pg_ts(u64(r));
        break;
    case 'O':
        m->kind = PGO_ORIGIN;
        m->final_lsn = u64(r);
        m->origin_name = str(r);
        break;
    case 'Y':
        m->kind = PGO_TYPE;
        (void)u32(r);
        (void)str(r);
        (void)str(r);
        break;
    case 'S':
        m->kind = PGO_STREAM_START;
        m->xid = u32(r);
        m->first_segment = u8(r) == 1;
        d->in_stream = !r->bad;
        break;
    case 'E':
        m->kind = PGO_STREAM_STOP;
        d->in_stream = false;
        break;
    case 'A':
        m->kind = PGO_STREAM_ABORT;
        m->xid = u32(r);
        m->sub_xid = u32(r);
        if (r->len - r->pos >= 16) { /* protocol 4 with parallel streaming */
            m->abort_lsn = u64(r);
            m->commit_ts = pg_ts(u64(r));
        }
        break;
    default:
        break;
    }
}

/* Inside a streamed transaction (between Stream Start and Stream Stop),
 * the data messages start with the transaction's xid. */
static bool streamed_data(char type)
{
    return type == 'R' || type == 'Y' || type == 'I' || type == 'U' || type == 'D' ||
           type == 'T' || type == 'M';
}

bool pgo_decode(pgo_decoder *d, const char *buf, size_t len, char *err, size_t errlen)
{
    rd r = {(const unsigned char *)buf, len, 0, false};
    pgo_msg *m = &d->msg;
    if (errlen)
        err[0] = 0;
    m->rel = NULL;
    m->old_kind = 0;
    m->old_tup.ncols = m->new_tup.ncols = 0;
    m->n_relids = 0;
    m->streamed = false;
    size_t want = 2 * len + 64, sp = 0;
    if (d->scratch_cap < want) {
        d->scratch = xrealloc(d->scratch, want);
        d->scratch_cap = want;
    }
    char type = (char)u8(&r);
    if (d->in_stream && streamed_data(type)) {
        m->streamed = true;
        m->xid = u32(&r);
    }
    switch (type) {
    case 'R':
        m->kind = PGO_RELATION;
        return relation(d, &r, err, errlen);
    case 'M':
        m->kind = PGO_MESSAGE;
        return true;
    case 'I':
        return dec_insert(d, &r, &sp, err, errlen);
    case 'U':
    case 'D':
        return dec_update_delete(d, &r, type, &sp, err, errlen);
    case 'T':
        if (!dec_truncate(d, &r, err, errlen))
            return false;
        break;
    case 'B': case 'C': case 'c': case 'O': case 'Y': case 'S': case 'E': case 'A':
        dec_simple(d, &r, type);
        break;
    default:
        snprintf(err, errlen, "unknown pgoutput message type 0x%02x", (unsigned char)type);
        return false;
    }
    if (r.bad) {
        snprintf(err, errlen, "truncated pgoutput message '%c'", type);
        return false;
    }
    return true;
}

bool pgo_decode_streamed(pgo_decoder *d, const char *buf, size_t len, char *err, size_t errlen)
{
    bool was = d->in_stream;
    d->in_stream = true;
    bool ok = pgo_decode(d, buf, len, err, errlen);
    d->in_stream = was;
    return ok;
}
