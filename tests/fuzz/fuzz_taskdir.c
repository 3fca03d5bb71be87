/* A local task's files as a runner or a reader finds them after a crash,
 * a full disk or a person's editor: the first byte picks spec.json,
 * status.json, status.prev.json or history.json, the rest is its content. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/local_objects.h"
#include "engine/spec.h"
#include "engine/status.h"
#include "engine/taskdir.h"
#include "fuzz_common.h"
#include "model/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(const char *dir, const char *name, const uint8_t *data, size_t size)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char state[256], dir[512];
    if (!state[0]) {
        snprintf(state, sizeof state, "/dev/shm/migtop-fuzz-state-%ld", (long)getpid());
        snprintf(dir, sizeof dir, "%s/tasks/t", state);
        mkdir(state, 0700);
        snprintf(dir, sizeof dir, "%s/tasks", state);
        mkdir(dir, 0700);
        snprintf(dir, sizeof dir, "%s/tasks/t", state);
        mkdir(dir, 0700);
    }
    if (!size)
        return 0;
    const char *which = data[0] % 4 == 0 ? ENGINE_SPEC_FILE
                      : data[0] % 4 == 1 ? ENGINE_STATUS_FILE
                      : data[0] % 4 == 2 ? ENGINE_STATUS_PREV : ENGINE_HISTORY_FILE;
    put(dir, which, data + 1, size - 1);
    if (data[0] % 4 == 3) { /* what a dashboard and a runner do with it */
        static mt_hist h;
        char *text = malloc(size);
        if (!text)
            abort();
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        mt_hist_merge_json(&h, text);
        free(text);
        float lag[60], rate[60];
        mt_hist_buckets(&h, 1796140000000LL, 600, 60, lag, rate);
        return 0;
    }
    char err[512];
    engine_spec sp = {0};
    bool ok = engine_spec_load(&sp, dir, err, sizeof err);
    bool enabled[ES_N] = {true, true, true, true, true};
    engine_status st;
    engine_status_init(&st, dir, ok ? sp.enabled : enabled);
    engine_status_free(&st);
    engine_spec_free(&sp);
    /* What every reader builds from the same files. */
    mt_snapshot *s = engine_local_snapshot(state, NULL, err, sizeof err);
    mt_snapshot_free(s);
    return 0;
}
