/* Sources (apecloud/kbcli, before the migration commands were removed):
 *  - pkg/cmd/migration/cue/migration_template.cue: the object layout:
 *      apiVersion, kind, metadata{name, namespace}, spec{taskType, template,
 *      sourceEndpoint, sinkEndpoint, initialization{steps, config{preCheck,
 *      initStruct, initData: {resource{limits}, tolerations}}}, cdc{config{
 *      resource{limits}, tolerations, param{"extractor.server_id"}}},
 *      migrationObj, globalTolerations, globalResources{limits}}.
 *  - pkg/cmd/migration/base.go: EndpointModel {userName, password, address,
 *      databaseName omitempty}; MigrationObjectModel {whiteList: [{schemaName,
 *      isAll, tableList}]} where tableList has no omitempty (a schema given
 *      alone is {isAll: true, tableList: null}) and tables are {tableName,
 *      isAll: true}.
 *  - pkg/cmd/migration/create.go: BuildWithSteps (taskType, steps in the
 *      order preCheck, initStruct, initData); BuildWithTolerations (every
 *      step key without --tolerations gets []); BuildWithResources (every
 *      step key without --resources gets {}); BuildWithRuntimeParams
 *      (server id 10001 unless the template's source is MySQL).
 * kbcli's EndpointModel has no endpointType, so neither does this. */
#include "model/task_build.h"

#include <string.h>

static cJSON *endpoint(const mt_endpoint_arg *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "userName", e->user ? e->user : "");
    cJSON_AddStringToObject(o, "password", e->password ? e->password : "");
    cJSON_AddStringToObject(o, "address", e->address ? e->address : "");
    if (e->database && *e->database)
        cJSON_AddStringToObject(o, "databaseName", e->database);
    return o;
}

/* {resource: {limits: {}}, tolerations: []}: what kbcli sends for a step
 * without --resources / --tolerations. */
static cJSON *step_config(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *res = cJSON_AddObjectToObject(o, "resource");
    cJSON_AddObjectToObject(res, "limits");
    cJSON_AddArrayToObject(o, "tolerations");
    return o;
}

static cJSON *objects(const mt_objects *ob)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *white = cJSON_AddArrayToObject(o, "whiteList");
    for (size_t i = 0; i < ob->n_white; i++) {
        const mt_schema_obj *s = &ob->white[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "schemaName", s->schema);
        cJSON_AddBoolToObject(e, "isAll", s->is_all);
        if (s->n_tables == 0) {
            cJSON_AddNullToObject(e, "tableList");
        } else {
            cJSON *tl = cJSON_AddArrayToObject(e, "tableList");
            for (size_t j = 0; j < s->n_tables; j++) {
                cJSON *t = cJSON_CreateObject();
                cJSON_AddStringToObject(t, "tableName", s->tables[j].name);
                cJSON_AddBoolToObject(t, "isAll", s->tables[j].is_all);
                cJSON_AddItemToArray(tl, t);
            }
        }
        cJSON_AddItemToArray(white, e);
    }
    return o;
}

cJSON *mt_task_build(const mt_create_req *req, const char *namespace_,
                     const char *template_name, int64_t server_id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "apiVersion", MT_API_VERSION);
    cJSON_AddStringToObject(o, "kind", "MigrationTask");
    cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(meta, "name", req->name);
    cJSON_AddStringToObject(meta, "namespace", namespace_ ? namespace_ : "");
    if (req->n_labels) {
        cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
        for (size_t i = 0; i < req->n_labels; i++)
            cJSON_AddStringToObject(labels, req->labels[i].key, req->labels[i].value);
    }
    bool sink_ann = req->sink_tables && strcmp(req->sink_tables, "fail");
    if (sink_ann || req->copy_rate) {
        cJSON *ann = cJSON_AddObjectToObject(meta, "annotations");
        if (sink_ann)
            cJSON_AddStringToObject(ann, MT_SINK_TABLES_ANNOTATION, req->sink_tables);
        if (req->copy_rate)
            cJSON_AddStringToObject(ann, MT_COPY_RATE_ANNOTATION, req->copy_rate);
    }
    cJSON *spec = cJSON_AddObjectToObject(o, "spec");
    const mt_steps_arg *st = &req->steps;
    cJSON_AddStringToObject(spec, "taskType",
                            st->task_type ? st->task_type : "initialization-and-cdc");
    cJSON_AddStringToObject(spec, "template", template_name ? template_name : "");
    cJSON_AddItemToObject(spec, "sourceEndpoint", endpoint(&req->source));
    cJSON_AddItemToObject(spec, "sinkEndpoint", endpoint(&req->sink));
    cJSON *init = cJSON_AddObjectToObject(spec, "initialization");
    cJSON *steps = cJSON_AddArrayToObject(init, "steps");
    if (st->n_steps == 0 && !st->task_type) {
        /* No --steps at all: kbcli enables every step. */
        static const char *const all[] = {"preCheck", "initStruct", "initData"};
        for (size_t i = 0; i < 3; i++)
            cJSON_AddItemToArray(steps, cJSON_CreateString(all[i]));
    }
    for (size_t i = 0; i < st->n_steps; i++)
        cJSON_AddItemToArray(steps, cJSON_CreateString(st->steps[i]));
    cJSON *config = cJSON_AddObjectToObject(init, "config");
    cJSON_AddItemToObject(config, "preCheck", step_config());
    cJSON_AddItemToObject(config, "initStruct", step_config());
    cJSON_AddItemToObject(config, "initData", step_config());
    cJSON *cdc = cJSON_AddObjectToObject(spec, "cdc");
    cJSON *cdc_config = step_config();
    cJSON *param = cJSON_AddObjectToObject(cdc_config, "param");
    cJSON_AddNumberToObject(param, "extractor.server_id", (double)server_id);
    cJSON_AddItemToObject(cdc, "config", cdc_config);
    cJSON_AddItemToObject(spec, "migrationObj", objects(&req->objects));
    cJSON_AddArrayToObject(spec, "globalTolerations");
    cJSON *gres = cJSON_AddObjectToObject(spec, "globalResources");
    cJSON_AddObjectToObject(gres, "limits");
    return o;
}
