/* kbcli-compatible parsing of `migration create` flags, shared by the
 * kube and local backends, the CLI and the create wizard. Every error
 * says which flag and what is wrong with it. */
#ifndef MIGTOP_FLAGS_H
#define MIGTOP_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/task.h"

/* --source / --sink: user:password@host:port[/db], or user@host:port[/db]
 * (password ""; it then comes from ~/.pgpass, PGPASSWORD or a prompt). */
typedef struct mt_endpoint_arg {
    const char *user, *password;
    const char *address; /* host:port as given, e.g. "10.0.0.1:5432", "[::1]:5432" */
    const char *host;    /* without brackets */
    int port;            /* 5432 when not given */
    const char *database; /* "" when not given */
} mt_endpoint_arg;

bool mt_parse_endpoint(arena *a, const char *flag, const char *s, mt_endpoint_arg *out,
                       char *err, size_t errlen);

/* --migration-object, possibly given several times: each value is a CSV
 * list like "public.t1","public.t2" or "public". */
bool mt_parse_objects(arena *a, const char *const *values, size_t n, mt_objects *out,
                      char *err, size_t errlen);

/* --steps precheck=true,init-struct=false,init-data=true,cdc=true.
 * Fills the CR step list and the task type as kbcli does. */
typedef struct mt_steps_arg {
    const char *task_type;  /* initialization | initialization-and-cdc */
    const char *steps[3];   /* CR names in kbcli's order */
    size_t n_steps;
    bool cdc;
} mt_steps_arg;

bool mt_parse_steps(const char *const *values, size_t n, mt_steps_arg *out, char *err,
                    size_t errlen);
/* Whether the steps include the CR step cr_name ("initData"). */
bool mt_steps_has(const mt_steps_arg *s, const char *cr_name);

/* --copy-rate: bytes a second, as "20MB", "1.5GiB/s", "500k" or "0"
 * (no limit): B, k/KB/M/MB/G/GB (1000s), KiB/MiB/GiB (1024s), an optional
 * "/s". The value of MT_COPY_RATE_ANNOTATION. */
bool mt_parse_rate(const char *v, long long *bytes_per_s, char *err, size_t errlen);

/* --sink-tables fail|truncate|append (MT_SINK_TABLES_ANNOTATION). */
bool mt_parse_sink_tables(const char *v, const char **out, char *err, size_t errlen);

/* An endpoint as typed (a URI, key=value pairs) with every password in it
 * replaced in place by '*' (the same length, so a cursor stays where it
 * is): "postgresql://u:****@h/db", "host=h password=**** user=u". */
void mt_mask_endpoint_secrets(char *s);

/* A password migtop can store and pass on: no control characters (a
 * newline would break the task's password file, and every printer). */
bool mt_valid_password(const char *pw, char *err, size_t errlen);

/* A Kubernetes object name (RFC 1123 subdomain, lower case): the task name. */
bool mt_valid_name(const char *name, char *err, size_t errlen);

/* "--flag value", "--flag=value" or (short) "-fvalue"/"-f value": 1 taken
 * (*i advanced), 0 not this flag, -1 value missing (err set). */
int flag_take(const char *flag, const char *shortf, int argc, char **argv, int *i,
              const char **out, char *err, size_t errlen);

#endif
