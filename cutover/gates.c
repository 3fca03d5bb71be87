#include "cutover/gates.h"

#include "pgprobe/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/describe.h"
#include "model/fmt.h"
#include "engine/spec.h"
#include "engine/taskdir.h"

const char *const cut_gate_titles[CG_N] = {
    [CG_HEALTHY] = "Task healthy",
    [CG_LAG] = "Lag near zero",
    [CG_WRITES] = "Business writes paused",
    [CG_STABLE] = "Stable",
    [CG_SEQUENCES] = "Sequences",
    [CG_VALIDATE] = "Validation",
    [CG_SWITCH] = "Switch",
};

const char *cut_state_name(cut_state s)
{
    return s == CGS_PASS ? "pass" : s == CGS_FAIL ? "FAIL" : s == CGS_OVERRIDE ? "override"
                                                                             : "wait";
}

static void set(cut_gate *g, cut_state st, const char *todo)
{
    if (g->state != CGS_OVERRIDE)
        g->state = st;
    snprintf(g->todo, sizeof g->todo, "%s", st == CGS_PASS ? "" : todo);
}

/* --- endpoints ------------------------------------------------------------ */

static bool parse_ci(pgp_endpoint *ep, const char *flag, const char *host, const char *port,
                     const char *db, const char *user, char *err, size_t errlen)
{
    char ci[2048];
    size_t o = 0;
    const char *keys[] = {"host", "port", "dbname", "user"};
    const char *vals[] = {host, port, db, user};
    for (int i = 0; i < 4; i++) {
        if (!vals[i] || !*vals[i])
            continue;
        o += (size_t)snprintf(ci + o, o < sizeof ci ? sizeof ci - o : 0, "%s%s='", o ? " " : "",
                              keys[i]);
        for (const char *p = vals[i]; *p && o + 3 < sizeof ci; p++) {
            if (*p == '\'' || *p == '\\')
                ci[o++] = '\\';
            ci[o++] = *p;
        }
        if (o + 1 < sizeof ci)
            ci[o++] = '\'';
        ci[o < sizeof ci ? o : sizeof ci - 1] = '\0';
    }
    pgp_error e = {0};
    if (!pgp_endpoint_parse(ep, flag, ci, &e)) {
        snprintf(err, errlen, "%s", e.msg);
        return false;
    }
    return true;
}

static void split_address(const char *addr, char *host, size_t hn, char *port, size_t pn)
{
    if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        snprintf(host, hn, "%.*s", end ? (int)(end - addr - 1) : (int)strlen(addr + 1), addr + 1);
        snprintf(port, pn, "%s", end && end[1] == ':' ? end + 2 : "5432");
        return;
    }
    const char *colon = strrchr(addr, ':');
    snprintf(host, hn, "%.*s", colon ? (int)(colon - addr) : (int)strlen(addr), addr);
    snprintf(port, pn, "%s", colon ? colon + 1 : "5432");
}

bool cut_endpoints(const char *backend_name, const char *state_dir, const mt_task *t,
                   pgp_endpoint *src, pgp_endpoint *sink, char *task_dir, size_t dirlen,
                   char *err, size_t errlen)
{
    task_dir[0] = '\0';
    if (!strcmp(backend_name, "local")) {
        char state[4096];
        engine_spec sp;
        if (!engine_state_dir(state_dir, state, sizeof state, err, errlen) ||
            !engine_task_dir(state, t->meta.name, task_dir, dirlen, err, errlen) ||
            !engine_spec_load(&sp, task_dir, err, errlen))
            return false;
        bool ok = parse_ci(src, "source", sp.src.host, sp.src.port, sp.src.db, sp.src.user,
                           err, errlen) &&
                  parse_ci(sink, "sink", sp.sink.host, sp.sink.port, sp.sink.db, sp.sink.user,
                           err, errlen);
        if (ok) { /* the task's own pgpass: passwords never pass through here */
            pgp_endpoint_set(src, "passfile", sp.passfile);
            pgp_endpoint_set(sink, "passfile", sp.passfile);
        }
        engine_spec_free(&sp);
        return ok;
    }
    const mt_endpoint *e[2] = {&t->source, &t->sink};
    pgp_endpoint *out[2] = {src, sink};
    for (int i = 0; i < 2; i++) {
        char host[256], port[16];
        split_address(e[i]->address ? e[i]->address : "", host, sizeof host, port, sizeof port);
        if (!parse_ci(out[i], i ? "sink" : "source", host, port, e[i]->database, e[i]->user,
                      err, errlen)) {
            if (i)
                pgp_endpoint_free(src);
            return false;
        }
        if (e[i]->password && *e[i]->password)
            pgp_endpoint_set(out[i], "password", e[i]->password);
    }
    (void)backend_name;
    return true;
}

/* --- sampling --------------------------------------------------------------- */

void cut_sampler_init(cut_sampler *s, const pgp_endpoint *src, const char *task)
{
    memset(s, 0, sizeof *s);
    pgp_endpoint_copy(&s->src, src);
    snprintf(s->task, sizeof s->task, "%s", task);
    arena a;
    arena_init(&a);
    pgp_slot_probe_init(&s->slot, mt_slot_name(&a, task));
    arena_free(&a);
    pgp_activity_probe_init(&s->act);
    /* The migration's own sessions are not the business writing. */
    s->exclude[0] = "migtop";
    s->exclude[1] = s->task;
    s->act.exclude_apps = s->exclude;
    s->act.n_exclude_apps = 2;
}

static void keep_lag(cut_sampler *s, float lag)
{
    s->lag_hist[s->lag_next] = lag;
    s->lag_next = (s->lag_next + 1) % CUT_LAG_HISTORY;
    if (s->lag_n < CUT_LAG_HISTORY)
        s->lag_n++;
}

int cut_sampler_lags(const cut_sampler *s, float out[CUT_LAG_HISTORY])
{
    for (int i = 0; i < s->lag_n; i++)
        out[i] = s->lag_hist[(s->lag_next - s->lag_n + i + CUT_LAG_HISTORY) % CUT_LAG_HISTORY];
    return s->lag_n;
}

static bool sample(cut_sampler *s, const volatile bool *cancel);

bool cut_sample(cut_sampler *s, const volatile bool *cancel)
{
    bool ok = sample(s, cancel);
    keep_lag(s, ok && s->slot_r.lag_s >= 0 ? (float)s->slot_r.lag_s : -1.0f);
    return ok;
}

static bool sample(cut_sampler *s, const volatile bool *cancel)
{
    s->have = false;
    if (s->conn && PQstatus(s->conn) != CONNECTION_OK) {
        PQfinish(s->conn);
        s->conn = NULL;
    }
    if (!s->conn &&
        !(s->conn = pgp_connect_cancelable(&s->src, "migtop cutover", 10, false, cancel, &s->err)))
        return false;
    /* One round trip in one transaction (so commits/s owes nothing to
     * this reading), bounded by the probe's timeout. The walsender of the
     * previous reading is the migration's own, not a writer. */
    s->act.exclude_pid = s->slot_r.active_pid;
    if (!pgp_live_read(&s->slot, &s->act, s->conn, &s->slot_r, &s->act_r, &s->err)) {
        PQfinish(s->conn); /* a timed-out connection is in no state to reuse */
        s->conn = NULL;
        return false;
    }
    uint64_t pos = s->slot_r.confirmed_flush_lsn;
    if (pos != s->last_confirmed || (s->slot_r.exists && s->slot_r.lag_bytes == 0))
        s->advanced_t = s->slot_r.t;
    s->last_confirmed = pos;
    s->have = true;
    return true;
}

void cut_sampler_free(cut_sampler *s)
{
    if (s->conn)
        PQfinish(s->conn);
    s->conn = NULL;
    pgp_slot_probe_free(&s->slot);
    pgp_endpoint_free(&s->src);
}

/* --- gates ------------------------------------------------------------------ */

void cut_gate_healthy(const mt_snapshot *snap, const mt_task *t, int64_t now_ms, cut_gate *g)
{
    if (!t) {
        snprintf(g->reading, sizeof g->reading, "the task is not in the backend's data");
        set(g, CGS_FAIL, "wait for the backend's data, or check the task's name");
        return;
    }
    arena a;
    arena_init(&a);
    mt_describe d;
    mt_describe_build(&a, snap, t, now_ms / 1000, 0, &d);
    size_t o = 0;
    bool ok = true;
    o += (size_t)snprintf(g->reading + o, sizeof g->reading - o, "status %s; ",
                          d.display_status ? d.display_status : "?");
    for (size_t i = 0; i < d.n_init; i++) {
        bool done = !strcmp(d.init[i].status, "Complete");
        ok = ok && done;
        o += (size_t)snprintf(g->reading + o, o < sizeof g->reading ? sizeof g->reading - o : 0,
                              "%s %s; ", d.init[i].step, d.init[i].status);
    }
    if (!d.n_init) {
        ok = false;
        o += (size_t)snprintf(g->reading + o, o < sizeof g->reading ? sizeof g->reading - o : 0,
                              "no initialization steps seen; ");
    }
    bool cdc = d.n_cdc && !strcmp(d.cdc[0].status, "Running");
    ok = ok && cdc && !mt_task_failed(t) && !d.health;
    snprintf(g->reading + (o < sizeof g->reading ? o : sizeof g->reading - 1),
             o < sizeof g->reading ? sizeof g->reading - o : 1, "cdc %s%s%s",
             d.n_cdc ? d.cdc[0].status : (d.has_cdc ? "not started" : "not part of the task"),
             d.health ? "\n" : "", d.health ? d.health : "");
    set(g, ok ? CGS_PASS : CGS_FAIL,
        mt_task_failed(t) ? "the task failed: read its logs (l) and fix it first"
        : d.health        ? "the task is not healthy (above): wait until it is, or find why"
                          : "wait until every initialization step is Complete and CDC Running");
    arena_free(&a);
}

void cut_gate_lag(const cut_sampler *s, int lag_s, cut_gate *g)
{
    if (!s->have) {
        snprintf(g->reading, sizeof g->reading, "no reading of the source yet%s%s",
                 s->err.msg[0] ? ": " : "", s->err.msg);
        set(g, CGS_FAIL, "the source must be reachable to measure the lag");
        return;
    }
    const pgp_slot_reading *r = &s->slot_r;
    if (!r->exists) {
        snprintf(g->reading, sizeof g->reading, "slot %s is not on the source", s->slot.slot);
        set(g, CGS_FAIL, "CDC streams through that slot: is the task's CDC running?");
        return;
    }
    char bytes[32];
    fmt_bytes((uint64_t)(r->lag_bytes > 0 ? r->lag_bytes : 0), bytes, sizeof bytes);
    double still = r->t - s->advanced_t;
    bool advancing = still <= lag_s;
    snprintf(g->reading, sizeof g->reading, "lag %s%.1f s, %s behind; position %s (%s)",
             r->lag_s_lower_bound ? ">= " : "", r->lag_s, bytes,
             advancing ? "advancing" : "not moving", r->active ? "slot active" : "slot inactive");
    bool ok = r->lag_s >= 0 && r->lag_s <= lag_s && !r->lag_s_lower_bound && advancing &&
              r->active;
    char todo[200];
    snprintf(todo, sizeof todo, "wait until the lag is under %d s with the position advancing "
                                "(CDC applying)", lag_s);
    set(g, ok ? CGS_PASS : CGS_FAIL, todo);
}

void cut_gate_writes(const cut_sampler *s, cut_gate *g)
{
    if (!s->have) {
        snprintf(g->reading, sizeof g->reading, "no reading of the source yet%s%s",
                 s->err.msg[0] ? ": " : "", s->err.msg);
        set(g, CGS_FAIL, "the source must be reachable to see its writes");
        return;
    }
    const pgp_activity_reading *r = &s->act_r;
    size_t o = (size_t)snprintf(g->reading, sizeof g->reading,
                                "%s; %.1f write xacts/s, %.1f commits/s; %d session%s writing now",
                                r->writing ? "writing" : "no writes",
                                r->write_xacts_per_s, r->commits_per_s, r->writing_sessions,
                                r->writing_sessions == 1 ? "" : "s");
    if (!r->writing)
        o += (size_t)snprintf(g->reading + o, sizeof g->reading - o, "; quiet for %s%.0f s",
                              r->no_writes_lower_bound ? ">= " : "", r->no_writes_s);
    for (size_t i = 0; i < r->n_writers && o < sizeof g->reading; i++) {
        const pgp_writer_group *w = &r->writers[i];
        char when[48];
        if (w->seen_ago_s > 0)
            snprintf(when, sizeof when, "last write seen %.0f s ago", w->seen_ago_s);
        else
            snprintf(when, sizeof when, "oldest xact %.0f s", w->oldest_xact_s);
        o += (size_t)snprintf(g->reading + o, sizeof g->reading - o, "\n%s (%s): %d session%s, %s",
                              w->role, w->application[0] ? w->application : "-", w->sessions,
                              w->sessions == 1 ? "" : "s", when);
    }
    /* Writes seen but none in progress at the reading: the sessions
     * active meanwhile are who may have written. */
    if (r->writing && !r->n_writers && r->n_active && o < sizeof g->reading)
        o += (size_t)snprintf(g->reading + o, sizeof g->reading - o,
                              "\nactive in the last 2 s (no write in progress at the reading):");
    for (size_t i = 0; r->writing && !r->n_writers && i < r->n_active && o < sizeof g->reading; i++)
        o += (size_t)snprintf(g->reading + o, sizeof g->reading - o, "\n%s (%s): %d session%s",
                              r->active[i].role, r->active[i].application[0] ? r->active[i].application : "-",
                              r->active[i].sessions, r->active[i].sessions == 1 ? "" : "s");
    set(g, r->writing ? CGS_FAIL : CGS_PASS,
        "pause the application's writes on the source");
}

void cut_gate_stable(cut_stability *st, const cut_sampler *s, int lag_s, int need_s,
                     int64_t now_mono_ms, cut_gate *g)
{
    cut_gate lag = {0}, wr = {0};
    cut_gate_lag(s, lag_s, &lag);
    cut_gate_writes(s, &wr);
    if (lag.state != CGS_PASS || wr.state != CGS_PASS) {
        if (st->since_ms)
            st->restarts++;
        st->since_ms = 0;
        snprintf(st->last_break, sizeof st->last_break, "%.120s",
                 lag.state != CGS_PASS ? lag.reading : wr.reading);
    } else if (!st->since_ms) {
        st->since_ms = now_mono_ms;
    }
    int64_t held = st->since_ms ? (now_mono_ms - st->since_ms) / 1000 : 0;
    if (held > need_s)
        held = need_s; /* "60 of 60 s", never more */
    if (st->since_ms)
        snprintf(g->reading, sizeof g->reading, "stable for %lld of %d s (restarted %d time%s)",
                 (long long)held, need_s, st->restarts, st->restarts == 1 ? "" : "s");
    else if (st->restarts)
        snprintf(g->reading, sizeof g->reading, "countdown restarted (%d time%s): %s",
                 st->restarts, st->restarts == 1 ? "" : "s", st->last_break);
    else
        snprintf(g->reading, sizeof g->reading, "not stable: %s", st->last_break);
    /* Counting down is progress, not a failure: only a broken hold fails. */
    cut_state verdict = !st->since_ms ? CGS_FAIL : held >= need_s ? CGS_PASS : CGS_WAIT;
    set(g, verdict, "keep the writes paused; the countdown restarts on any write or lag");
    if (verdict == CGS_WAIT)
        snprintf(g->todo, sizeof g->todo, "wait: the countdown is running");
}

int cut_stable_seconds(void)
{
    const char *v = getenv("MIGTOP_CUTOVER_STABLE_S");
    int n = v ? atoi(v) : 0;
    return n > 0 && n <= 3600 ? n : 60;
}

/* --- sequences and validation (blocking: run them off the UI thread) -------- */

bool cut_gate_sequences(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o,
                        bool apply, const volatile bool *cancel, pgp_seq_report *rep,
                        cut_gate *g)
{
    pgp_error e = {0};
    PGconn *sc = pgp_connect_cancelable(src, "migtop cutover", 10, false, cancel, &e);
    PGconn *kc = sc ? pgp_connect_cancelable(sink, "migtop cutover", 10, false, cancel, &e) : NULL;
    bool ok = kc && pgp_seq_read(sc, kc, o, 0, rep, &e);
    if (ok && apply && !pgp_seq_apply(kc, rep, &e)) {
        pgp_seq_report_free(rep);
        ok = false;
    }
    if (sc)
        PQfinish(sc);
    if (kc)
        PQfinish(kc);
    if (!ok) {
        snprintf(g->reading, sizeof g->reading, "[%s] %s", pgp_errcode_id(e.code), e.msg);
        set(g, CGS_FAIL, "both ends must be reachable to read the sequences");
        return false;
    }
    size_t counts[PGP_SEQ_OUT_OF_RANGE + 1] = {0}, out = 0, verified = 0;
    for (size_t i = 0; i < rep->n; i++) {
        counts[rep->v[i].state]++;
        verified += rep->v[i].state == PGP_SEQ_SET && rep->v[i].verified;
    }
    /* After the plan is applied the sink is read again: the first line
     * says what that re-read found, not only what the plan was. */
    char applied[96] = "";
    if (rep->applied)
        snprintf(applied, sizeof applied, "; applied on the sink, read again: %zu of %zu %s",
                 verified, counts[PGP_SEQ_SET],
                 verified == counts[PGP_SEQ_SET] ? "now in sync" : "in sync, the rest NOT");
    fmt_append(g->reading, sizeof g->reading, &out, "%zu sequence%s: %zu in sync, %zu to set, %zu sink ahead, "
                             "%zu missing on the sink, %zu out of range%s", rep->n,
            rep->n == 1 ? "" : "s", counts[PGP_SEQ_IN_SYNC], counts[PGP_SEQ_SET],
            counts[PGP_SEQ_SINK_AHEAD], counts[PGP_SEQ_MISSING], counts[PGP_SEQ_OUT_OF_RANGE],
            applied);
    for (size_t i = 0; i < rep->n && out + 1 < sizeof g->reading; i++) {
        const pgp_seq *s = &rep->v[i];
        if (s->state == PGP_SEQ_IN_SYNC || s->state == PGP_SEQ_NOT_ON_SINK)
            continue;
        if (rep->applied && s->state == PGP_SEQ_SET)
            fmt_append(g->reading, sizeof g->reading, &out, "\n%s: source %lld, sink now %lld %s", s->qname,
                    (long long)s->source.last_value, (long long)s->after.last_value,
                    s->verified ? "(equal)" : "(NOT equal)");
        else
            fmt_append(g->reading, sizeof g->reading, &out, "\n%s: %s", s->qname,
                    s->setval_sql ? s->setval_sql : pgp_seq_state_id(s->state));
    }
    set(g, pgp_seq_ok(rep) ? CGS_PASS : CGS_FAIL,
        rep->applied ? "a sequence did not verify: see above"
                     : "apply the setval plan on the sink (A), after the writes stopped");
    return true;
}

bool cut_gate_validate(const pgp_endpoint *src, const pgp_endpoint *sink, const mt_objects *o,
                       bool full, const volatile bool *cancel, pgp_val_report *rep, cut_gate *g)
{
    pgp_val_opts opt = {.full = full, .cancel = cancel};
    pgp_error e = {0};
    if (!pgp_validate(src, sink, o, &opt, rep, &e)) {
        snprintf(g->reading, sizeof g->reading, "[%s] %s", pgp_errcode_id(e.code), e.msg);
        set(g, CGS_FAIL, "both ends must be reachable to validate");
        return false;
    }
    size_t out = 0;
    fmt_append(g->reading, sizeof g->reading, &out, "%s validation of %zu table%s%s", full ? "full" : "sampled",
            rep->n_tables, rep->n_tables == 1 ? "" : "s", rep->cancelled ? " (cancelled)" : "");
    for (size_t i = 0; i < rep->n_missing; i++)
        fmt_append(g->reading, sizeof g->reading, &out, "\n%s: not on the source", rep->missing[i]);
    for (size_t i = 0; i < rep->n_tables && out + 1 < sizeof g->reading; i++) {
        const pgp_val_table *t = &rep->tables[i];
        fmt_append(g->reading, sizeof g->reading, &out, "\n%s.%s: %s, rows %lld / %lld, %zu range%s checked", t->schema,
                t->name, t->problem ? t->problem : t->match ? "match" : "MISMATCH",
                (long long)t->source_rows, (long long)t->sink_rows, t->n_checked,
                t->n_checked == 1 ? "" : "s");
        for (size_t r = 0; r < t->n_ranges && out + 1 < sizeof g->reading; r++) {
            const pgp_val_range *rg = &t->ranges[r];
            if (rg->checked && !rg->match)
                fmt_append(g->reading, sizeof g->reading, &out, "\n  mismatch where %s: %lld rows / %lld%s%s",
                        rg->where ? rg->where : "(whole table)", (long long)rg->source_rows,
                        (long long)rg->sink_rows, rg->n_rows ? ", e.g. key " : "",
                        rg->n_rows ? rg->rows[0].key : "");
        }
    }
    if (rep->lobs.checked)
        fmt_append(g->reading, sizeof g->reading, &out, "\n%s (referenced by %s; CDC does not "
                   "carry their changes)", pgp_lob_summary(&rep->a, &rep->lobs), rep->lobs.refs);
    if (pgp_val_ok(rep))
        set(g, CGS_PASS, "");
    else if (rep->n_mismatch_tables == 0 && rep->n_missing == 0 && !rep->lobs.problem &&
             !rep->cancelled)
        set(g, CGS_FAIL, "large objects changed on the source after init-data: L copies them "
                         "again, then validate again (v)");
    else
        set(g, CGS_FAIL, "the sink differs: find why (CDC not caught up? writes on the sink?) "
                         "and validate again (v), or override with a reason");
    return true;
}
