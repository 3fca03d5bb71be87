#include "model/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(strbuf *b, size_t more)
{
    if (b->s && b->n + more < b->cap)
        return;
    b->cap = (b->n + more + 1) * 2;
    b->s = realloc(b->s, b->cap);
    if (!b->s)
        abort();
    b->s[b->n] = '\0';
}

void strbuf_vprintf(strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int k = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (k < 0)
        abort();
    reserve(b, (size_t)k);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    b->n += (size_t)k;
}

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void strbuf_put(strbuf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

const char *strbuf_str(const strbuf *b) { return b->s ? b->s : ""; }

void strbuf_reset(strbuf *b)
{
    b->n = 0;
    if (b->s)
        b->s[0] = '\0';
}

void strbuf_free(strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}
