/* One log file per step in the task directory (precheck.log,
 * init-struct.log, init-data.log, cdc.log): timestamped lines that the
 * logs pane and `migtop logs --step` read. Thread-safe; never contains a
 * password (connection strings are built without them: see spec.h). */
#ifndef MIGTOP_ENGINE_LOG_H
#define MIGTOP_ENGINE_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct engine_log {
    FILE *f;
    pthread_mutex_t mu;
    bool echo; /* also to stderr: `migtop run` in the foreground */
} engine_log;

bool engine_log_open(engine_log *l, const char *task_dir, const char *step, bool echo,
                     char *err, size_t errlen);
void engine_log_close(engine_log *l);
/* level: INFO, WARN, ERROR. */
void engine_logf(engine_log *l, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
