/* Typed access to cJSON objects with errors that name the field:
 * "items[2].spec.sourceEndpoint.address: expected a string, got a number".
 * The first error sticks; later calls become no-ops that return defaults,
 * so a parser can read every field and check once at the end. */
#ifndef MIGTOP_JSONX_H
#define MIGTOP_JSONX_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/arena.h"
#include "model/fmt.h"

typedef struct jx {
    arena *a;
    bool failed;
    char err[384];
} jx;

void jx_init(jx *c, arena *a);
void jx_fail(jx *c, const char *path, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *jx_type_name(const cJSON *v);

/* Each returns NULL/false/0 when the key is missing and not required. */
const cJSON *jx_obj(jx *c, const cJSON *o, const char *path, const char *key, bool required);
const cJSON *jx_arr(jx *c, const cJSON *o, const char *path, const char *key, bool required);
char *jx_str(jx *c, const cJSON *o, const char *path, const char *key, bool required);
int64_t jx_int(jx *c, const cJSON *o, const char *path, const char *key, bool required);
bool jx_bool(jx *c, const cJSON *o, const char *path, const char *key);
mt_time jx_time(jx *c, const cJSON *o, const char *path, const char *key);
/* Any JSON value as display text: strings verbatim, others compact JSON. */
char *jx_value_text(arena *a, const cJSON *v);
/* "a.b" + "c" -> "a.b.c"; "items" + index -> "items[3]". */
char *jx_path(arena *a, const char *path, const char *key);
char *jx_path_idx(arena *a, const char *path, int idx);

/* Parse text into cJSON with a depth limit (no stack exhaustion on
 * hostile input) and an error that says where parsing stopped. */
cJSON *jx_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
