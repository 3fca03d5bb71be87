/* A local task's health, as every reader shows it: derived here from
 * what the processes leave (who holds runner.lock and supervisor.lock,
 * the runner's heartbeat in status.json, CDC's state), never from what the
 * status last claimed. Written as the MigrationTask's annotations
 * (MT_ANNOT_HEALTH, _SINCE, _REASON; model/task.h reads them):
 *   ok           nothing wrong (or the task has ended)
 *   runner-gone  no process runs the task (since its last heartbeat)
 *   runner-hung  its runner has not written its status for 10 s
 *   stalled      CDC has changes to apply and has applied nothing for a while
 *   failing      CDC fails on the same change again and again
 *   status-lost  status.json and its last good copy are both damaged */
#ifndef MIGTOP_ENGINE_LOCAL_HEALTH_H
#define MIGTOP_ENGINE_LOCAL_HEALTH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "model/task.h"

typedef struct local_health_in {
    const char *dir, *name;
    const cJSON *status; /* parsed status (NULL: unreadable) */
    const char *why;     /* why it is unreadable */
    pid_t runner, supervisor; /* lock holders, 0: none */
    bool terminating;
    time_t created;
} local_health_in;

void engine_local_health(const local_health_in *in, cJSON *annotations);

#endif
