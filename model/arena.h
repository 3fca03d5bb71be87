/* A bump allocator: a snapshot and everything parsed into it live in one
 * arena and die together, so parsing code never frees piecemeal and a
 * half-parsed object can never leak. */
#ifndef MIGTOP_ARENA_H
#define MIGTOP_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
    arena_block *head;
    size_t used_total; /* bytes handed out, for tests and RSS accounting */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
/* Zeroed memory aligned for any type; aborts on out-of-memory. */
void *arena_alloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);   /* NULL stays NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
