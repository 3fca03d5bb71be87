#include "model/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/describe.h"

static int key_cmp(const char *ns, const char *name, const mt_hist *b)
{
    int c = strcmp(ns ? ns : "", b->ns);
    return c ? c : strcmp(name, b->name);
}

static int hist_cmp(const void *pa, const void *pb)
{
    const mt_hist *a = *(const mt_hist *const *)pa, *b = *(const mt_hist *const *)pb;
    return key_cmp(a->ns, a->name, b);
}

/* The set is kept in (namespace, name) order, so a look is a binary
 * search: the task list asks once per row per frame, 1000 rows a second. */
static mt_hist *find(const mt_hist_set *h, const char *ns, const char *name)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(ns, name, h->v[mid]);
        if (!c)
            return h->v[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* The snapshot's order is the ring set's (both by namespace and name):
 * the task's place in it first, so 1000 tasks cost 1000 looks. */
static mt_hist *find_at(const mt_hist_set *h, size_t at, const char *ns, const char *name)
{
    if (at < h->n && !key_cmp(ns, name, h->v[at]))
        return h->v[at];
    return find(h, ns, name);
}

const mt_hist *mt_hist_find(const mt_hist_set *h, const char *ns, const char *name)
{
    return h ? find(h, ns, name) : NULL;
}

const mt_hist *mt_hist_find_at(const mt_hist_set *h, size_t at, const char *ns,
                               const char *name)
{
    return h ? find_at(h, at, ns, name) : NULL;
}

static float rate_of(const mt_task *t)
{
    for (size_t k = 0; k < t->cdc.n_metrics; k++)
        if (!strcmp(t->cdc.metrics[k].key, "rows_per_second") && t->cdc.metrics[k].value)
            return (float)atof(t->cdc.metrics[k].value);
    return -1.0f;
}

/* The ring, made at its first use. */
static mt_hist_slot *ring(mt_hist *one)
{
    if (!one->slot && !(one->slot = calloc(MT_HIST_SLOTS, sizeof *one->slot)))
        abort();
    return one->slot;
}

void mt_hist_release(mt_hist *one)
{
    if (one)
        free(one->slot);
    free(one);
}

/* The slots of from that are more recent than the ring's own there. */
static void merge(mt_hist *one, const mt_hist *from)
{
    for (int i = 0; from->slot && i < MT_HIST_SLOTS; i++) {
        const mt_hist_slot *sl = &from->slot[i];
        if (sl->id && sl->id > ring(one)[i].id)
            one->slot[i] = *sl;
    }
    one->any = one->any || from->any;
}

bool mt_hist_recent(const mt_hist *one, int64_t now_ms)
{
    int32_t oldest = (int32_t)(now_ms / 1000 / MT_HIST_SLOT_S) - MT_HIST_SLOTS;
    for (int i = 0; one->any && one->slot && i < MT_HIST_SLOTS; i++)
        if (one->slot[i].id > oldest)
            return true;
    return false;
}

/* The offered rings whose task the set has now go into its ring; those
 * no recording had for a minute (a task gone meanwhile) are let go. */
static void take_offered(mt_hist_set *h, int64_t now_ms)
{
    size_t keep = 0;
    for (size_t i = 0; i < h->n_offered; i++) {
        mt_hist_offered o = h->offered[i];
        mt_hist *one = find(h, o.one->ns, o.one->name);
        if (one || now_ms - o.at_ms > 60000) {
            if (one)
                merge(one, o.one);
            mt_hist_release(o.one);
        } else {
            h->offered[keep++] = o;
        }
    }
    h->n_offered = keep;
}

void mt_hist_offer(mt_hist_set *h, mt_hist **v, size_t n, int64_t now_ms)
{
    if (!n)
        return;
    h->offered = realloc(h->offered, (h->n_offered + n) * sizeof *h->offered);
    if (!h->offered)
        abort();
    for (size_t i = 0; i < n; i++)
        h->offered[h->n_offered++] = (mt_hist_offered){v[i], now_ms};
    take_offered(h, now_ms); /* once for all: 1000 at start are 1000 looks, not a million */
}

void mt_hist_clear(mt_hist *one)
{
    free(one->slot);
    one->slot = NULL;
    one->any = false;
}

void mt_hist_add(mt_hist *one, int64_t now_ms, float lag, float rate)
{
    if (!one->slot && lag < 0 && rate < 0)
        return; /* nothing to keep: no ring for a task that never had a reading */
    ring(one);
    int32_t id = (int32_t)(now_ms / 1000 / MT_HIST_SLOT_S);
    mt_hist_slot *sl = &one->slot[id % MT_HIST_SLOTS];
    if (sl->id != id) /* a new slot, over one 15 minutes old */
        *sl = (mt_hist_slot){.id = id, .lag_max = -1.0f};
    if (lag >= 0 || rate >= 0)
        one->any = true;
    if (lag >= 0 && lag > sl->lag_max)
        sl->lag_max = lag;
    if (rate >= 0 && sl->rate_n < UINT16_MAX) {
        sl->rate_sum += rate;
        sl->rate_n++;
    }
}

void mt_hist_record(mt_hist_set *h, const mt_snapshot *s, int64_t now_ms, long pod_tz_offset_s)
{
    if (!s || (h->last_ms && now_ms - h->last_ms < 1000))
        return;
    h->last_ms = now_ms;
    for (size_t i = 0; i < h->n; i++)
        h->v[i]->seen = false;
    for (size_t i = 0; i < s->n_tasks; i++) {
        const mt_task *t = &s->tasks[i];
        mt_hist *one = find_at(h, i, t->meta.namespace_, t->meta.name);
        if (!one) {
            one = calloc(1, sizeof *one);
            h->v = realloc(h->v, (h->n + 1) * sizeof *h->v);
            if (!one || !h->v)
                abort();
            snprintf(one->ns, sizeof one->ns, "%s", t->meta.namespace_);
            snprintf(one->name, sizeof one->name, "%s", t->meta.name);
            one->fresh = true;
            h->v[h->n++] = one;
        }
        one->seen = true;
        int64_t lag;
        bool known = mt_task_ts_lag(t, (mt_time)(now_ms / 1000), pod_tz_offset_s, &lag);
        mt_hist_add(one, now_ms, known ? (float)(lag < 0 ? 0 : lag) : -1.0f, rate_of(t));
    }
    size_t keep = 0;
    bool added = false;
    for (size_t i = 0; i < h->n; i++) {
        if (h->v[i]->seen) {
            added = added || h->v[i]->fresh;
            h->v[i]->fresh = false;
            h->v[keep++] = h->v[i];
        } else {
            mt_hist_release(h->v[i]);
        }
    }
    h->n = keep;
    if (added) /* new ones went to the end: in order again (kept in order by the removal) */
        qsort(h->v, h->n, sizeof *h->v, hist_cmp);
    take_offered(h, now_ms);
}

void mt_hist_buckets(const mt_hist *h, int64_t now_ms, int span_s, int n, float *lag,
                     float *rate)
{
    for (int b = 0; b < n; b++) {
        if (lag)
            lag[b] = MT_HIST_NONE;
        if (rate)
            rate[b] = MT_HIST_NONE;
    }
    if (!h || !h->any || !h->slot || n <= 0 || span_s <= 0)
        return; /* a task that never had a reading: 1000 idle ones cost nothing */
    int64_t span_ms = (int64_t)span_s * 1000, from = now_ms - span_ms;
    for (int b = 0; b < n; b++) {
        /* The slots whose start falls in the bucket (at least the one it
         * lies in, for buckets narrower than a slot). */
        int64_t b0 = from + span_ms * b / n, b1 = from + span_ms * (b + 1) / n;
        int32_t first = (int32_t)(b0 / 1000 / MT_HIST_SLOT_S);
        int32_t last = (int32_t)((b1 - 1) / 1000 / MT_HIST_SLOT_S);
        float sum = 0;
        int cnt = 0;
        for (int32_t id = first; id <= last && id - first < MT_HIST_SLOTS; id++) {
            const mt_hist_slot *sl = &h->slot[id % MT_HIST_SLOTS];
            if (sl->id != id)
                continue;
            if (lag && sl->lag_max >= 0 && sl->lag_max > lag[b])
                lag[b] = sl->lag_max;
            sum += sl->rate_sum;
            cnt += sl->rate_n;
        }
        if (rate && cnt)
            rate[b] = sum / (float)cnt;
    }
}

void mt_hist_free(mt_hist_set *h)
{
    for (size_t i = 0; i < h->n; i++)
        mt_hist_release(h->v[i]);
    free(h->v);
    for (size_t i = 0; i < h->n_offered; i++)
        mt_hist_release(h->offered[i].one);
    free(h->offered);
    memset(h, 0, sizeof *h);
}

char *mt_hist_json(const mt_hist *one)
{
    cJSON *o = cJSON_CreateObject(), *slots = cJSON_CreateArray();
    cJSON_AddNumberToObject(o, "slot_s", MT_HIST_SLOT_S);
    for (int i = 0; one->slot && i < MT_HIST_SLOTS; i++) {
        const mt_hist_slot *sl = &one->slot[i];
        if (!sl->id)
            continue;
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateNumber(sl->id));
        cJSON_AddItemToArray(e, cJSON_CreateNumber(sl->lag_max));
        cJSON_AddItemToArray(e, cJSON_CreateNumber(sl->rate_n ? sl->rate_sum / sl->rate_n : -1));
        cJSON_AddItemToArray(slots, e);
    }
    cJSON_AddItemToObject(o, "slots", slots);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        abort();
    return text;
}

bool mt_hist_merge_json(mt_hist *one, const char *text)
{
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    const cJSON *slot_s = cJSON_GetObjectItemCaseSensitive(o, "slot_s");
    const cJSON *slots = cJSON_GetObjectItemCaseSensitive(o, "slots");
    if (!cJSON_IsNumber(slot_s) || slot_s->valueint != MT_HIST_SLOT_S || !cJSON_IsArray(slots)) {
        cJSON_Delete(o);
        return false;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, slots) {
        const cJSON *id = cJSON_GetArrayItem(e, 0), *lag = cJSON_GetArrayItem(e, 1),
                    *rate = cJSON_GetArrayItem(e, 2);
        if (!cJSON_IsNumber(id) || !cJSON_IsNumber(lag) || !cJSON_IsNumber(rate) ||
            id->valuedouble <= 0 || id->valuedouble > 2e9)
            continue;
        int32_t sid = (int32_t)id->valuedouble;
        mt_hist_slot *sl = &ring(one)[sid % MT_HIST_SLOTS];
        if (sl->id >= sid) /* the ring's own is as recent: it stays */
            continue;
        *sl = (mt_hist_slot){.id = sid, .lag_max = (float)lag->valuedouble};
        one->any = one->any || lag->valuedouble >= 0 || rate->valuedouble >= 0;
        if (rate->valuedouble >= 0) {
            sl->rate_sum = (float)rate->valuedouble;
            sl->rate_n = 1;
        }
    }
    cJSON_Delete(o);
    return true;
}
