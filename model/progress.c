#include "model/progress.h"

#include <math.h>
#include <string.h>

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0
               ? v->valuedouble
               : -1;
}

static const char *str(arena *a, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? arena_strdup(a, v->valuestring) : NULL;
}

static int count(const cJSON *o, const char *key)
{
    double d = num(o, key);
    return d < 0 || d > 1e9 ? -1 : (int)d;
}

void mt_progress_parse(arena *a, const cJSON *status, mt_progress *out)
{
    memset(out, 0, sizeof *out);
    out->percent = out->rows = out->bytes = out->bytes_per_s = out->eta_s = -1;
    out->tables_done = out->tables_total = -1;
    const cJSON *tables = cJSON_GetObjectItemCaseSensitive(status, "tables");
    int n = cJSON_IsArray(tables) ? cJSON_GetArraySize(tables) : 0;
    if (n > 0) {
        out->tables = arena_alloc(a, (size_t)n * sizeof *out->tables);
        const cJSON *it;
        cJSON_ArrayForEach(it, tables) {
            const char *schema = str(a, it, "schema"), *name = str(a, it, "name");
            if (!cJSON_IsObject(it) || !schema || !name)
                continue;
            mt_table_progress *t = &out->tables[out->n_tables++];
            t->schema = schema;
            t->name = name;
            t->status = str(a, it, "status");
            if (!t->status)
                t->status = "?";
            t->rows = num(it, "rows");
            t->bytes = num(it, "bytes");
            t->est_rows = num(it, "estimatedRows");
            t->est_bytes = num(it, "estimatedBytes");
            t->percent = num(it, "percent");
            if (t->percent > 100)
                t->percent = 100;
            t->bytes_per_s = num(it, "bytesPerSecond");
            t->rows_per_s = num(it, "rowsPerSecond");
            t->eta_s = num(it, "etaSeconds");
            t->parts = count(it, "parts");
            t->parts_done = count(it, "partsDone");
        }
    }
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(status, "progress");
    if (cJSON_IsObject(p)) {
        out->has_overall = true;
        out->percent = num(p, "percent");
        if (out->percent > 100)
            out->percent = 100;
        out->rows = num(p, "rows");
        out->bytes = num(p, "bytes");
        out->bytes_per_s = num(p, "bytesPerSecond");
        out->eta_s = num(p, "etaSeconds");
        out->tables_done = count(p, "tablesDone");
        out->tables_total = count(p, "tables");
    }
}

double mt_table_fraction(const mt_table_progress *t)
{
    if (!strcmp(t->status, "Complete"))
        return 1.0;
    return t->percent > 0 ? t->percent / 100.0 : 0.0;
}
