/* YAML helpers shared by theme files and the config file: load a whole
 * document with libyaml, report errors as SOURCE:LINE:COLUMN (libyaml's
 * marks counted from 1), read a small file. No curses. */
#ifndef MIGTOP_THEME_YAML_H
#define MIGTOP_THEME_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

typedef struct yaml_src {
    yaml_document_t doc;
    const char *source; /* file name in errors */
    char *err;
    size_t errlen;
} yaml_src;

/* Parses text into y->doc; false with "SOURCE:LINE:COLUMN: problem". */
bool yaml_src_load(yaml_src *y, const char *text, size_t len);
void yaml_src_free(yaml_src *y);
/* Writes "SOURCE:LINE:COLUMN: message" for node n; returns false. */
bool yaml_src_fail(yaml_src *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
yaml_node_t *yaml_src_node(yaml_src *y, int index);
/* The text of a scalar node; NULL for a mapping or a list. */
const char *yaml_src_scalar(const yaml_node_t *n);
/* "a mapping", "a list" or "a scalar", for messages. */
const char *yaml_src_kind(const yaml_node_t *n);

/* Reads a file of at most 1 MiB. NULL with err set and errno kept (so a
 * caller can treat ENOENT as "no file"); the buffer is NUL-terminated. */
char *yaml_src_read_file(const char *path, const char *what, size_t *len, char *err, size_t errlen);

#endif
