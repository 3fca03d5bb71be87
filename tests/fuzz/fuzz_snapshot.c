/* `kubectl get -o json` text (what the file feed and the API give) into a
 * snapshot, then every task described as the panes and describe do. */
#include <time.h>

#include "fuzz_common.h"
#include "model/describe.h"
#include "model/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    mt_snapshot *s = mt_snapshot_parse((const char *)data, size, err, sizeof err);
    if (!s)
        return 0;
    for (size_t i = 0; i < s->n_tasks; i++) {
        arena a;
        arena_init(&a);
        mt_describe d;
        mt_describe_build(&a, s, &s->tasks[i], 1764590000, 0, &d);
        int64_t lag;
        mt_task_ts_lag(&s->tasks[i], 1764590000, 3600, &lag);
        arena_free(&a);
    }
    mt_snapshot_free(s);
    return 0;
}
