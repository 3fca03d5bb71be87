#include "engine/restore.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/pg.h"
#include "engine/taskdir.h"
#include "engine/tools.h"

/* Errors a re-run meets on objects it created before. */
static bool benign(const char *line)
{
    return strstr(line, "already exists") || strstr(line, "multiple primary keys");
}

/* Reads pg_restore's stderr into the log; true when every error in it
 * is about an object that exists already. */
static bool check_restore_errors(engine_log *log, const char *path, int rc, char *err,
                                 size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[4096], last[1024] = "";
    long benign_n = 0;
    bool ok = true, in_command = false;
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        /* "Command was: ..." runs over several lines, up to the next
         * "pg_restore:" message: the SQL is not worth logging. */
        if (!strncmp(line, "Command was:", 12))
            in_command = true;
        else if (!strncmp(line, "pg_restore:", 11))
            in_command = false;
        if (!*line || in_command)
            continue;
        snprintf(last, sizeof last, "%.1000s", line);
        if (strstr(line, "ERROR:")) {
            if (benign(line)) {
                benign_n++;
                continue;
            }
            engine_logf(log, "ERROR", "%s", line);
            if (ok)
                snprintf(err, errlen, "pg_restore: %s", strstr(line, "ERROR:") + 7);
            ok = false;
        } else if (!strstr(line, "Command was:") && !strstr(line, "errors ignored on restore") &&
                   !strstr(line, "from TOC entry")) {
            engine_logf(log, "INFO", "pg_restore: %s", line);
        }
    }
    if (f)
        fclose(f);
    if (benign_n)
        engine_logf(log, "INFO", "%ld objects already existed on the sink and were kept",
                    benign_n);
    if (ok && rc != 0 && !benign_n) {
        snprintf(err, errlen, "pg_restore failed (exit %d): %s", rc, last);
        ok = false;
    }
    return ok;
}

bool engine_restore(engine_runner *r, const char *section, const char *list_name, int jobs,
                    long index_mem_mb, char *err, size_t errlen)
{
    engine_log *log = &r->log[ES_INIT_STRUCT];
    char tool[1024], conn[4096], dump[4300], list[4300], errf[4300], jobs_s[16];
    engine_tool_path("pg_restore", tool, sizeof tool);
    engine_conninfo(&r->spec, &r->spec.sink, conn, sizeof conn);
    snprintf(dump, sizeof dump, "%s/%s", r->dir, ENGINE_DUMP_FILE);
    snprintf(list, sizeof list, "%s/%s", r->dir, list_name);
    /* Named by the list: two restores of post-data may run at once. */
    snprintf(errf, sizeof errf, "%s/pg_restore-%s.err", r->dir, list_name);
    snprintf(jobs_s, sizeof jobs_s, "%d", jobs > 0 ? jobs : 1);
    char sect[64];
    snprintf(sect, sizeof sect, "--section=%s", section);
    char *argv[] = {tool,           sect,       "--no-owner", "--no-privileges",
                    "--no-comments", "-L",      list,         "-j",
                    jobs_s,         "-d",       conn,         dump,
                    NULL};
    /* Index builds are the slow part of post-data: give them memory. */
    char opts[160];
    int n = snprintf(opts, sizeof opts, "PGOPTIONS=-c synchronous_commit=off");
    if (index_mem_mb > 0)
        snprintf(opts + n, sizeof opts - (size_t)n, " -c maintenance_work_mem=%ldMB",
                 index_mem_mb);
    const char *env[] = {opts, NULL};
    engine_logf(log, "INFO", "pg_restore %s (%s) with %s job(s) into %s@%s:%s/%s", section,
                list_name, jobs_s, r->spec.sink.user, r->spec.sink.host, r->spec.sink.port,
                r->spec.sink.db);
    int rc = engine_tool_run(argv, env, NULL, errf, &r->stop, err, errlen);
    if (rc < 0)
        return false;
    bool ok = check_restore_errors(log, errf, rc, err, errlen);
    unlink(errf);
    return ok;
}

bool engine_restore_any(engine_runner *r, const char *section, const char *list_name,
                        bool *any, char *err, size_t errlen)
{
    char tool[1024], dump[4300], list[4300], out[4300], sect[64];
    engine_tool_path("pg_restore", tool, sizeof tool);
    snprintf(dump, sizeof dump, "%s/%s", r->dir, ENGINE_DUMP_FILE);
    snprintf(list, sizeof list, "%s/%s", r->dir, list_name);
    snprintf(out, sizeof out, "%s/%s.%s", r->dir, list_name, section);
    snprintf(sect, sizeof sect, "--section=%s", section);
    char *argv[] = {tool, "-l", sect, "-L", list, dump, NULL};
    int rc = engine_tool_run(argv, NULL, out, NULL, &r->stop, err, errlen);
    if (rc > 0)
        snprintf(err, errlen, "pg_restore -l %s of %s failed (exit %d)", section, list_name, rc);
    size_t len = 0;
    char *text = rc == 0 ? engine_read_file(out, &len, err, errlen) : NULL;
    unlink(out);
    if (!text)
        return false;
    /* Entries are "id; classid objid TYPE ...", comments start with ';'. */
    *any = false;
    for (const char *line = text; line && *line && !*any;) {
        *any = *line != ';' && *line != '\n';
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    free(text);
    return true;
}

/* The sink on this host: a socket directory, localhost or a loopback
 * address. */
static bool sink_is_here(const char *host)
{
    return !host || !*host || host[0] == '/' || !strcmp(host, "localhost") ||
           !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

/* MemAvailable of /proc/meminfo in bytes; 0 when unknown. */
static long long here_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

long engine_index_mem_mb(engine_runner *r, int builds)
{
    const char *o = getenv("MIGTOP_INDEX_MEM_MB");
    if (o && isdigit((unsigned char)*o))
        return atol(o);
    char err[600];
    PGconn *c = engine_connect(&r->spec, &r->spec.sink, false, "migtop post-data", err,
                               sizeof err);
    PGresult *res = c ? pg_query(c, "SELECT pg_size_bytes(current_setting('shared_buffers')),"
                                    " pg_size_bytes(current_setting('maintenance_work_mem'))",
                                 0, NULL, err, sizeof err) : NULL;
    long long shared = res ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    long long own = res ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    PQclear(res);
    PQfinish(c);
    if (!shared)
        return 0;
    bool here = sink_is_here(r->spec.sink.host);
    long long avail = here ? here_available() : 0;
    long long memory = avail ? avail : 4 * shared;
    long long mb = memory / 4 / (builds > 0 ? builds : 1) >> 20, own_mb = own >> 20;
    if (mb < own_mb)
        mb = own_mb;
    if (mb < 64)
        mb = 64;
    if (mb > 2048)
        mb = 2048;
    engine_logf(&r->log[ES_INIT_STRUCT], "INFO", "index builds: maintenance_work_mem %lld MB "
                "each for %d at once (the sink's memory %lld MB, %s; its own setting %lld MB)",
                mb, builds, memory >> 20, avail ? "available on this host" :
                "taken as 4x its shared_buffers", own_mb);
    return (long)mb;
}
