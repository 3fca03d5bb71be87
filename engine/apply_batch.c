/* Batches (apply_internal.h, apply_sql.h): a table's consecutive changes
 * of one shape with distinct keys go as one statement, of
 * APPLY_BATCH_MAX or APPLY_BATCH_MID rows, the rest one by one. A
 * statement per row is what costs on the sink (each one a portal, an
 * executor start, a round of the protocol): a batch of 128 updates runs
 * in a fraction of their time. Order: a table's changes keep theirs (a
 * change that does not join its table's batch sends the batch first; a
 * key already in it too), and tables are independent inside the sink
 * transaction (foreign keys and triggers do not fire in the apply's
 * session_replication_role = replica), so batches of different tables
 * may go in any order, all of them before a TRUNCATE, a savepoint and
 * the COMMIT.
 *
 * Coalescing: an UPDATE of a row the batch already updates, in the same
 * shape (the same columns sent, the key unchanged), replaces that row's
 * values. The group is one sink transaction, so nobody sees the
 * versions in between, and the row ends as serial apply leaves it (a
 * column sent as unchanged TOAST is unchanged in both). Rows of other
 * keys in the batch are changed once each, by key, and the table has no
 * unique index besides the key's (apply_sql_batchable), so no row
 * collides on the way. A hot row then gets one new version a group, not
 * one a source transaction: none pile up, and far fewer statements go. */
#include <stdlib.h>
#include <string.h>

#include "engine/apply_internal.h"
#include "engine/apply_sql.h"

void batch_drop(arel *ar)
{
    abatch *b = &ar->b;
    b->rows = 0;
    b->garbage = 0;
    b->gated = false;
    strbuf_reset(&b->vals);
    strbuf_reset(&b->keys);
    key_set_clear(&b->key_hashes);
}

void batch_free(arel *ar)
{
    batch_drop(ar);
    strbuf_free(&ar->b.vals);
    strbuf_free(&ar->b.keys);
    key_set_free(&ar->b.key_hashes);
    strbuf_free(&ar->b.shape);
    free(ar->b.offs);
    ar->b.offs = NULL;
    ar->b.cap_offs = 0;
}

/* The row of the batch with key (n bytes), or -1 (a keyed table's rows
 * all have one, in the rows' order). The hash spares the walk for a key
 * the batch does not hold, as most are: a batch may grow to
 * APPLY_GATED_MAX rows. */
static int row_of(const abatch *b, const char *key, size_t n)
{
    if (!key_set_has(&b->key_hashes, key_hash(KEY_HASH_SEED, key, n)))
        return -1;
    int r = 0;
    for (size_t at = 0; at < b->keys.n; at += strlen(b->keys.s + at) + 1, r++)
        if (!strcmp(b->keys.s + at, key))
            return r;
    return -1;
}

/* One statement over rows rows of the batch, from row first. */
static bool send_rows(cdc_apply *a, arel *ar, size_t si, int first, int rows)
{
    abatch *b = &ar->b;
    size_t n = (size_t)rows * (size_t)b->np;
    apply_want_vals(a, n);
    const long *o = b->offs + (size_t)first * (size_t)b->np;
    for (size_t i = 0; i < n; i++)
        a->vals[i] = o[i] < 0 ? NULL : b->vals.s + o[i];
    char what[200];
    if (rows > 1)
        snprintf(what, sizeof what, "%.150s (%d rows)", b->what, rows);
    else
        snprintf(what, sizeof what, "%.150s", b->what);
    const stmt *s = &ar->st[si];
    return pipe_send_prepared(a, s->name, (int)n, a->vals, what, s->sql);
}

bool batch_flush(cdc_apply *a, arel *ar, char *err, size_t errlen)
{
    abatch *b = &ar->b;
    if (!b->rows)
        return true;
    /* A row that waits for the other lane's group: that group first. */
    if (b->gated && a->gate.wait && !a->gate.wait(a->gate.ctx, err, errlen))
        return false;
    bool ok = true;
    int at = 0;
    for (; ok && b->rows - at >= APPLY_BATCH_MAX; at += APPLY_BATCH_MAX)
        ok = send_rows(a, ar, b->st_max, at, APPLY_BATCH_MAX);
    for (; ok && b->rows - at >= APPLY_BATCH_MID; at += APPLY_BATCH_MID)
        ok = send_rows(a, ar, b->st_mid, at, APPLY_BATCH_MID);
    for (; ok && at < b->rows; at++)
        ok = send_rows(a, ar, b->st1, at, 1);
    if (!ok)
        pipe_fail(a, err, errlen, b->what);
    batch_drop(ar);
    return ok;
}

bool batch_flush_all(cdc_apply *a, char *err, size_t errlen)
{
    for (size_t i = 0; i < a->n_rels; i++)
        if (!batch_flush(a, &a->rels[i], err, errlen))
            return false;
    return true;
}

/* The first row of a batch: its statements, prepared once per shape. */
static bool start(cdc_apply *a, arel *ar, const pgo_msg *m, char *err, size_t errlen)
{
    abatch *b = &ar->b;
    long s1 = apply_stmt_for(a, ar, m, 1, err, errlen);
    long smid = s1 < 0 ? -1 : apply_stmt_for(a, ar, m, APPLY_BATCH_MID, err, errlen);
    long smax = smid < 0 ? -1 : apply_stmt_for(a, ar, m, APPLY_BATCH_MAX, err, errlen);
    if (smax < 0)
        return false;
    b->st1 = (size_t)s1;
    b->st_mid = (size_t)smid;
    b->st_max = (size_t)smax;
    strbuf_reset(&b->shape);
    apply_sql_shape(m, &b->shape);
    b->np = 0;
    snprintf(b->what, sizeof b->what, "%s on %.140s",
             m->kind == PGO_INSERT ? "INSERT" : m->kind == PGO_UPDATE ? "UPDATE" : "DELETE",
             ar->t.qname);
    return true;
}

/* Row r's parameters: a->vals[0..np) copied after the ones there. */
static void put_row(abatch *b, int r, int np, const char *const *vals)
{
    for (int j = 0; j < np; j++) {
        long *o = &b->offs[(size_t)r * (size_t)np + (size_t)j];
        if (!vals[j]) {
            *o = -1;
            continue;
        }
        *o = (long)b->vals.n;
        strbuf_put(&b->vals, vals[j], strlen(vals[j]) + 1);
    }
}

/* m replaces row r's values (the coalescing above); false: it cannot. */
static bool coalesce(cdc_apply *a, arel *ar, int r, const pgo_msg *m)
{
    abatch *b = &ar->b;
    if (r < 0 || m->kind != PGO_UPDATE || b->garbage > APPLY_COALESCE_MAX)
        return false;
    apply_want_vals(a, APPLY_SQL_MAX_PARAMS(m->rel));
    if (apply_sql_params(m, &ar->t, a->vals) != b->np)
        return false;
    const long *o = b->offs + (size_t)r * (size_t)b->np;
    for (int j = 0; j < b->np; j++)
        if (o[j] >= 0)
            b->garbage += strlen(b->vals.s + o[j]) + 1;
    put_row(b, r, b->np, a->vals);
    return true;
}

bool batch_add(cdc_apply *a, arel *ar, const pgo_msg *m, bool gated, char *err,
               size_t errlen)
{
    abatch *b = &ar->b;
    strbuf *key = &a->batch_key, *shape = &a->batch_shape;
    strbuf_reset(key);
    strbuf_reset(shape);
    apply_sql_batch_key(m, key);
    apply_sql_shape(m, shape);
    bool same = b->rows && !strcmp(shape->s, b->shape.s);
    int r = b->rows && key->n ? row_of(b, key->s, key->n) : -1;
    if (same && coalesce(a, ar, r, m)) {
        b->gated |= gated;
        return true;
    }
    if (r >= 0)
        a->repeats++;
    if (b->rows && (r >= 0 || !same) && !batch_flush(a, ar, err, errlen))
        return false;
    if (!b->rows && !start(a, ar, m, err, errlen))
        return false;
    /* The row's parameters, copied: the decoder's memory is reused. */
    apply_want_vals(a, APPLY_SQL_MAX_PARAMS(m->rel));
    int np = apply_sql_params(m, &ar->t, a->vals);
    b->np = np;
    size_t need = (size_t)(b->rows + 1) * (size_t)np;
    if (need > b->cap_offs) {
        b->cap_offs = need * 2;
        b->offs = realloc(b->offs, b->cap_offs * sizeof *b->offs);
        if (!b->offs)
            abort();
    }
    put_row(b, b->rows, np, a->vals);
    if (key->n) {
        strbuf_put(&b->keys, key->s, key->n + 1);
        key_set_add(&b->key_hashes, key_hash(KEY_HASH_SEED, key->s, key->n));
    }
    b->rows++;
    b->gated |= gated;
    if (b->rows < APPLY_BATCH_MAX ||
        (b->gated && b->rows < APPLY_GATED_MAX && a->gate.shut && a->gate.shut(a->gate.ctx)))
        return true;
    return batch_flush(a, ar, err, errlen);
}
