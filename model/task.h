/* MigrationTask and MigrationTemplate (datamigration.apecloud.io/v1alpha1)
 * as the KubeBlocks migration add-on and kbcli define them. Both backends
 * fill these structs: kube/ from the API server, engine/ from a task dir. */
#ifndef MIGTOP_TASK_H
#define MIGTOP_TASK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/arena.h"
#include "model/fmt.h"
#include "model/jsonx.h"
#include "model/progress.h"
#include "model/strbuf.h"

#define MT_GROUP "datamigration.apecloud.io"
#define MT_API_VERSION "datamigration.apecloud.io/v1alpha1"
/* What init-data does with a sink table that already holds rows (not its
 * own from an earlier run): fail (the default), truncate or append. Kept
 * as this annotation of the task, set only when not the default. */
#define MT_SINK_TABLES_ANNOTATION "migtop.io/sink-tables"
/* Local tasks: init-data copies at most this many bytes a second, all
 * workers together (mt_parse_rate), so the source's I/O stays for its
 * business. */
#define MT_COPY_RATE_ANNOTATION "migtop.io/copy-rate"
/* The local engine's own template. */
#define MT_LOCAL_TEMPLATE "migtop-local-pg2pg"
#define MT_LABEL_TASK "datamigration.apecloud.io/migrationtask"
/* A task's health as the local backend derives it (engine/local_health.h). */
#define MT_ANNOT_HEALTH "migtop.io/health"
#define MT_ANNOT_HEALTH_SINCE "migtop.io/health-since"
#define MT_ANNOT_HEALTH_REASON "migtop.io/health-reason"
#define MT_ANNOT_STEP "datamigration.apecloud.io/step"
#define MT_ANNOT_ORDER "common.apecloud.io/serial_job_order"

typedef struct mt_kv {
    const char *key, *value;
} mt_kv;

typedef struct mt_meta {
    const char *name, *namespace_, *uid, *resource_version;
    mt_time created, deleted; /* deleted: deletionTimestamp (Terminating) */
    mt_kv *labels, *annotations;
    size_t n_labels, n_annotations;
} mt_meta;

typedef struct mt_endpoint {
    const char *endpoint_type, *address, *database, *user, *password;
    const char *secret_name, *secret_namespace;
} mt_endpoint;

typedef struct mt_table_obj {
    const char *name;
    bool is_all;
} mt_table_obj;

typedef struct mt_schema_obj {
    const char *schema;
    bool is_all;
    mt_table_obj *tables;
    size_t n_tables;
} mt_schema_obj;

typedef struct mt_objects {
    mt_schema_obj *white, *black;
    size_t n_white, n_black;
} mt_objects;

/* Runtime status of the initialization or the CDC part. */
typedef struct mt_runtime {
    mt_time start, finish;
    const char *failed_reason;
    mt_kv *metrics; /* kept in the order read; describe sorts them */
    size_t n_metrics;
    mt_kv *params;  /* runTimeParam */
    size_t n_params;
} mt_runtime;

/* What the status alone cannot say: whether something runs the task and
 * gets anywhere. Every reader shows a task that is not OK as such. */
typedef enum mt_health_kind {
    MT_HEALTH_OK,
    MT_HEALTH_RUNNER_GONE, /* no process runs it */
    MT_HEALTH_RUNNER_HUNG, /* its runner stopped writing its status */
    MT_HEALTH_STALLED,     /* CDC has changes to apply and applies nothing */
    MT_HEALTH_FAILING,     /* CDC fails on the same change again and again */
    MT_HEALTH_STATUS_LOST, /* its status cannot be read */
} mt_health_kind;

typedef struct mt_health {
    mt_health_kind kind;
    mt_time since;      /* 0: unknown */
    const char *reason; /* for people; "" when OK */
} mt_health;

typedef struct mt_task {
    mt_meta meta;
    const char *task_type; /* initialization | cdc | initialization-and-cdc */
    const char *template_name;
    mt_endpoint source, sink;
    const char **steps; /* CR step names: preCheck, initStruct, initData */
    size_t n_steps;
    mt_objects objects;
    const char *task_status; /* Prepare, InitPrepared, Init, ... Done */
    /* Made once when parsed (the task list draws them every second). */
    const char *source_masked, *sink_masked, *objects_text;
    mt_time start, finish;
    mt_runtime init, cdc;
    mt_progress progress; /* per-table copy progress (local engine only) */
    mt_health health;
} mt_task;

typedef struct mt_template_step {
    const char *step; /* CR name */
    const char *image;
} mt_template_step;

typedef struct mt_template {
    mt_meta meta;
    const char **task_types;
    size_t n_task_types;
    const char *description; /* "PostgreSQL ==> PostgreSQL" */
    const char *source_db, *source_version, *target_db, *target_version;
    mt_template_step *steps;
    size_t n_steps;
    const char *phase; /* Available | Unavailable */
} mt_template;

/* Parsing fills *out from one object; errors go to c (path-prefixed). */
void mt_meta_parse(jx *c, const cJSON *obj, const char *path, mt_meta *out);
void mt_task_parse(jx *c, const cJSON *obj, const char *path, mt_task *out);
void mt_template_parse(jx *c, const cJSON *obj, const char *path, mt_template *out);

const char *mt_meta_label(const mt_meta *m, const char *key);
const char *mt_meta_annotation(const mt_meta *m, const char *key);

/* Step names: CR "preCheck" <-> CLI "precheck" etc.; NULL if unknown. */
const char *mt_step_cli_name(const char *cr_step);
const char *mt_step_cr_name(const char *cli_step);

/* "public.t1,public.t2,sales" as kbcli's MigrationObjectExpress.String. */
/* "public.t1,public.t2,sales" as kbcli's MigrationObjectExpress.String;
 * a name with a dot, quote or comma in SQL's quotes ("My.Schema".t). */
char *mt_objects_string(arena *a, const mt_objects *o);
/* One object as --migration-object takes it, appended to b (after a ','
 * when b is not empty): '"public.t1"', or for names with dots, quotes or
 * commas '"""My.Schema"".""T"""' (table NULL: the whole schema). */
void mt_object_arg(strbuf *b, const char *schema, const char *table);
/* A copy of src whose strings live in a. */
void mt_objects_copy(arena *a, const mt_objects *src, mt_objects *dst);
/* "user:****@host:port/db": the password is never shown. */
char *mt_endpoint_masked(arena *a, const mt_endpoint *e);
/* "RunnerDown", "NotResponding", "Stalled", "Failing", "StatusLost": the
 * word the list shows instead of the status; NULL when OK. */
const char *mt_health_word(mt_health_kind k);
/* True if the task shows as failed (failedReason set, or a Failed status). */
bool mt_task_failed(const mt_task *t);
/* The task's slot and publication names (DESIGN.md): '-' becomes '_'. */
char *mt_slot_name(arena *a, const char *task_name);
char *mt_publication_name(arena *a, const char *task_name);

#endif
