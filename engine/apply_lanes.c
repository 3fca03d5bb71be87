#include "engine/apply_lanes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/apply_sql.h"
#include "engine/key_set.h"
#include "engine/pg.h"
#include "model/fmt.h"

#define CHAIN_PROBE 16
#define CHAIN_EARLY 32

typedef struct lane_gate {
    apply_lanes *l;
    int me;
} lane_gate;

struct apply_lanes {
    cdc_apply *a[2];
    lane_gate gate[2];  /* apply_on_gate's context for each lane */
    key_set keys[2];    /* what each lane's group wrote: table, whole table, rows */
    bool barrier[2];    /* its group holds a TRUNCATE: everything waits for it */
    int n, cur;         /* cur: the lane of the open group */
    bool overlapped_now; /* the open group ran beside the commit before */
    /* Chaining: groups go behind the one before in the same session, as
     * serial apply does, after a group had to wait before it had sent
     * CHAIN_EARLY changes (rows every transaction changes: waiting costs
     * a round trip and leaves next to nothing run side by side; chaining
     * costs nothing); every CHAIN_PROBE groups one tries the other lane
     * again. A wait later in a group (keys met by chance) keeps what ran
     * beside the commit before. */
    bool waited_early, chaining;
    int chained;
    int64_t group_changes;
    uint64_t noted_lsn;
    int64_t noted_ts;
    int64_t read_ms[2]; /* each lane's last read of results (lanes_poll) */
    lanes_stats st;
};

int lanes_wanted(void)
{
    const char *e = getenv("MIGTOP_APPLY_LANES");
    int n = e && *e ? atoi(e) : 2;
    return n < 1 ? 1 : n > 2 ? 2 : n;
}

static bool settle_lane(apply_lanes *l, int k, char *err, size_t errlen);

/* A batch of lane me holding rows the other lane's group wrote is about
 * to go: that group must be durable first (its rows are not visible
 * before, and our row locks must never make it wait on us). */
static bool gate_shut(void *ctx)
{
    const lane_gate *g = ctx;
    return apply_busy(g->l->a[1 - g->me]);
}

static bool gate_open(void *ctx, char *err, size_t errlen)
{
    lane_gate *g = ctx;
    apply_lanes *l = g->l;
    int o = 1 - g->me;
    if (!apply_busy(l->a[o]))
        return true;
    l->st.key_waits++;
    return settle_lane(l, o, err, errlen);
}

apply_lanes *lanes_new(PGconn **sinks, int n, PGconn *src, const atomic_bool *stop,
                       const char *origin, char *err, size_t errlen)
{
    char e2[700];
    n = n < 1 ? 1 : n > 2 ? 2 : n;
    /* The first session took the origin (cdc_origin_attach): from now on
     * each commit takes it and hands it back. */
    if (!pg_exec(sinks[0], "SELECT pg_replication_origin_session_reset()", e2, sizeof e2)) {
        snprintf(err, errlen, "cannot hand the replication origin %s back: %s", origin, e2);
        for (int i = 0; i < n; i++)
            PQfinish(sinks[i]);
        return NULL;
    }
    apply_lanes *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    l->st.lanes = n;
    for (int i = 0; i < n; i++) {
        l->a[i] = apply_new(sinks[i], src, origin, stop, err, errlen); /* takes sinks[i] */
        if (!l->a[i]) {
            for (int k = i + 1; k < n; k++)
                PQfinish(sinks[k]);
            lanes_free(l);
            return NULL;
        }
        l->n = i + 1;
        l->gate[i] = (lane_gate){l, i};
        apply_on_gate(l->a[i], (apply_gate){gate_shut, gate_open, &l->gate[i]});
    }
    return l;
}

void lanes_free(apply_lanes *l)
{
    if (!l)
        return;
    for (int i = 0; i < 2; i++) {
        apply_free(l->a[i]);
        key_set_free(&l->keys[i]);
    }
    free(l);
}

/* A row's identity: its key columns' values (every column for a table
 * found by its whole row). False when it cannot be told (unchanged TOAST,
 * no key column): the change counts as one on the whole table. */
static bool tuple_hash(const pgo_relation *rel, const pgo_tuple *tup, bool all, uint64_t h,
                       uint64_t *out)
{
    bool any = false;
    for (int i = 0; i < rel->ncols; i++) {
        if (!all && !rel->cols[i].key)
            continue;
        if (i >= tup->ncols || tup->kinds[i] == 'u')
            return false;
        h = key_hash(h, &tup->kinds[i], 1);
        if (tup->kinds[i] == 't') {
            uint32_t len = (uint32_t)tup->lens[i];
            h = key_hash(h, &len, sizeof len);
            h = key_hash(h, tup->vals[i], len);
        }
        any = true;
    }
    *out = h;
    return any;
}

/* The rows m touches (its old and new key): up to two hashes. */
static bool row_hashes(const pgo_msg *m, uint64_t table, uint64_t *hs, int *nh)
{
    bool all = !apply_sql_keyed(m->rel);
    *nh = 0;
    if (m->kind == PGO_DELETE || (m->kind == PGO_UPDATE && m->old_kind)) {
        if (!m->old_kind || !tuple_hash(m->rel, &m->old_tup, all, table, &hs[(*nh)++]))
            return false;
    }
    if (m->kind == PGO_INSERT || m->kind == PGO_UPDATE)
        return tuple_hash(m->rel, &m->new_tup, all, table, &hs[(*nh)++]);
    return true;
}

/* The other lane's group, in flight, is durable (and forgotten). */
static bool settle_lane(apply_lanes *l, int k, char *err, size_t errlen)
{
    if (!apply_settle(l->a[k], err, errlen))
        return false;
    key_set_clear(&l->keys[k]);
    l->barrier[k] = false;
    return true;
}

/* Whether m must wait for the other lane's group, and what it writes. */
static bool depends(apply_lanes *l, int o, const pgo_msg *m, uint64_t *hs, int *nh)
{
    const char *q = NULL;
    bool whole = true;
    if (!apply_scope(l->a[l->cur], m->rel->relid, &q, &whole))
        q = m->rel->relname;
    uint64_t t = key_hash(KEY_HASH_SEED, q, strlen(q)), tw = key_hash(t, "*", 1);
    if (!whole)
        whole = !row_hashes(m, t, hs, nh);
    bool dep = l->barrier[o] || key_set_has(&l->keys[o], whole ? t : tw);
    for (int i = 0; !whole && !dep && i < *nh; i++)
        dep = key_set_has(&l->keys[o], hs[i]);
    if (whole) {
        hs[0] = tw;
        *nh = 1;
    }
    hs[(*nh)++] = t;
    return dep;
}

bool lanes_change(apply_lanes *l, const pgo_decoder *d, const pgo_msg *m, bool *structure,
                  char *err, size_t errlen)
{
    cdc_apply *a = l->a[l->cur];
    if (l->n == 1)
        return apply_change(a, d, m, structure, err, errlen);
    int o = 1 - l->cur;
    /* Busy as of the last read of its results (lanes_poll, each turn of
     * the session): one that turned durable since only costs a settle. */
    if (!apply_busy(l->a[o])) {
        key_set_clear(&l->keys[o]);
        l->barrier[o] = false;
    }
    if (m->kind == PGO_TRUNCATE) { /* rare: everything before it, then it alone */
        if (apply_busy(l->a[o]) && !settle_lane(l, o, err, errlen))
            return false;
        l->barrier[l->cur] = true;
        return apply_change(a, d, m, structure, err, errlen);
    }
    *structure = false;
    if (!apply_relation(a, m->rel, structure, err, errlen))
        return false;
    uint64_t hs[4];
    int nh = 0;
    bool dep = depends(l, o, m, hs, &nh);
    /* Still in flight? Asked again only when it matters: a change that
     * depends on it, or the first sign this group runs beside it. */
    if (apply_busy(l->a[o]) && (dep || !l->overlapped_now) && !apply_poll(l->a[o], err, errlen))
        return false;
    /* A change that joins its table's batch waits there, not here: only
     * the batch waits (gate_open), when it goes, mostly at the commit,
     * which waits for the group before anyway; the rest of the group runs
     * beside that group's commit (a hot row coalesces in its batch). */
    /* Never behind a TRUNCATE in flight (barrier): the batch's first
     * statement is prepared at once, and preparing takes the table's lock
     * in this group, which the TRUNCATE not yet run there would wait for,
     * while the batch waits for it: each waiting on the other. Such a
     * change waits here instead (or goes behind it in its session). */
    bool gated = dep && !l->barrier[o] && apply_busy(l->a[o]) && apply_gatable(a, m);
    if (gated) {
        l->overlapped_now = true;
    } else if (apply_busy(l->a[o]) && dep) {
        l->st.key_waits++;
        /* At the group's first change nothing is sent yet: the group goes
         * behind the one in flight, in its pipeline, and waits there on
         * the sink, not here (hot rows that every transaction changes
         * apply as fast as serially). Later in the group, it waits. */
        if (!apply_in_txn(a)) {
            l->cur = o;
        } else {
            l->waited_early |= l->group_changes < CHAIN_EARLY;
            if (!settle_lane(l, o, err, errlen))
                return false;
        }
    } else if (apply_busy(l->a[o])) {
        l->overlapped_now = true;
    }
    for (int i = 0; i < nh; i++)
        key_set_add(&l->keys[l->cur], hs[i]);
    l->group_changes++;
    return apply_change_gated(l->a[l->cur], d, m, gated, structure, err, errlen);
}

bool lanes_commit(apply_lanes *l, uint64_t end_lsn, int64_t commit_ts_us, char *err,
                  size_t errlen)
{
    cdc_apply *a = l->a[l->cur];
    if (!apply_in_txn(a))
        return true;
    /* The group before must have returned: commits keep the source's order. */
    if (l->n == 2 && apply_busy(l->a[1 - l->cur]) && !settle_lane(l, 1 - l->cur, err, errlen))
        return false;
    if (!apply_commit(a, end_lsn, commit_ts_us, err, errlen))
        return false;
    l->st.groups++;
    l->st.overlapped += l->overlapped_now;
    l->overlapped_now = false;
    if (l->waited_early) {
        l->chaining = true;
        l->chained = 0;
    }
    l->waited_early = false;
    l->group_changes = 0;
    if (l->chaining && l->chained++ < CHAIN_PROBE) {
        /* The next group follows this one here; the other lane is idle,
         * so nobody asks what this one wrote. */
        key_set_clear(&l->keys[l->cur]);
        l->barrier[l->cur] = false;
        return true;
    }
    /* The probe starts with nothing in flight (what the chain wrote is
     * not kept). */
    if (l->chaining && !settle_lane(l, l->cur, err, errlen))
        return false;
    l->chaining = false;
    if (l->n == 2)
        l->cur = 1 - l->cur;
    return true;
}

/* A read is a recv on the lane's socket. Once a turn of the session (a
 * turn is mostly one change of the stream) it was most of the runner's
 * CPU in a backlog drain, for results that come a few a group. So a
 * lane is read when the turn asks (the stream was waited on, and the
 * wake may be this lane's results), or when its last read is
 * LANE_READ_BUSY_MS old with results to come, LANE_READ_IDLE_MS old
 * without (a sink that went away is still seen within that). */
#define LANE_READ_BUSY_MS 1
#define LANE_READ_IDLE_MS 100

bool lanes_poll(apply_lanes *l, bool now, char *err, size_t errlen)
{
    int64_t t = fmt_mono_ms();
    for (int i = 0; i < l->n; i++) {
        int64_t every = apply_busy(l->a[i]) ? LANE_READ_BUSY_MS : LANE_READ_IDLE_MS;
        if (!now && t - l->read_ms[i] < every)
            continue;
        l->read_ms[i] = t;
        if (!apply_poll(l->a[i], err, errlen))
            return false;
    }
    return true;
}

bool lanes_settle(apply_lanes *l, char *err, size_t errlen)
{
    /* The older group first: the order of the commits. */
    for (int k = 1; k <= l->n; k++) {
        int i = (l->cur + k) % l->n;
        if (!apply_settle(l->a[i], err, errlen))
            return false;
        if (i != l->cur) {
            key_set_clear(&l->keys[i]);
            l->barrier[i] = false;
        }
    }
    return true;
}

bool lanes_in_txn(const apply_lanes *l) { return apply_in_txn(l->a[l->cur]); }

bool lanes_busy(const apply_lanes *l)
{
    for (int i = 0; i < l->n; i++)
        if (apply_busy(l->a[i]))
            return true;
    return false;
}

static int waited_lane(const apply_lanes *l)
{
    int o = (l->cur + 1) % l->n;
    return apply_busy(l->a[o]) ? o : l->cur;
}

int lanes_socket(const apply_lanes *l) { return apply_socket(l->a[waited_lane(l)]); }
int lanes_backend_pid(const apply_lanes *l) { return apply_backend_pid(l->a[waited_lane(l)]); }

/* The latest commit that returned, over the lanes and the live
 * session's (commits keep the source's order: the latest is the last). */
static uint64_t latest_durable(const apply_lanes *l, int64_t *ts)
{
    uint64_t best = l->noted_lsn;
    *ts = l->noted_ts;
    for (int i = 0; i < l->n; i++)
        if (apply_durable_lsn(l->a[i]) > best) {
            best = apply_durable_lsn(l->a[i]);
            *ts = apply_durable_ts(l->a[i]);
        }
    return best;
}

uint64_t lanes_durable_lsn(const apply_lanes *l)
{
    int64_t ts;
    return latest_durable(l, &ts);
}

int64_t lanes_durable_ts(const apply_lanes *l)
{
    int64_t ts;
    latest_durable(l, &ts);
    return ts;
}

int lanes_repeats(const apply_lanes *l) { return apply_repeats(l->a[l->cur]); }

void lanes_note_durable(apply_lanes *l, uint64_t end_lsn, int64_t commit_ts_us)
{
    if (end_lsn <= l->noted_lsn)
        return;
    l->noted_lsn = end_lsn;
    l->noted_ts = commit_ts_us;
}

void lanes_on_stall(apply_lanes *l, int stall_ms, void (*fn)(void *), void *ctx)
{
    for (int i = 0; i < l->n; i++)
        apply_on_stall(l->a[i], stall_ms, fn, ctx);
}

void lanes_pids(const apply_lanes *l, const char *sep, char *out, size_t outlen)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < l->n && n < outlen; i++)
        n += (size_t)snprintf(out + n, outlen - n, "%s%d", i ? sep : "",
                              apply_backend_pid(l->a[i]));
}

lanes_stats lanes_get_stats(const apply_lanes *l) { return l->st; }
