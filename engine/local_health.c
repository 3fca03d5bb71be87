#include "engine/local_health.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/taskdir.h"
#include "model/fmt.h"

/* Seconds without a status write after which a live runner is called hung:
 * it writes every second, even while a step waits on a server. */
#define HUNG_S 10
/* A task this young may not have a runner yet: its supervisor is starting it. */
#define STARTING_S 10

static const char *sget(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void put(cJSON *an, const char *kind, time_t since, const char *reason)
{
    cJSON_AddStringToObject(an, MT_ANNOT_HEALTH, kind);
    if (since > 0) {
        char b[40];
        fmt_rfc3339((mt_time)since, b, sizeof b);
        cJSON_AddStringToObject(an, MT_ANNOT_HEALTH_SINCE, b);
    }
    if (reason && *reason)
        cJSON_AddStringToObject(an, MT_ANNOT_HEALTH_REASON, reason);
}

/* The last sign of life: the runner's heartbeat, else the status file's
 * time. */
static time_t last_seen(const char *dir, const cJSON *status)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(status, "runner");
    const char *hb = sget(r, "heartbeat");
    mt_time t = 0;
    if (hb && fmt_parse_timestamp(hb, 0, &t, NULL))
        return (time_t)t;
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", dir, ENGINE_STATUS_FILE);
    struct stat st;
    return stat(p, &st) == 0 ? st.st_mtime : 0;
}

static bool cdc_health(const cJSON *status, cJSON *an)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(status, "cdc"), "metrics");
    const char *state = sget(m, "state");
    if (!state)
        return false;
    mt_time since = 0;
    const char *at = sget(m, "stalled_since");
    if (at)
        fmt_parse_timestamp(at, 0, &since, NULL);
    if (!strcmp(state, "stalled")) {
        put(an, "stalled", (time_t)since, sget(m, "stall_reason"));
        return true;
    }
    if (!strcmp(state, "failing")) {
        const char *e = sget(m, "last_error_at");
        if (e)
            fmt_parse_timestamp(e, 0, &since, NULL);
        put(an, "failing", (time_t)since, sget(m, "last_error"));
        return true;
    }
    return false;
}

void engine_local_health(const local_health_in *in, cJSON *an)
{
    time_t now = time(NULL);
    char reason[1400];
    if (!in->status) {
        snprintf(reason, sizeof reason, "%s; a runner started again finds where the task was "
                 "from its slot and replication origin", in->why);
        put(an, "status-lost", 0, reason);
        return;
    }
    const char *ts = sget(in->status, "taskStatus");
    bool finished = ts && (!strcmp(ts, "Done") || !strcmp(ts, "Failed"));
    if (finished && !in->terminating) {
        put(an, "ok", 0, NULL);
        return;
    }
    time_t seen = last_seen(in->dir, in->status);
    char when[40] = "";
    if (seen)
        fmt_rfc3339((mt_time)seen, when, sizeof when);
    if (!in->runner) {
        bool young = in->created && now - in->created < STARTING_S;
        if (young && in->supervisor) {
            put(an, "ok", 0, "starting");
            return;
        }
        if (in->supervisor)
            snprintf(reason, sizeof reason, "no runner (last seen %s); its supervisor (pid %ld) "
                     "is starting it again", seen ? when : "never", (long)in->supervisor);
        else
            snprintf(reason, sizeof reason, "no runner and no supervisor (last seen %s): "
                     "`migtop supervise %s` starts them again", seen ? when : "never", in->name);
        put(an, "runner-gone", seen, reason);
        return;
    }
    if (seen && now - seen > HUNG_S) {
        snprintf(reason, sizeof reason, "the runner (pid %ld) has not written its status for "
                 "%lld s", (long)in->runner, (long long)(now - seen));
        put(an, "runner-hung", seen, reason);
        return;
    }
    if (!cdc_health(in->status, an))
        put(an, "ok", 0, NULL);
}
