/* LIST then WATCH of one resource, kept as a store of the current objects.
 * The watch runs on a curl multi handle owned by the feed, so several
 * watches (tasks, templates, and the focused task's jobs/pods/statefulsets)
 * share one thread and one poll. A stream is split into lines however the
 * chunks fall; each line is one event. Resuming uses the newest
 * resourceVersion seen (events and bookmarks); 410 Gone means relist. */
#ifndef MIGTOP_KUBE_WATCH_H
#define MIGTOP_KUBE_WATCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "kube/client.h"

typedef struct kwatch {
    char *what;      /* "migrationtasks", for messages */
    char *path;      /* list path, may carry ?labelSelector= */
    cJSON *store;    /* object: "ns/name" -> object */
    char *rv;        /* resume point; NULL: must list */
    bool listed;
    bool changed;    /* the store changed since the feed last looked */
    bool heard;      /* anything (event or bookmark) arrived since last looked */
    /* the stream */
    CURL *h;
    struct kube_xfer *x;
    kube_resp resp;
    bool active, healthy;
    kube_buf line;
    bool gone;       /* an ERROR event with 410 arrived */
    char stream_err[256];
    /* failures */
    int64_t retry_at_ms;
    int backoff_ms, failures;
    char err[512];   /* "" while healthy */
    long idle_s;     /* low-speed limit of the stream */
    uint64_t events; /* for tests and the bench */
    long last_status; /* HTTP status of the last stream */
    int64_t started_ms; /* when the stream was opened (monotonic) */
    /* 410 Gone answered again and again (a broken server or proxy): after
     * the second, relists are backed off and the banner says so. */
    int gones;
    int64_t last_gone_ms;
} kwatch;

kwatch *kwatch_new(const char *what, const char *path, long idle_s);
void kwatch_free(kwatch *w, CURLM *m);

/* LIST into the store (blocking on h, at most timeout_ms). */
bool kwatch_list(kwatch *w, kube_client *k, CURL *h, long timeout_ms,
                 bool (*keep_going)(void *), void *ctx, char *err, size_t errlen);
/* Starts the stream from w->rv on the multi handle. */
bool kwatch_start(kwatch *w, kube_client *k, CURLM *m, char *err, size_t errlen);
/* The multi handle reported the stream's end: records why. Returns true if
 * the stream ended normally (server timeout) and can simply resume. */
bool kwatch_ended(kwatch *w, CURLM *m, CURLcode rc);

/* Gives up on the open stream (e.g. the server never answered it); why
 * becomes w->err. */
void kwatch_abort(kwatch *w, CURLM *m, const char *why);

/* Feeds raw stream bytes (exported for the unit tests: chunk boundaries). */
bool kwatch_feed_bytes(kwatch *w, const char *p, size_t n);

#endif
