/* The dashboard's live feed over the Kubernetes API. One thread, one curl
 * multi handle: a LIST then WATCH of migrationtasks (one namespace or all)
 * and of migrationtemplates, plus, while a task's detail is open, of that
 * task's jobs, pods and statefulsets (by label). Nothing is polled: with
 * nothing changing the only traffic is the open watches (and a reconnect
 * when the server ends one, every 5-10 minutes).
 *
 * A dropped stream is resumed at once from the newest resourceVersion; a
 * second failure in a row is reported (mt_feed_error: the UI keeps the last
 * good data and shows its age) and retried with backoff up to 30 s; 410
 * Gone means relist. A snapshot is published whenever something arrived
 * (events or bookmarks), at most every 100 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/api.h"
#include "kube/backend.h"
#include "kube/watch.h"
#include "model/fmt.h"

#define LIST_TIMEOUT_MS 15000L
#define PUBLISH_EVERY_MS 100
#define POLL_MS 100
#define MAX_BACKOFF_MS 30000
#define N_FOCUS 3
#define N_WATCH (2 + N_FOCUS)
/* A watch whose request got no answer at all for this long is given up
 * (a stalled server or proxy): the banner says so long before the 90 s
 * idle limit of an established stream would. MIGTOP_KUBE_ANSWER_S
 * changes it (tests). */
#define ANSWER_TIMEOUT_S 15

static const char *const focus_kinds[N_FOCUS] = {"jobs", "pods", "statefulsets"};

typedef struct kfeed {
    mt_backend *b;
    kube_client *k;
    char *ns; /* NULL: all namespaces */
    mt_feed *f;
    CURLM *m;
    CURL *sync_h;
    kwatch *tasks, *templates, *focus[N_FOCUS];
    uint64_t focus_gen;
    bool crds_ok;
    int crd_failures;
    int64_t crd_retry_ms;
    long idle_s, answer_s;
    int64_t last_publish_ms;
    char last_err[512];
} kfeed;

/* Every watch slot, in a fixed order (focus slots may be NULL). */
static void all_watches(kfeed *kf, kwatch *out[N_WATCH])
{
    out[0] = kf->tasks;
    out[1] = kf->templates;
    for (int i = 0; i < N_FOCUS; i++)
        out[2 + i] = kf->focus[i];
}

static bool keep_going(void *ctx)
{
    return !mt_feed_stopping(((kfeed *)ctx)->f);
}

/* 500 ms doubling up to MAX_BACKOFF_MS, each wait 75-125% of that so
 * many clients hit by the same fault do not come back in step. */
static int backoff(int failures)
{
    static _Thread_local uint32_t seed;
    if (!seed)
        seed = (uint32_t)fmt_mono_ms() | 1;
    seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5; /* xorshift */
    int ms = 500;
    for (int i = 1; i < failures && ms < MAX_BACKOFF_MS; i++)
        ms *= 2;
    ms = ms < MAX_BACKOFF_MS ? ms : MAX_BACKOFF_MS;
    return ms * 3 / 4 + (int)(seed % (uint32_t)(ms / 2 + 1));
}

/* A window in which 410s count as "again": longer than any backoff. */
#define GONE_WINDOW_MS 60000

/* One 410 is history the server forgot: relist at once. The third in a
 * row is a server or proxy that answers nothing else: relists back off,
 * and the banner says why. */
static void gone_again(kwatch *w)
{
    int64_t now = fmt_mono_ms();
    w->gones = now - w->last_gone_ms < GONE_WINDOW_MS ? w->gones + 1 : 1;
    w->last_gone_ms = now;
    if (w->gones < 3) {
        w->retry_at_ms = 0;
        return;
    }
    int wait = backoff(w->gones - 2);
    snprintf(w->err, sizeof w->err, "the %s watch answers 410 Gone again and again (%d times "
             "in a row): relisting in %.1f s", w->what, w->gones, wait / 1000.0);
    w->failures = w->failures < 2 ? 2 : w->failures;
    w->retry_at_ms = now + wait;
}

static void fail(kwatch *w, const char *err, bool quiet_first)
{
    w->failures++;
    if (!quiet_first && w->failures < 2)
        w->failures = 2; /* a failed list or connect is news at once */
    if (err != w->err)
        snprintf(w->err, sizeof w->err, "%s", err);
    /* The first stream failure is retried at once (a dropped connection);
     * later ones wait longer and longer. */
    w->retry_at_ms = fmt_mono_ms() + (w->failures < 2 ? 0 : backoff(w->failures - 1));
}

static void service(kfeed *kf, kwatch *w)
{
    if (!w || w->active || fmt_mono_ms() < w->retry_at_ms || mt_feed_stopping(kf->f))
        return;
    char err[512];
    if (!w->rv) {
        if (!kwatch_list(w, kf->k, kf->sync_h, LIST_TIMEOUT_MS, keep_going, kf, err, sizeof err)) {
            if (!mt_feed_stopping(kf->f))
                fail(w, err, false);
            return;
        }
        if (w->gones < 3) { /* a relist is no recovery from a 410 storm */
            w->failures = 0;
            w->err[0] = '\0';
        }
    }
    if (!kwatch_start(w, kf->k, kf->m, err, sizeof err))
        fail(w, err, false);
}

static void set_focus(kfeed *kf)
{
    char ns[256], name[256];
    uint64_t gen = mt_feed_focus(kf->f, ns, sizeof ns, name, sizeof name);
    if (gen == kf->focus_gen)
        return;
    kf->focus_gen = gen;
    for (int i = 0; i < N_FOCUS; i++) {
        kwatch_free(kf->focus[i], kf->m);
        kf->focus[i] = NULL;
    }
    kf->tasks->changed = true; /* publish without the old task's workloads */
    if (!name[0])
        return;
    const char *where = ns[0] ? ns : kf->ns ? kf->ns : kube_client_config(kf->k)->namespace_;
    for (int i = 0; i < N_FOCUS; i++) {
        char *path = kube_path_workload(focus_kinds[i], where, name);
        kf->focus[i] = kwatch_new(focus_kinds[i], path, kf->idle_s);
        free(path);
    }
}

static kwatch *find_watch(kfeed *kf, CURL *h)
{
    kwatch *all[N_WATCH];
    all_watches(kf, all);
    for (int i = 0; i < N_WATCH; i++)
        if (all[i] && all[i]->active && all[i]->h == h)
            return all[i];
    return NULL;
}

static void on_done(kfeed *kf)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(kf->m, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        kwatch *w = find_watch(kf, msg->easy_handle);
        if (!w) {
            curl_multi_remove_handle(kf->m, msg->easy_handle);
            continue;
        }
        bool was_healthy = w->healthy;
        if (kwatch_ended(w, kf->m, msg->data.result)) {
            w->failures = 0; /* the server ended it (timeoutSeconds): resume */
            w->retry_at_ms = 0;
        } else if (w->gone) {
            gone_again(w);
        } else {
            if (w->last_status == 401)
                kube_client_drop_credentials(kf->k);
            fail(w, w->err, was_healthy || w->failures == 0);
        }
    }
}

static void abandon_unanswered(kfeed *kf)
{
    kwatch *all[N_WATCH];
    all_watches(kf, all);
    for (int i = 0; i < N_WATCH; i++) {
        kwatch *w = all[i];
        long code = 0;
        if (!w || !w->active || w->healthy || fmt_mono_ms() - w->started_ms < kf->answer_s * 1000 ||
            curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 0)
            continue;
        char why[256];
        snprintf(why, sizeof why, "the server has not answered the %s watch for %d s", w->what,
                 (int)kf->answer_s);
        kwatch_abort(w, kf->m, why);
        fail(w, w->err, false);
    }
}

static void add_store(mt_snapshot *s, const kwatch *w)
{
    if (!w)
        return;
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, w->store) {
        jx c;
        jx_init(&c, &s->mem);
        char path[64];
        snprintf(path, sizeof path, "%s[%d]", w->what, i++);
        /* One malformed object must not hide the others. */
        (void)mt_snapshot_add(s, &c, it, path);
    }
}

/* The error to show, or NULL while every watch is fine. */
static const char *current_error(kfeed *kf)
{
    kwatch *all[N_WATCH];
    all_watches(kf, all);
    for (int i = 0; i < N_WATCH; i++) {
        kwatch *w = all[i];
        if (!w)
            continue;
        /* A watch on a quiet resource may send nothing for a while: it is
         * healthy once the server answered 200 and kept it open for a
         * second, or the next dropped connection would count as a second
         * failure in a row. (A stream that ends at once is no recovery.) */
        long code = 0;
        if (w->active && !w->healthy && fmt_mono_ms() - w->started_ms >= 1000 &&
            curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code >= 200 &&
            code < 300)
            w->healthy = true;
        if (w->healthy)
            w->gones = 0;
        if (w->healthy && w->failures) {
            w->failures = 0;
            w->err[0] = '\0';
            w->heard = true; /* recovered: publish to clear the banner */
        }
        if (w->failures >= 2)
            return w->err;
    }
    return NULL;
}

static void maybe_publish(kfeed *kf)
{
    kwatch *all[N_WATCH];
    all_watches(kf, all);
    const char *e = current_error(kf);
    if (e) {
        if (strcmp(e, kf->last_err)) {
            snprintf(kf->last_err, sizeof kf->last_err, "%s", e);
        }
        mt_feed_error(kf->f, "%s", e);
        return;
    }
    kf->last_err[0] = '\0';
    bool news = false;
    for (int i = 0; i < N_WATCH; i++) {
        if (all[i] && !all[i]->listed)
            return; /* wait until everything has been read once */
        news |= all[i] && (all[i]->changed || all[i]->heard);
    }
    int64_t now = fmt_mono_ms();
    if (!news || now - kf->last_publish_ms < PUBLISH_EVERY_MS)
        return;
    mt_snapshot *s = mt_snapshot_new();
    for (int i = 0; i < N_WATCH; i++) {
        add_store(s, all[i]);
        if (all[i])
            all[i]->changed = all[i]->heard = false;
    }
    s->taken_ms = fmt_now_ms();
    mt_snapshot_sort(s);
    kf->last_publish_ms = now;
    mt_feed_publish(kf->f, s);
}

static bool check_crds(kfeed *kf)
{
    if (kf->crds_ok)
        return true;
    if (fmt_mono_ms() < kf->crd_retry_ms)
        return false;
    char err[768];
    if (kube_backend_check_crds_until(kf->b, kf->sync_h, keep_going, kf, err, sizeof err)) {
        kf->crds_ok = true;
        return true;
    }
    if (mt_feed_stopping(kf->f))
        return false; /* abandoned on the way out: not news */
    /* One line for the banner: "...not found; hint: ..." */
    for (char *p = err; *p; p++)
        if (*p == '\n')
            *p = ' ';
    mt_feed_error(kf->f, "%s", err);
    kf->crd_retry_ms = fmt_mono_ms() + backoff(++kf->crd_failures);
    return false;
}

static void run(mt_feed *f, void *ctx)
{
    kfeed *kf = ctx;
    kf->f = f;
    while (!mt_feed_stopping(f)) {
        if (!check_crds(kf)) {
            mt_feed_wait(f, POLL_MS * 5);
            continue;
        }
        set_focus(kf);
        service(kf, kf->tasks);
        service(kf, kf->templates);
        for (int i = 0; i < N_FOCUS; i++)
            service(kf, kf->focus[i]);
        int running;
        curl_multi_perform(kf->m, &running);
        on_done(kf);
        abandon_unanswered(kf);
        maybe_publish(kf);
        curl_multi_poll(kf->m, NULL, 0, POLL_MS, NULL);
        curl_multi_perform(kf->m, &running);
        on_done(kf);
    }
}

static void kfeed_free(void *ctx)
{
    kfeed *kf = ctx;
    kwatch_free(kf->tasks, kf->m);
    kwatch_free(kf->templates, kf->m);
    for (int i = 0; i < N_FOCUS; i++)
        kwatch_free(kf->focus[i], kf->m);
    curl_multi_cleanup(kf->m);
    curl_easy_cleanup(kf->sync_h);
    free(kf->ns);
    free(kf);
}

mt_feed *kube_feed_new(mt_backend *b, char *err, size_t errlen)
{
    kfeed *kf = calloc(1, sizeof *kf);
    if (!kf)
        abort();
    kf->b = b;
    kf->k = kube_backend_client(b);
    const char *ns = kube_backend_watch_namespace(b);
    kf->ns = ns ? strdup(ns) : NULL;
    kf->m = curl_multi_init();
    kf->sync_h = curl_easy_init();
    if (!kf->m || !kf->sync_h)
        abort();
    /* Bookmarks keep a healthy watch above 1 byte/s; a stream silent for
     * this long is treated as dead (a stalled server, a vanished NAT). */
    const char *idle = getenv("MIGTOP_KUBE_WATCH_IDLE_S");
    kf->idle_s = idle && atol(idle) > 0 ? atol(idle) : 90;
    const char *answer = getenv("MIGTOP_KUBE_ANSWER_S");
    kf->answer_s = answer && atol(answer) > 0 ? atol(answer) : ANSWER_TIMEOUT_S;
    char *path = kube_path_tasks(kf->ns);
    kf->tasks = kwatch_new("migrationtasks", path, kf->idle_s);
    free(path);
    path = kube_path_templates();
    kf->templates = kwatch_new("migrationtemplates", path, kf->idle_s);
    free(path);
    (void)err;
    (void)errlen;
    return mt_feed_new(kube_backend_label(b), run, kf, kfeed_free);
}
