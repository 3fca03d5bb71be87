/* The servers local tasks have used, remembered in STATE/endpoints.json
 * (host, port, database, user and whether it was a source or a sink; no
 * password) after the tasks are gone, so what they left there can still
 * be looked for (pgprobe/orphans.h: `migtop orphans`, the dashboard). */
#ifndef MIGTOP_ENGINE_REGISTRY_H
#define MIGTOP_ENGINE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "model/flags.h"

typedef struct engine_server {
    char role[8]; /* "source" or "sink" */
    char host[256], port[16], db[256], user[256];
} engine_server;

/* Adds the task's two servers (each once). Failing to remember is logged
 * by the caller and not fatal. */
bool engine_registry_add(const char *state_dir, const mt_endpoint_arg *src,
                         const mt_endpoint_arg *sink, char *err, size_t errlen);
/* The servers remembered (malloc'd, free()); 0 when none. */
size_t engine_registry_list(const char *state_dir, engine_server **out);

/* The slot names of the tasks in STATE/tasks (malloc'd strings and array;
 * engine_free_names). */
size_t engine_local_slots(const char *state_dir, char ***slots);

#endif
