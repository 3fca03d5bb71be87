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
    size_t next_cap;   /* the next block's size: doubles up to the usual one */
} arena;

void arena_init(arena *a);
/* For an arena that holds little and lives long (one task of a thousand,
 * kept between snapshots): the first block holds `first` bytes (what the
 * caller expects to need), the next ones double from there up to the
 * usual size, so it wastes little rather than most of an 8 KB block. */
void arena_init_sized(arena *a, size_t first);
void arena_free(arena *a);
/* Zeroed memory aligned for any type; aborts on out-of-memory. */
void *arena_alloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);   /* NULL stays NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
