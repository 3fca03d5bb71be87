/* Label selectors as kubectl takes them (-l/--selector): terms joined by
 * commas, each one of
 *   key=value  key==value  key!=value       (equality)
 *   key in (a,b)  key notin (a,b)             (sets)
 *   key  !key                                 (exists, does not exist)
 * A key may carry a prefix (app.kubernetes.io/name). Every term must hold.
 * As on the API server, `key!=value` and `key notin (...)` also match an
 * object without the key. */
#ifndef MIGTOP_MODEL_SELECTOR_H
#define MIGTOP_MODEL_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "model/task.h"

#define MT_SEL_MAX_TERMS 16
#define MT_SEL_MAX_VALUES 16

typedef enum mt_sel_op { MT_SEL_EQ, MT_SEL_NE, MT_SEL_IN, MT_SEL_NOTIN, MT_SEL_EXISTS,
                         MT_SEL_ABSENT } mt_sel_op;

typedef struct mt_sel_term {
    mt_sel_op op;
    char key[256];
    char values[MT_SEL_MAX_VALUES][64];
    int n_values;
} mt_sel_term;

typedef struct mt_selector {
    mt_sel_term terms[MT_SEL_MAX_TERMS];
    int n_terms; /* 0: everything matches */
} mt_selector;

/* false with err ("unexpected ... at position N") on a malformed selector. */
bool mt_selector_parse(const char *text, mt_selector *out, char *err, size_t errlen);
bool mt_selector_match(const mt_selector *s, const mt_kv *labels, size_t n_labels);

/* "key=value" for --label, checked as Kubernetes checks labels: an
 * optional DNS prefix and '/', a name and a value of at most 63 characters
 * each, alphanumerics with '-', '_', '.' inside. Points into the text
 * (changed: the '=' becomes the end of the key). */
bool mt_label_parse(char *text, mt_kv *out, char *err, size_t errlen);

#endif
