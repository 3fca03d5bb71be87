/* A local task's files as a runner or a reader finds them after a crash,
 * a full disk or a person's editor: the first byte picks spec.json or
 * status.json (and status.prev.json), the rest is its content. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/local_objects.h"
#include "engine/spec.h"
#include "engine/status.h"
#include "engine/taskdir.h"
#include "fuzz_common.h"

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
    const char *which = data[0] % 3 == 0 ? ENGINE_SPEC_FILE
                      : data[0] % 3 == 1 ? ENGINE_STATUS_FILE : ENGINE_STATUS_PREV;
    put(dir, which, data + 1, size - 1);
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
