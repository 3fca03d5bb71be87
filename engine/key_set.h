/* A set of 64-bit hashes (the keys a sink transaction in flight wrote,
 * apply_lanes.h), emptied at once when that transaction is durable.
 * Open addressing, grown at half full; 0 is stored aside. A collision
 * only ever makes a change wait when it need not. */
#ifndef MIGTOP_ENGINE_KEY_SET_H
#define MIGTOP_ENGINE_KEY_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct key_set {
    uint64_t *slots;
    size_t cap, n;
    bool has_zero;
} key_set;

void key_set_add(key_set *s, uint64_t h);
bool key_set_has(const key_set *s, uint64_t h);
void key_set_clear(key_set *s); /* keeps the memory, up to a bound */
void key_set_free(key_set *s);
/* FNV-1a over n bytes, from h (KEY_HASH_SEED to start). */
#define KEY_HASH_SEED 14695981039346656037ULL
uint64_t key_hash(uint64_t h, const void *p, size_t n);

#endif
