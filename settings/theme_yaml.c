#include "settings/theme_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YAML_SRC_MAX_BYTES (1 << 20)
/* Far deeper than any theme or config; and libyaml's scanner slows down
 * quadratically with nesting, so deeper input is refused before it is
 * loaded. */
#define YAML_SRC_MAX_DEPTH 32

static void parser_error(yaml_src *y, const yaml_parser_t *p)
{
    if (p->error == YAML_READER_ERROR)
        snprintf(y->err, y->errlen, "%s: %s at byte %zu", y->source,
                 p->problem ? p->problem : "unreadable", p->problem_offset);
    else
        snprintf(y->err, y->errlen, "%s:%zu:%zu: %s%s%s", y->source, p->problem_mark.line + 1,
                 p->problem_mark.column + 1, p->problem ? p->problem : "invalid YAML",
                 p->context ? " " : "", p->context ? p->context : "");
}

/* A first pass over the events, stopping at the first error or at a
 * nesting deeper than YAML_SRC_MAX_DEPTH. */
static bool check_depth(yaml_src *y, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(y->err, y->errlen, "%s: out of memory", y->source);
        return false;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            parser_error(y, &p);
            ok = false;
            break;
        }
        if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) {
            if (++depth > YAML_SRC_MAX_DEPTH) {
                snprintf(y->err, y->errlen, "%s:%zu:%zu: nested deeper than %d levels", y->source,
                         e.start_mark.line + 1, e.start_mark.column + 1, YAML_SRC_MAX_DEPTH);
                ok = false;
            }
        } else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    return ok;
}

bool yaml_src_load(yaml_src *y, const char *text, size_t len)
{
    if (!check_depth(y, text, len))
        return false;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(y->err, y->errlen, "%s: out of memory", y->source);
        return false;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    bool ok = yaml_parser_load(&p, &y->doc);
    if (!ok)
        parser_error(y, &p);
    yaml_parser_delete(&p);
    return ok;
}

void yaml_src_free(yaml_src *y) { yaml_document_delete(&y->doc); }

bool yaml_src_fail(yaml_src *y, const yaml_node_t *n, const char *fmt, ...)
{
    int k = snprintf(y->err, y->errlen, "%s:%zu:%zu: ", y->source, n->start_mark.line + 1,
                     n->start_mark.column + 1);
    if (k >= 0 && (size_t)k < y->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(y->err + k, y->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return false;
}

yaml_node_t *yaml_src_node(yaml_src *y, int index) { return yaml_document_get_node(&y->doc, index); }

const char *yaml_src_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

const char *yaml_src_kind(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a scalar";
}

char *yaml_src_read_file(const char *path, const char *what, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "cannot read %s %s: %s", what, path, strerror(e));
        errno = e;
        return NULL;
    }
    char *buf = malloc(YAML_SRC_MAX_BYTES + 1);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, YAML_SRC_MAX_BYTES + 1, f);
    int e = ferror(f) ? errno : 0;
    fclose(f);
    if (e || n > YAML_SRC_MAX_BYTES) {
        if (e)
            snprintf(err, errlen, "cannot read %s %s: %s", what, path, strerror(e));
        else
            snprintf(err, errlen, "%s: larger than %d bytes; not a %s", path, YAML_SRC_MAX_BYTES, what);
        free(buf);
        errno = e ? e : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
