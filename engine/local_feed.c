#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/local_internal.h"
#include "engine/local_objects.h"
#include "engine/orphan_scan.h"
#include "engine/taskdir.h"

#define POLL_MS 500
#define REFRESH_MS 5000

typedef struct local_feed {
    char state_dir[4096];
    orphan_scan *orphans;
} local_feed;

static void local_feed_free(void *arg)
{
    local_feed *lf = arg;
    orphan_scan_stop(lf->orphans);
    free(lf);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

/* Changes whenever a task appears or goes, or one of its files is
 * rewritten (status.json every second while a runner works). */
static uint64_t signature(const char *state_dir)
{
    char **names;
    size_t n = engine_list_tasks(state_dir, &names);
    uint64_t h = n;
    static const char *const files[] = {ENGINE_STATUS_FILE, ENGINE_SPEC_FILE,
                                        ENGINE_TERMINATE_FILE, ENGINE_LOCK_FILE};
    for (size_t i = 0; i < n; i++) {
        for (const char *p = names[i]; *p; p++)
            h = mix(h, (unsigned char)*p);
        for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
            char path[4400];
            snprintf(path, sizeof path, "%s/tasks/%s/%s", state_dir, names[i], files[k]);
            struct stat st;
            if (stat(path, &st) == 0)
                h = mix(mix(mix(h, (uint64_t)st.st_ino), (uint64_t)st.st_size),
                        (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec);
            else
                h = mix(h, k + 1);
        }
    }
    engine_free_names(names, n);
    return h;
}

static void run(mt_feed *f, void *arg)
{
    local_feed *lf = arg;
    uint64_t last = 0;
    int64_t last_pub = 0;
    do {
        uint64_t sig = signature(lf->state_dir);
        int64_t now = fmt_mono_ms();
        if (sig != last || now - last_pub >= REFRESH_MS || !last_pub) {
            char err[512];
            mt_snapshot *s = engine_local_snapshot(lf->state_dir, NULL, err, sizeof err);
            if (s) {
                orphan_scan_into(lf->orphans, s);
                mt_feed_publish(f, s);
                last = sig;
                last_pub = now;
            } else {
                mt_feed_error(f, "%s", err);
            }
        }
    } while (mt_feed_wait(f, POLL_MS));
}

mt_feed *engine_local_feed(mt_backend *b, char *err, size_t errlen)
{
    local_feed *lf = calloc(1, sizeof *lf);
    if (!lf)
        abort();
    snprintf(lf->state_dir, sizeof lf->state_dir, "%s", engine_backend_state_dir(b));
    char label[4200];
    snprintf(label, sizeof label, "local %s", lf->state_dir);
    lf->orphans = orphan_scan_start(lf->state_dir);
    mt_feed *f = mt_feed_new(label, run, lf, local_feed_free);
    if (!mt_feed_start(f, err, errlen)) {
        mt_feed_free(f);
        return NULL;
    }
    return f;
}
