/* kubectl's `-o jsonpath=TEMPLATE`, the part scripts use: literal text,
 * {.a.b}, {.items[*].metadata.name}, {.items[0]}, {.spec.x[-1]},
 * {range .items[*]}...{end}, {"\n"} (and \t), @ for the current element.
 * A missing field prints nothing (kubectl get allows missing keys);
 * several results print separated by spaces; strings print raw, other
 * values as compact JSON. */
#ifndef MIGTOP_JSONPATH_H
#define MIGTOP_JSONPATH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/strbuf.h"

/* Fills out with the template applied to root; false with err on a
 * template that does not parse (an unclosed {, {end} without {range}, a
 * bad index). */
bool jsonpath_run(const char *tmpl, const cJSON *root, strbuf *out, char *err, size_t errlen);

#endif
