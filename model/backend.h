/* One interface over the two backends (DESIGN.md): the KubeBlocks add-on
 * reached through the Kubernetes API (kube/), and migtop's own local engine
 * (engine/). The CLI commands and the dashboard talk only to this. */
#ifndef MIGTOP_BACKEND_H
#define MIGTOP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "model/feed.h"
#include "model/flags.h"
#include "model/snapshot.h"
#include "model/strbuf.h"

/* What `create` needs, as the flags (or the create wizard) gave it. */
typedef struct mt_create_req {
    const char *name, *namespace_; /* namespace_ NULL: the backend's default */
    const char *template_name;     /* NULL: the backend's default (local: its pg2pg) */
    mt_endpoint_arg source, sink;
    mt_objects objects;
    mt_steps_arg steps;
    /* Sink tables that already hold rows: "fail" (NULL: the default),
     * "truncate" or "append" (see MT_SINK_TABLES_ANNOTATION). */
    const char *sink_tables;
    /* --copy-rate, as typed (checked with mt_parse_rate); NULL: no limit. */
    const char *copy_rate;
    /* Local tasks: "user" or "system" runs the supervisor as a systemd
     * unit (engine/systemd.h); NULL: a detached process. */
    const char *systemd;
    /* --label KEY=VALUE: the task's metadata.labels (for list -l). */
    const mt_kv *labels;
    size_t n_labels;
} mt_create_req;

/* Logs of one step. Lines are handed over one at a time, without the
 * trailing newline; return false from the callback to stop (e.g. the
 * user left the logs view while following). */
typedef struct mt_logs_opts {
    const char *step;    /* precheck | init-struct | init-data | cdc */
    long tail_lines;     /* <0: all */
    long since_seconds;  /* <=0: no limit */
    bool timestamps, follow;
    bool previous;       /* the pod's previous container (kube only) */
    /* Asked about every second while following (and on every line); false
     * ends the call. NULL: run to the end. It gets the line callback's ctx,
     * so whoever reads the lines can also say when to stop reading them. */
    bool (*keep_going)(void *ctx);
} mt_logs_opts;
typedef bool (*mt_log_line_fn)(void *ctx, const char *line, size_t len);

typedef struct mt_backend mt_backend;
typedef struct mt_backend_ops {
    const char *name; /* "kube" or "local" */
    /* One consistent read: tasks and templates (namespace NULL = all
     * namespaces, or the backend's scope), plus the jobs, pods and
     * statefulsets of `task` when given (NULL: those of every task). */
    mt_snapshot *(*fetch)(mt_backend *b, const char *namespace_, const char *task,
                          char *err, size_t errlen);
    bool (*logs)(mt_backend *b, const char *namespace_, const char *task,
                 const mt_logs_opts *o, mt_log_line_fn fn, void *ctx, char *err,
                 size_t errlen);
    bool (*create)(mt_backend *b, const mt_create_req *req, char *err, size_t errlen);
    /* Requests termination and returns; callers follow it with fetch(). */
    bool (*terminate)(mt_backend *b, const char *namespace_, const char *task, char *err,
                      size_t errlen);
    /* Forgets a task whose terminate cannot finish: stops it, lists what
     * may remain with the SQL to drop it (into report), removes it. NULL
     * where the backend cannot (Kubernetes: the add-on owns cleanup). */
    bool (*forget)(mt_backend *b, const char *namespace_, const char *task, strbuf *report,
                   char *err, size_t errlen);
    /* A live feed for the dashboard (watch/poll on its own thread). */
    mt_feed *(*feed)(mt_backend *b, char *err, size_t errlen);
    /* The namespace commands use when none is given ("" if not namespaced). */
    const char *(*default_namespace)(mt_backend *b);
    /* Where this backend's tasks live, for the files kept about them (the
     * cutover's reports): the local state directory, or the kube context's
     * name. */
    const char *(*scope)(mt_backend *b);
    void (*free)(mt_backend *b);
} mt_backend_ops;

struct mt_backend {
    const mt_backend_ops *ops;
};

#endif
