/* The objects `list -o json|yaml` and `templates -o json|yaml` print, as
 * kubectl would print them: a v1 List, or the one object when a name is
 * given. The kube backend's come straight from the API server (every
 * field as stored); the local backend's are built from the task model
 * (the spec without passwords, the status, the terminating state). */
#ifndef MIGTOP_PRINT_OBJECT_H
#define MIGTOP_PRINT_OBJECT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "model/backend.h"
#include "model/selector.h"

typedef enum { PO_TASKS, PO_TEMPLATES } po_kind;

/* s: the snapshot the command already fetched (for the local backend, and
 * to know the names). name NULL: all; ns NULL: all namespaces. Returns NULL
 * with err set on failure. */
cJSON *print_objects_get(mt_backend *b, const mt_snapshot *s, po_kind kind, const char *ns,
                         const char *name, char *err, size_t errlen);

/* The templates only (kube: one LIST, after kbcli's CRD check; local:
 * the backend's fetch, which reads no server). */
mt_snapshot *print_fetch_templates(mt_backend *b, char *err, size_t errlen);

/* Prints v as JSON (kubectl's 4-space indent) or YAML. */
void print_object(FILE *out, const cJSON *v, bool yaml);
/* How -o prints the objects: JSON, YAML, or a jsonpath template. */
typedef struct print_how {
    bool yaml;
    const char *jsonpath; /* -o jsonpath=T: T (NULL otherwise) */
    bool show_secrets;
    const mt_selector *sel; /* -l: only the items whose labels match (NULL: all) */
} print_how;

/* print_objects_get, then print_object (or the jsonpath) to stdout: what
 * `-o json|yaml|jsonpath=` does for list and templates. Every password
 * (an endpoint's, in the objects the server holds) is printed as "****"
 * unless show_secrets. False with err set if the get or the template
 * failed. */
bool print_objects_out(mt_backend *b, const mt_snapshot *s, po_kind kind, const char *ns,
                       const char *name, const print_how *how, char *err, size_t errlen);

#endif
