/* The task's spec on disk (spec.json, a MigrationTask object without
 * passwords) and the passwords beside it (pgpass, libpq's .pgpass format,
 * 0600), and the connections the runner opens from them. Connection
 * parameters go to libpq as keyword arrays, never as one string with a
 * password in it, so nothing the runner logs can leak one. */
#ifndef MIGTOP_ENGINE_SPEC_H
#define MIGTOP_ENGINE_SPEC_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/status.h"
#include "model/backend.h"
#include "model/task.h"

#define ENGINE_LOCAL_TEMPLATE MT_LOCAL_TEMPLATE

typedef struct engine_endpoint {
    char host[256];
    char port[16];
    char db[256];
    char user[256];
} engine_endpoint;

typedef struct engine_spec {
    arena a;
    cJSON *json;     /* spec.json as read */
    mt_task task;    /* parsed from it (strings live in a) */
    char dir[4096];  /* the task directory */
    char passfile[4200];
    engine_endpoint src, sink;
    bool enabled[ES_N];
    bool cdc;        /* the task type includes CDC: create a slot */
} engine_spec;

/* Writes spec.json and pgpass for a new task in dir (already created). */
bool engine_spec_write(const char *dir, const mt_create_req *req, char *err, size_t errlen);
bool engine_spec_load(engine_spec *sp, const char *dir, char *err, size_t errlen);
void engine_spec_free(engine_spec *sp);

/* Opens a connection; replication=true opens a logical replication
 * connection (replication=database). appname shows in pg_stat_activity. */
PGconn *engine_connect(const engine_spec *sp, const engine_endpoint *e, bool replication,
                       const char *appname, char *err, size_t errlen);
/* "host='h' port='p' dbname='d' user='u' passfile='...'" for pg_dump and
 * pg_restore (-d); contains no password. */
void engine_conninfo(const engine_spec *sp, const engine_endpoint *e, char *out, size_t outlen);
/* "user@host:port/db" for messages. */
void engine_endpoint_label(const engine_endpoint *e, char *out, size_t outlen);

#endif
