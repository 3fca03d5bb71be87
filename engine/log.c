#include "engine/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

bool engine_log_open(engine_log *l, const char *task_dir, const char *step, bool echo,
                     char *err, size_t errlen)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s.log", task_dir, step);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    l->f = fd >= 0 ? fdopen(fd, "a") : NULL;
    if (!l->f) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    pthread_mutex_init(&l->mu, NULL);
    l->echo = echo;
    return true;
}

void engine_log_close(engine_log *l)
{
    if (!l->f)
        return;
    fclose(l->f);
    l->f = NULL;
    pthread_mutex_destroy(&l->mu);
}

void engine_logf(engine_log *l, const char *level, const char *fmt, ...)
{
    if (!l || !l->f)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[48];
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)(tv.tv_usec / 1000));
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&l->mu);
    fprintf(l->f, "%s %s %s\n", ts, level, msg);
    fflush(l->f);
    if (l->echo)
        fprintf(stderr, "%s %s %s\n", ts, level, msg);
    pthread_mutex_unlock(&l->mu);
}
