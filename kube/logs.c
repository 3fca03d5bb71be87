/* `kbcli migration logs`: find the step's pod as kbcli does, then stream
 * its log line by line to the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/api.h"
#include "kube/backend.h"

const mt_pod *kube_pod_for_step(const mt_snapshot *s, const mt_task *t, const char *step)
{
    if (!strcmp(step, "cdc")) {
        for (size_t i = 0; i < s->n_pods; i++) {
            const char *a = mt_meta_annotation(&s->pods[i].meta, MT_ANNOT_STEP);
            if (a && !strcmp(a, "cdc"))
                return &s->pods[i];
        }
        return NULL;
    }
    /* kbcli's BuildInitializationStepsOrder: the template's steps that the
     * task has, in the template's order; the pod's serial_job_order is the
     * index of the step in that list. */
    const mt_template *tmpl = mt_snapshot_template(s, t->template_name ? t->template_name : "");
    if (!tmpl)
        return NULL;
    long order = -1, idx = 0;
    for (size_t i = 0; i < tmpl->n_steps && order < 0; i++) {
        bool in_task = false;
        for (size_t j = 0; j < t->n_steps; j++)
            in_task |= !strcmp(t->steps[j], tmpl->steps[i].step);
        if (!in_task)
            continue;
        const char *cli = mt_step_cli_name(tmpl->steps[i].step);
        if (cli && !strcmp(cli, step))
            order = idx;
        idx++;
    }
    if (order < 0)
        return NULL;
    char want[24];
    snprintf(want, sizeof want, "%ld", order);
    for (size_t i = 0; i < s->n_pods; i++) {
        const char *a = mt_meta_annotation(&s->pods[i].meta, MT_ANNOT_ORDER);
        if (a && *a && !strcmp(a, want))
            return &s->pods[i];
    }
    return NULL;
}

typedef struct line_ctx {
    kube_buf partial;
    mt_log_line_fn fn;
    bool (*keep_going)(void *ctx);
    void *ctx;
    bool stopped;
} line_ctx;

static bool log_keep_going(void *ud)
{
    line_ctx *lc = ud;
    return !lc->keep_going || lc->keep_going(lc->ctx);
}

static bool on_log_data(void *ud, const char *p, size_t n)
{
    line_ctx *lc = ud;
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (!nl || lc->partial.len) {
            size_t need = lc->partial.len + take + 1;
            if (need > lc->partial.cap) {
                lc->partial.data = realloc(lc->partial.data, need * 2);
                if (!lc->partial.data)
                    abort();
                lc->partial.cap = need * 2;
            }
            memcpy(lc->partial.data + lc->partial.len, p, take);
            lc->partial.len += take;
            lc->partial.data[lc->partial.len] = '\0';
        }
        if (!nl)
            return true;
        bool go_on;
        if (lc->partial.len) {
            go_on = lc->fn(lc->ctx, lc->partial.data, lc->partial.len);
            lc->partial.len = 0;
        } else {
            go_on = lc->fn(lc->ctx, p, take);
        }
        if (!go_on) {
            lc->stopped = true;
            return false;
        }
        p += take + 1;
        n -= take + 1;
    }
    return true;
}

bool kube_backend_logs(mt_backend *b, const char *ns, const char *task, const mt_logs_opts *o,
                       mt_log_line_fn fn, void *ctx, char *err, size_t errlen)
{
    kube_client *k = kube_backend_client(b);
    if (!ns || !*ns)
        ns = kube_client_config(k)->namespace_;
    const char *step = o->step ? o->step : "";
    if (strcmp(step, "precheck") && strcmp(step, "init-struct") && strcmp(step, "init-data") &&
        strcmp(step, "cdc")) {
        snprintf(err, errlen, "invalid step \"%s\": use one of precheck, init-struct, "
                 "init-data, cdc", step);
        return false;
    }
    CURL *h = curl_easy_init();
    if (!h)
        abort();
    mt_snapshot *s = mt_snapshot_new();
    bool ok = kube_backend_check_crds(b, h, err, errlen);
    char *path = NULL;
    if (ok) {
        char *tp = kube_path_task(ns, task);
        ok = kube_get_into(k, h, tp, s, err, errlen);
        free(tp);
    }
    const mt_task *t = ok && s->n_tasks ? &s->tasks[0] : NULL;
    if (ok && t) {
        char *tp = kube_path_template(t->template_name ? t->template_name : "");
        char *pp = kube_path_workload("pods", ns, task);
        ok = (!strcmp(step, "cdc") || kube_get_into(k, h, tp, s, err, errlen)) &&
             kube_list_into(k, h, pp, s, NULL, err, errlen);
        free(tp);
        free(pp);
        t = &s->tasks[0];
    }
    const mt_pod *pod = ok && t ? kube_pod_for_step(s, t, step) : NULL;
    if (ok && !pod) {
        snprintf(err, errlen, "migrationtask[%s] step[%s] 's pod not found", task, step);
        ok = false;
    }
    if (ok) {
        char q[160] = "";
        size_t ql = 0;
        if (o->tail_lines >= 0)
            ql += (size_t)snprintf(q + ql, sizeof q - ql, "&tailLines=%ld", o->tail_lines);
        if (o->since_seconds > 0)
            ql += (size_t)snprintf(q + ql, sizeof q - ql, "&sinceSeconds=%ld", o->since_seconds);
        if (o->timestamps)
            ql += (size_t)snprintf(q + ql, sizeof q - ql, "&timestamps=true");
        if (o->follow)
            ql += (size_t)snprintf(q + ql, sizeof q - ql, "&follow=true");
        if (o->previous)
            ql += (size_t)snprintf(q + ql, sizeof q - ql, "&previous=true");
        size_t n = strlen(ns) + strlen(pod->meta.name) + ql + 64;
        path = malloc(n);
        snprintf(path, n, "/api/v1/namespaces/%s/pods/%s/log%s%s", ns, pod->meta.name,
                 ql ? "?" : "", ql ? q + 1 : "");
        line_ctx lc = {.fn = fn, .keep_going = o->keep_going, .ctx = ctx};
        /* A followed log may be quiet for hours: no low-speed limit there,
         * TCP keepalive notices a dead peer. */
        kube_req r = {.method = "GET", .path = path, .on_data = on_log_data, .ctx = &lc,
                      .low_speed_s = o->follow ? 0 : 60, .keep_going = log_keep_going};
        kube_resp resp;
        ok = kube_do(k, h, &r, &resp, err, errlen);
        if (ok && !lc.stopped && lc.partial.len)
            fn(ctx, lc.partial.data, lc.partial.len);
        if (!ok && lc.stopped)
            ok = true;
        kube_buf_free(&lc.partial);
        kube_resp_free(&resp);
    }
    free(path);
    mt_snapshot_free(s);
    curl_easy_cleanup(h);
    return ok;
}
