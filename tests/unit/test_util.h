/* Small helpers shared by the unit tests. */
#ifndef MIGTOP_TEST_UTIL_H
#define MIGTOP_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* Reads a file below the source tree (MIGTOP_SOURCE_DIR); NULL if absent. */
static inline char *test_read_source_file(const char *rel, size_t *len)
{
    const char *dir = getenv("MIGTOP_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", rel);
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}

#endif
