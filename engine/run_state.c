#include "engine/run_state.h"

#include <stdio.h>

bool engine_runner_stopping(engine_runner *r)
{
    return atomic_load(&r->stop);
}

bool engine_runner_tables(engine_runner *r, PGconn *src, char *err, size_t errlen)
{
    if (r->tables)
        return true;
    char e2[1024];
    if (!engine_resolve_tables(src, &r->spec.task.objects, &r->tables, &r->n_tables, e2,
                               sizeof e2)) {
        snprintf(err, errlen, "resolving the migration objects: %s", e2);
        return false;
    }
    return true;
}
