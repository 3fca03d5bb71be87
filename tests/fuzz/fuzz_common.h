/* Shared by the libFuzzer harnesses (tests/fuzz/): the input as a NUL
 * terminated string, and split into parts at a separator byte. */
#ifndef MIGTOP_FUZZ_COMMON_H
#define MIGTOP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Splits s in place at every sep; returns the parts (at most max). */
static inline size_t fuzz_split(char *s, char sep, char **parts, size_t max)
{
    size_t n = 0;
    while (n < max) {
        parts[n++] = s;
        char *p = strchr(s, sep);
        if (!p)
            break;
        *p = '\0';
        s = p + 1;
    }
    return n;
}

#endif
