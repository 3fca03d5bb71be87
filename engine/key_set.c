#include "engine/key_set.h"

#include <stdlib.h>
#include <string.h>

/* Past this many slots a cleared set lets its memory go: one huge group
 * does not keep megabytes for the rest of the session. */
#define KEEP_SLOTS 65536

uint64_t key_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t slot_of(uint64_t h, size_t cap)
{
    /* The low bits of FNV are weak: fold the high ones in. */
    return (size_t)((h ^ (h >> 29) ^ (h >> 47)) & (cap - 1));
}

static void put(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = slot_of(h, cap);
    while (slots[i] && slots[i] != h)
        i = (i + 1) & (cap - 1);
    slots[i] = h;
}

static void grow(key_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        abort();
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            put(slots, cap, s->slots[i]);
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
}

void key_set_add(key_set *s, uint64_t h)
{
    if (!h) {
        s->has_zero = true;
        return;
    }
    if ((s->n + 1) * 2 > s->cap)
        grow(s);
    size_t i = slot_of(h, s->cap);
    while (s->slots[i]) {
        if (s->slots[i] == h)
            return;
        i = (i + 1) & (s->cap - 1);
    }
    s->slots[i] = h;
    s->n++;
}

bool key_set_has(const key_set *s, uint64_t h)
{
    if (!h)
        return s->has_zero;
    if (!s->n)
        return false;
    for (size_t i = slot_of(h, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
        if (s->slots[i] == h)
            return true;
    return false;
}

void key_set_clear(key_set *s)
{
    if (s->cap > KEEP_SLOTS) {
        key_set_free(s);
        return;
    }
    if (s->n)
        memset(s->slots, 0, s->cap * sizeof *s->slots);
    s->n = 0;
    s->has_zero = false;
}

void key_set_free(key_set *s)
{
    free(s->slots);
    *s = (key_set){0};
}
