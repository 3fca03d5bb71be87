#include "engine/status.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/taskdir.h"
#include "model/jsonx.h"
#include "model/object_json.h"

static const char *const step_names[ES_N] = {"precheck", "init-struct", "init-data",
                                             "post-data", "cdc"};
static const char *const state_names[] = {"Skipped", "Pending", "Running", "Complete",
                                          "Failed"};

const char *engine_step_name(engine_step s)
{
    return s < ES_N ? step_names[s] : "?";
}

const char *engine_step_state_name(engine_step_state s)
{
    return s <= SS_FAILED ? state_names[s] : "?";
}

static mt_time now_s(void)
{
    return (mt_time)time(NULL);
}

static void copy_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static engine_step_state state_from(const char *s)
{
    for (int i = 0; i <= SS_FAILED; i++)
        if (s && !strcmp(s, state_names[i]))
            return (engine_step_state)i;
    return SS_PENDING;
}

/* A restarted runner continues where the last one stopped: finished
 * steps stay finished, a step that was running starts again. */
/* status.json, else the copy it replaced: NULL when neither parses, and
 * *lost when one of them exists (the status was there and is damaged). */
cJSON *engine_status_read(const char *dir, const char **from, bool *lost, char *why,
                          size_t whylen)
{
    static const char *const files[] = {ENGINE_STATUS_FILE, ENGINE_STATUS_PREV};
    *lost = false;
    why[0] = '\0';
    for (int i = 0; i < 2; i++) {
        char path[4300], err[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        size_t len;
        char *text = engine_read_file(path, &len, err, sizeof err);
        if (!text)
            continue;
        *lost = true;
        cJSON *j = jx_parse(text, len, err, sizeof err);
        free(text);
        if (j) {
            *from = files[i];
            *lost = false;
            return j;
        }
        if (!why[0])
            snprintf(why, whylen, "%s: %s", files[i], err);
    }
    *from = NULL;
    return NULL;
}

static void load(engine_status *st, const bool enabled[ES_N])
{
    const char *from;
    char why[300];
    cJSON *j = engine_status_read(st->dir, &from, &st->lost, why, sizeof why);
    if (!j)
        return;
    arena a;
    arena_init(&a);
    jx c;
    jx_init(&c, &a);
    copy_str(st->task_status, sizeof st->task_status, jx_str(&c, j, "", "taskStatus", false));
    st->start = jx_time(&c, j, "", "startTime");
    const cJSON *in = jx_obj(&c, j, "", "initialization", false);
    st->init_start = jx_time(&c, in, "", "startTime");
    st->init_finish = jx_time(&c, in, "", "finishTime");
    const cJSON *im = jx_obj(&c, in, "", "metrics", false);
    copy_str(st->structure, sizeof st->structure, jx_str(&c, im, "", "structure", false));
    copy_str(st->structure_skipped, sizeof st->structure_skipped,
             jx_str(&c, im, "", "structure_skipped", false));
    copy_str(st->large_objects, sizeof st->large_objects,
             jx_str(&c, im, "", "large_objects", false));
    const cJSON *rp = jx_obj(&c, in, "", "runTimeParam", false);
    copy_str(st->consistent_point, sizeof st->consistent_point,
             jx_str(&c, rp, "", "consistent_point", false));
    const cJSON *cdc = jx_obj(&c, j, "", "cdc", false);
    st->cdc_start = jx_time(&c, cdc, "", "startTime");
    const cJSON *steps = jx_arr(&c, j, "", "steps", false);
    const cJSON *it;
    cJSON_ArrayForEach(it, steps) {
        const char *name = jx_str(&c, it, "", "step", false);
        for (int s = 0; s < ES_N; s++) {
            if (!name || strcmp(name, step_names[s]) || !enabled[s])
                continue;
            engine_step_state state = state_from(jx_str(&c, it, "", "status", false));
            st->started_before[s] = jx_time(&c, it, "", "startTime") != 0;
            if (state == SS_COMPLETE) {
                st->steps[s].state = SS_COMPLETE;
                st->steps[s].start = jx_time(&c, it, "", "startTime");
                st->steps[s].finish = jx_time(&c, it, "", "finishTime");
            }
        }
    }
    arena_free(&a);
    cJSON_Delete(j);
}

void engine_status_init(engine_status *st, const char *dir, const bool enabled[ES_N])
{
    memset(st, 0, sizeof *st);
    pthread_mutex_init(&st->mu, NULL);
    copy_str(st->dir, sizeof st->dir, dir);
    copy_str(st->task_status, sizeof st->task_status, "Prepare");
    for (int s = 0; s < ES_N; s++)
        st->steps[s].state = enabled[s] ? SS_PENDING : SS_SKIPPED;
    load(st, enabled);
    st->runner_started = now_s();
    if (!strcmp(st->task_status, "Failed"))
        copy_str(st->task_status, sizeof st->task_status, "Prepare");
}

void engine_status_free(engine_status *st)
{
    for (size_t i = 0; i < st->n_tables; i++) {
        free(st->tables[i].schema);
        free(st->tables[i].name);
    }
    free(st->tables);
    pthread_mutex_destroy(&st->mu);
}

static bool write_json(engine_status *st, char *err, size_t errlen);

static void write_locked(engine_status *st)
{
    char err[512];
    if (!write_json(st, err, sizeof err))
        fprintf(stderr, "migtop run: %s\n", err);
}

void engine_status_step(engine_status *st, engine_step s, engine_step_state state,
                        const char *reason)
{
    pthread_mutex_lock(&st->mu);
    engine_step_status *ss = &st->steps[s];
    ss->state = state;
    mt_time now = now_s();
    if (state == SS_RUNNING) {
        ss->start = now;
        ss->finish = 0;
        ss->reason[0] = 0;
        if (!st->start)
            st->start = now;
        if (s == ES_CDC) {
            if (!st->cdc_start)
                st->cdc_start = now;
        } else if (!st->init_start) {
            st->init_start = now;
        }
    } else if (state == SS_COMPLETE || state == SS_FAILED) {
        ss->finish = now;
    }
    copy_str(ss->reason, sizeof ss->reason, reason);
    if (state == SS_FAILED) {
        char *dst = s == ES_CDC ? st->cdc_reason : st->init_reason;
        snprintf(dst, sizeof st->init_reason, "%s: %s", step_names[s], reason ? reason : "failed");
        copy_str(st->task_status, sizeof st->task_status, "Failed");
    } else if (state == SS_RUNNING) {
        if (s == ES_CDC)
            st->cdc_reason[0] = 0;
        else
            st->init_reason[0] = 0;
    }
    write_locked(st);
    pthread_mutex_unlock(&st->mu);
}

void engine_status_task(engine_status *st, const char *task_status)
{
    pthread_mutex_lock(&st->mu);
    copy_str(st->task_status, sizeof st->task_status, task_status);
    mt_time now = now_s();
    if (!strcmp(task_status, "InitFinished") || !strcmp(task_status, "Done"))
        st->init_finish = st->init_finish ? st->init_finish : now;
    if (!strcmp(task_status, "Done"))
        st->finish = now;
    write_locked(st);
    pthread_mutex_unlock(&st->mu);
}

void engine_status_terminating(engine_status *st, const char *reason)
{
    pthread_mutex_lock(&st->mu);
    if (!st->terminating_since)
        st->terminating_since = now_s();
    copy_str(st->terminating_reason, sizeof st->terminating_reason, reason);
    write_locked(st);
    pthread_mutex_unlock(&st->mu);
}

void engine_status_cdc_metric(engine_status *st, const char *key, const char *value)
{
    pthread_mutex_lock(&st->mu);
    size_t i = 0;
    while (i < st->n_cdc_metrics && strcmp(st->cdc_metrics[i].key, key))
        i++;
    if (i == st->n_cdc_metrics && i < ENGINE_MAX_CDC_METRICS)
        st->n_cdc_metrics++;
    if (i < ENGINE_MAX_CDC_METRICS) {
        copy_str(st->cdc_metrics[i].key, sizeof st->cdc_metrics[i].key, key);
        copy_str(st->cdc_metrics[i].value, sizeof st->cdc_metrics[i].value, value);
    }
    pthread_mutex_unlock(&st->mu);
}

void engine_status_structure(engine_status *st, const char *summary, const char *skipped)
{
    pthread_mutex_lock(&st->mu);
    copy_str(st->structure, sizeof st->structure, summary);
    copy_str(st->structure_skipped, sizeof st->structure_skipped, skipped);
    write_locked(st);
    pthread_mutex_unlock(&st->mu);
}

void engine_status_work(engine_status *st, int64_t n) { atomic_fetch_add(&st->work, n); }

void engine_status_cdc_stall(engine_status *st, mt_time since, double lag_s, const char *why)
{
    pthread_mutex_lock(&st->mu);
    st->cdc_stalled_since = since;
    st->cdc_stall_lag_s = lag_s;
    copy_str(st->cdc_stall, sizeof st->cdc_stall, since ? why : "");
    pthread_mutex_unlock(&st->mu);
}

void engine_status_large_objects(engine_status *st, const char *text)
{
    pthread_mutex_lock(&st->mu);
    copy_str(st->large_objects, sizeof st->large_objects, text);
    write_locked(st);
    pthread_mutex_unlock(&st->mu);
}

void engine_status_building(engine_status *st, const char *text)
{
    pthread_mutex_lock(&st->mu);
    copy_str(st->building, sizeof st->building, text);
    pthread_mutex_unlock(&st->mu);
}

bool engine_status_cdc_metrics_try(engine_status *st, const engine_kv *kv, size_t n)
{
    if (pthread_mutex_trylock(&st->mu) != 0)
        return false;
    for (size_t k = 0; k < n; k++) {
        size_t i = 0;
        while (i < st->n_cdc_metrics && strcmp(st->cdc_metrics[i].key, kv[k].key))
            i++;
        if (i == ENGINE_MAX_CDC_METRICS)
            continue;
        if (i == st->n_cdc_metrics)
            st->n_cdc_metrics++;
        st->cdc_metrics[i] = kv[k];
    }
    pthread_mutex_unlock(&st->mu);
    return true;
}

void engine_status_set_tables(engine_status *st, engine_table_progress *t, size_t n)
{
    pthread_mutex_lock(&st->mu);
    for (size_t i = 0; i < st->n_tables; i++) {
        free(st->tables[i].schema);
        free(st->tables[i].name);
    }
    free(st->tables);
    st->tables = t;
    st->n_tables = n;
    pthread_mutex_unlock(&st->mu);
}

static const char *const table_states[] = {"Waiting", "Copying", "Complete", "Failed"};

static double pct(int64_t done, int64_t est)
{
    if (est <= 0)
        return done > 0 ? 100.0 : 0.0;
    double p = 100.0 * (double)done / (double)est;
    return p > 100.0 ? 100.0 : p;
}

/* A table's fraction done: rows against pg_class.reltuples when the
 * source has counted them (the text COPY stream and the on-disk size
 * differ too much, TOAST above all), else bytes against its size. */
static double table_fraction(const engine_table_progress *t, int64_t rows, int64_t bytes,
                             int state)
{
    if (state == 2)
        return 1.0;
    return (t->est_rows > 0 ? pct(rows, t->est_rows) : pct(bytes, t->est_bytes)) / 100.0;
}

static void add_rate(cJSON *o, const char *key, double v)
{
    cJSON_AddNumberToObject(o, key, (double)(int64_t)v);
}

/* What the tables add up to. */
typedef struct progress_sum {
    int64_t rows, bytes, est_rows;
    double units, est_units; /* bytes on disk, weighed by each table's fraction done */
    int done;
} progress_sum;

/* One table's progress, rates and ETA, added into sum. */
static cJSON *table_json(engine_table_progress *t, int64_t now, progress_sum *sum)
{
    int64_t r = atomic_load(&t->rows), b = atomic_load(&t->bytes);
    int state = atomic_load(&t->state);
    int64_t t0 = atomic_load(&t->start_ms), t1 = atomic_load(&t->finish_ms);
    double f = table_fraction(t, r, b, state);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "schema", t->schema);
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "status", table_states[state & 3]);
    cJSON_AddNumberToObject(o, "rows", (double)r);
    cJSON_AddNumberToObject(o, "bytes", (double)b);
    cJSON_AddNumberToObject(o, "estimatedRows", (double)t->est_rows);
    cJSON_AddNumberToObject(o, "estimatedBytes", (double)t->est_bytes);
    cJSON_AddNumberToObject(o, "percent", (double)(int)(f * 1000) / 10.0);
    cJSON_AddNumberToObject(o, "parts", t->parts);
    cJSON_AddNumberToObject(o, "partsDone", atomic_load(&t->parts_done));
    if (t0) {
        int64_t el = (t1 ? t1 : now) - t0;
        add_rate(o, "bytesPerSecond", el > 0 ? (double)b * 1000.0 / (double)el : 0);
        add_rate(o, "rowsPerSecond", el > 0 ? (double)r * 1000.0 / (double)el : 0);
        /* Time left at the table's own pace so far. */
        if (state == 1 && el > 0 && f > 0.0 && f < 1.0)
            add_rate(o, "etaSeconds", (double)el / 1000.0 * (1.0 - f) / f);
    }
    sum->rows += r;
    sum->bytes += b;
    sum->est_rows += t->est_rows > r ? t->est_rows : r;
    double w = t->est_bytes > 0 ? (double)t->est_bytes : 8192.0;
    sum->units += w * f;
    sum->est_units += w;
    sum->done += state == 2;
    return o;
}

/* Smoothed rates over at least half a second (state changes write the
 * status in between): the last interval weighs 30%, enough to follow a
 * change within a few seconds without jumping on every sample. */
static void smooth_rates(engine_status *st, int64_t now, const progress_sum *sum)
{
    if (!st->last_ms) {
        st->last_ms = now;
    } else if (now - st->last_ms >= 500) {
        double dt = (double)(now - st->last_ms) / 1000.0;
        double ib = (double)(sum->bytes - st->last_bytes) / dt;
        double iu = (sum->units - st->last_units) / dt;
        st->rate_bps = st->rate_bps > 0 ? 0.7 * st->rate_bps + 0.3 * ib : ib;
        st->rate_units = st->rate_units > 0 ? 0.7 * st->rate_units + 0.3 * iu : iu;
        st->last_ms = now;
        st->last_bytes = sum->bytes;
        st->last_units = sum->units;
    }
}

/* Tables and overall progress, all estimates: the overall percentage
 * weighs each table by its size on disk. */
static void add_progress(engine_status *st, cJSON *root, cJSON *metrics)
{
    int64_t now = fmt_now_ms();
    progress_sum sum = {0};
    cJSON *tables = cJSON_AddArrayToObject(root, "tables");
    for (size_t i = 0; i < st->n_tables; i++)
        cJSON_AddItemToArray(tables, table_json(&st->tables[i], now, &sum));
    if (!st->n_tables)
        return;
    smooth_rates(st, now, &sum);
    double p = sum.est_units > 0 ? 100.0 * sum.units / sum.est_units : 0;
    cJSON *pr = cJSON_AddObjectToObject(root, "progress");
    cJSON_AddNumberToObject(pr, "rows", (double)sum.rows);
    cJSON_AddNumberToObject(pr, "bytes", (double)sum.bytes);
    cJSON_AddNumberToObject(pr, "estimatedRows", (double)sum.est_rows);
    cJSON_AddNumberToObject(pr, "percent", (double)(int)(p * 10) / 10.0);
    add_rate(pr, "bytesPerSecond", st->rate_bps);
    cJSON_AddNumberToObject(pr, "tablesDone", sum.done);
    cJSON_AddNumberToObject(pr, "tables", (double)st->n_tables);
    char b1[32], b2[32], b3[48];
    snprintf(b3, sizeof b3, "%lld", (long long)sum.rows);
    cJSON_AddStringToObject(metrics, "rows_copied", b3);
    fmt_bytes((uint64_t)sum.bytes, b1, sizeof b1);
    cJSON_AddStringToObject(metrics, "bytes_copied", b1);
    snprintf(b3, sizeof b3, "%.1f%%", p);
    cJSON_AddStringToObject(metrics, "progress", b3);
    snprintf(b3, sizeof b3, "%d/%zu", sum.done, st->n_tables);
    cJSON_AddStringToObject(metrics, "tables_done", b3);
    if (st->steps[ES_INIT_DATA].state == SS_RUNNING && st->rate_bps > 0) {
        fmt_bytes((uint64_t)st->rate_bps, b2, sizeof b2);
        snprintf(b3, sizeof b3, "%s/s", b2);
        cJSON_AddStringToObject(metrics, "throughput", b3);
        if (st->rate_units > 0 && sum.est_units > sum.units) {
            int64_t eta = (int64_t)((sum.est_units - sum.units) / st->rate_units);
            fmt_duration_ms(eta * 1000, b2, sizeof b2);
            cJSON_AddStringToObject(metrics, "eta", b2);
            cJSON_AddNumberToObject(pr, "etaSeconds", (double)eta);
        }
    }
}

/* The CDC part: the loop's metrics, with a stall (the watchdog's) shown
 * over them. */
static void add_cdc(engine_status *st, cJSON *root)
{
    cJSON *cdc = cJSON_AddObjectToObject(root, "cdc");
    mt_json_add_time(cdc, "startTime", st->cdc_start);
    mt_json_add_time(cdc, "finishTime", st->cdc_finish);
    if (st->cdc_reason[0])
        cJSON_AddStringToObject(cdc, "failedReason", st->cdc_reason);
    if (st->n_cdc_metrics || st->cdc_stalled_since) {
        cJSON *cm = cJSON_AddObjectToObject(cdc, "metrics");
        bool stalled = st->cdc_stalled_since != 0;
        char lag[32];
        snprintf(lag, sizeof lag, "%.3f", st->cdc_stall_lag_s);
        for (size_t i = 0; i < st->n_cdc_metrics; i++) {
            const char *k = st->cdc_metrics[i].key, *v = st->cdc_metrics[i].value;
            if (stalled && !strcmp(k, "state"))
                v = "stalled";
            else if (stalled && !strcmp(k, "lag_seconds"))
                v = lag;
            cJSON_AddStringToObject(cm, k, v);
        }
        if (stalled) {
            mt_json_add_time(cm, "stalled_since", st->cdc_stalled_since);
            cJSON_AddStringToObject(cm, "stall_reason", st->cdc_stall);
        }
    }
}

/* Who wrote this, when, and how far it got: the readers' and the
 * supervisor's signs of life. */
static void add_runner(engine_status *st, cJSON *root)
{
    cJSON *r = cJSON_AddObjectToObject(root, "runner");
    cJSON_AddNumberToObject(r, "pid", (double)getpid());
    mt_json_add_time(r, "started", st->runner_started);
    mt_json_add_time(r, "heartbeat", now_s());
    int64_t work = atomic_load(&st->work);
    for (int i = 0; i < ES_N; i++)
        work += st->steps[i].state == SS_COMPLETE;
    for (size_t i = 0; i < st->n_tables; i++)
        work += atomic_load(&st->tables[i].bytes);
    cJSON_AddNumberToObject(r, "progress", (double)work);
}

static char *to_json(engine_status *st)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "taskStatus", st->task_status);
    mt_json_add_time(root, "startTime", st->start);
    mt_json_add_time(root, "finishTime", st->finish);
    cJSON *in = cJSON_AddObjectToObject(root, "initialization");
    mt_json_add_time(in, "startTime", st->init_start);
    mt_json_add_time(in, "finishTime", st->init_finish);
    if (st->init_reason[0])
        cJSON_AddStringToObject(in, "failedReason", st->init_reason);
    cJSON *metrics = cJSON_AddObjectToObject(in, "metrics");
    for (int s = 0; s < ES_CDC; s++)
        if (st->steps[s].state == SS_RUNNING)
            cJSON_AddStringToObject(metrics, "step", step_names[s]);
    if (st->structure[0])
        cJSON_AddStringToObject(metrics, "structure", st->structure);
    if (st->structure_skipped[0])
        cJSON_AddStringToObject(metrics, "structure_skipped", st->structure_skipped);
    if (st->large_objects[0])
        cJSON_AddStringToObject(metrics, "large_objects", st->large_objects);
    /* Post-data's builds, and those begun during the copy. */
    if (st->building[0] && (st->steps[ES_POST_DATA].state == SS_RUNNING ||
                            st->steps[ES_INIT_DATA].state == SS_RUNNING))
        cJSON_AddStringToObject(metrics, "building", st->building);
    cJSON *rp = cJSON_AddObjectToObject(in, "runTimeParam");
    if (st->slot[0])
        cJSON_AddStringToObject(rp, "slot", st->slot);
    if (st->publication[0])
        cJSON_AddStringToObject(rp, "publication", st->publication);
    if (st->consistent_point[0])
        cJSON_AddStringToObject(rp, "consistent_point", st->consistent_point);
    if (st->snapshot[0])
        cJSON_AddStringToObject(rp, "snapshot", st->snapshot);
    add_cdc(st, root);
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (int s = 0; s < ES_N; s++) {
        const engine_step_status *ss = &st->steps[s];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "step", step_names[s]);
        cJSON_AddStringToObject(o, "status", state_names[ss->state]);
        mt_json_add_time(o, "startTime", ss->start);
        mt_json_add_time(o, "finishTime", ss->finish);
        if (ss->reason[0])
            cJSON_AddStringToObject(o, ss->state == SS_FAILED ? "failedReason" : "reason",
                                    ss->reason);
        cJSON_AddItemToArray(steps, o);
    }
    if (st->consistent_point[0])
        cJSON_AddStringToObject(root, "consistentPoint", st->consistent_point);
    add_progress(st, root, metrics);
    if (st->terminating_since) {
        cJSON *t = cJSON_AddObjectToObject(root, "terminating");
        mt_json_add_time(t, "since", st->terminating_since);
        cJSON_AddStringToObject(t, "reason", st->terminating_reason);
    }
    add_runner(st, root);
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    return s;
}

bool engine_status_write(engine_status *st, char *err, size_t errlen)
{
    pthread_mutex_lock(&st->mu);
    bool ok = write_json(st, err, errlen);
    pthread_mutex_unlock(&st->mu);
    return ok;
}

static bool write_json(engine_status *st, char *err, size_t errlen)
{
    char *s = to_json(st);
    if (!s) {
        snprintf(err, errlen, "cannot serialise the status");
        return false;
    }
    bool ok = engine_write_file_in(st->dir, st->has_dir_id ? &st->dir_id : NULL,
                                   ENGINE_STATUS_FILE, ENGINE_STATUS_PREV, s, strlen(s), err,
                                   errlen);
    cJSON_free(s);
    return ok;
}
