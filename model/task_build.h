/* The MigrationTask object `kbcli migration create` builds from its flags,
 * for any backend: kube/ POSTs it, engine/ writes it as the task's spec.
 * The shape follows kbcli's cue template and option builders line by line
 * (see task_build.c for the sources). */
#ifndef MIGTOP_TASK_BUILD_H
#define MIGTOP_TASK_BUILD_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "model/backend.h"

/* kbcli sets extractor.server_id to 10001 for every non-MySQL source. */
#define MT_PG_SERVER_ID 10001

/* Builds the object; namespace_ and template_name override the request's
 * (callers resolve defaults first). The caller frees it with cJSON_Delete. */
cJSON *mt_task_build(const mt_create_req *req, const char *namespace_,
                     const char *template_name, int64_t server_id);

#endif
