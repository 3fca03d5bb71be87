/* A growing string for text built piece by piece (SQL statements, lists
 * of findings): printf onto the end, read it, free it. Out of memory
 * aborts, as everywhere in migtop. */
#ifndef MIGTOP_MODEL_STRBUF_H
#define MIGTOP_MODEL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *s; /* NULL until something is written */
    size_t n, cap;
} strbuf;

void strbuf_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(strbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends n bytes of s. */
void strbuf_put(strbuf *b, const char *s, size_t n);
/* The text so far, "" when empty. */
const char *strbuf_str(const strbuf *b);
void strbuf_reset(strbuf *b); /* empty again, memory kept */
void strbuf_free(strbuf *b);

#endif
