/* A snapshot: everything the dashboard shows, as one immutable value taken
 * at one moment. Backends build a new snapshot and hand it over whole; the
 * UI only ever reads the latest one, so panes never see half an update. */
#ifndef MIGTOP_SNAPSHOT_H
#define MIGTOP_SNAPSHOT_H

#include <stdatomic.h>

#include "model/task.h"
#include "model/workload.h"

typedef struct mt_snapshot {
    arena mem;
    int64_t taken_ms; /* wall clock when the data was read */
    mt_task *tasks;
    size_t n_tasks, cap_tasks;
    mt_template *templates;
    size_t n_templates, cap_templates;
    mt_job *jobs;
    size_t n_jobs, cap_jobs;
    mt_pod *pods;
    size_t n_pods, cap_pods;
    mt_statefulset *sts;
    size_t n_sts, cap_sts;
    /* What the backend found beside the tasks and a person must see (the
     * local backend: slots of tasks gone, with the WAL they keep). */
    const char **notices;
    size_t n_notices;
    /* Shared: 1 when made, and each mt_snapshot_ref adds one; the last
     * mt_snapshot_free frees. A part is a snapshot whose objects another
     * holds copies of (pointing into the part's arena): a backend that
     * rereads only what changed keeps one part per task and makes each
     * snapshot of them without copying or parsing anything again. */
    atomic_int refs;
    struct mt_snapshot **parts;
    size_t n_parts, cap_parts;
} mt_snapshot;

mt_snapshot *mt_snapshot_new(void);
/* One reference less; the last frees it (and lets go of its parts). */
void mt_snapshot_free(mt_snapshot *s);
mt_snapshot *mt_snapshot_ref(mt_snapshot *s);
/* Adds every object of part (and its notices) to s, sharing their memory:
 * part stays alive (a reference) while s does. Parts must not change
 * once added anywhere. */
void mt_snapshot_add_part(mt_snapshot *s, mt_snapshot *part);
/* Gives back the unused room of s's arrays: for a part kept a long time. */
void mt_snapshot_trim(mt_snapshot *s);
/* Adds a notice (copied into the snapshot's arena); at most 16 kept. */
void mt_snapshot_notice(mt_snapshot *s, const char *text);

/* Adds one object by its apiVersion and kind. Objects of kinds the
 * dashboard does not use are skipped; a known kind with the wrong
 * apiVersion is an error. Returns false with c->err set on error. */
bool mt_snapshot_add(mt_snapshot *s, jx *c, const cJSON *obj, const char *path);

/* Parses what `kubectl get ... -o json` prints: a v1 List (or a single
 * object). On error returns NULL and writes a one-line reason to err. */
mt_snapshot *mt_snapshot_parse(const char *text, size_t len, char *err, size_t errlen);

/* Sorts tasks by namespace then name, templates by name: a stable order
 * for the list view whatever order the server sent. */
void mt_snapshot_sort(mt_snapshot *s);

const mt_task *mt_snapshot_task(const mt_snapshot *s, const char *ns, const char *name);
const mt_template *mt_snapshot_template(const mt_snapshot *s, const char *name);

#endif
