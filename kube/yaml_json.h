/* YAML documents (kubeconfig files) read into cJSON trees, so the rest of
 * kube/ walks one kind of tree with model/jsonx.h. Scalars become strings:
 * kubeconfig readers interpret "true" and numbers where the field needs it. */
#ifndef MIGTOP_KUBE_YAML_JSON_H
#define MIGTOP_KUBE_YAML_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses the first document of text; an empty document gives an empty
 * object. On error returns NULL with "line L, column C: problem" in err. */
cJSON *kube_yaml_parse(const char *text, size_t len, char *err, size_t errlen);

/* Reads a whole file (any size up to 64 MiB). On error NULL and err reads
 * like Go's os errors: "open PATH: no such file or directory". */
char *kube_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* Go's spelling of an errno: "no such file or directory". */
const char *kube_errno_text(int e, char *buf, size_t n);

#endif
