/* The hashes of the keys a group in flight wrote (engine/key_set.h):
 * every key added is found, through growth and after a clear nothing is,
 * and 0 (a possible hash) is a key like any other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine/key_set.h"

static uint64_t nth(uint64_t i) { return key_hash(KEY_HASH_SEED, &i, sizeof i); }

static void finds_what_was_added_through_growth(void **state)
{
    (void)state;
    key_set s = {0};
    for (uint64_t i = 0; i < 50000; i++)
        key_set_add(&s, nth(i));
    key_set_add(&s, nth(7)); /* twice: counted once */
    assert_int_equal(s.n, 50000);
    for (uint64_t i = 0; i < 50000; i++)
        assert_true(key_set_has(&s, nth(i)));
    int false_hits = 0;
    for (uint64_t i = 50000; i < 60000; i++)
        false_hits += key_set_has(&s, nth(i));
    assert_int_equal(false_hits, 0);
    key_set_free(&s);
}

static void clear_forgets_and_zero_is_a_key(void **state)
{
    (void)state;
    key_set s = {0};
    assert_false(key_set_has(&s, 0));
    assert_false(key_set_has(&s, 42));
    key_set_add(&s, 0);
    key_set_add(&s, 42);
    assert_true(key_set_has(&s, 0));
    assert_true(key_set_has(&s, 42));
    key_set_clear(&s);
    assert_false(key_set_has(&s, 0));
    assert_false(key_set_has(&s, 42));
    for (uint64_t i = 0; i < 100000; i++) /* past what a clear keeps */
        key_set_add(&s, nth(i));
    key_set_clear(&s);
    assert_false(key_set_has(&s, nth(3)));
    key_set_add(&s, nth(3));
    assert_true(key_set_has(&s, nth(3)));
    key_set_free(&s);
}

static void hash_depends_on_every_byte_and_its_order(void **state)
{
    (void)state;
    uint64_t t = key_hash(KEY_HASH_SEED, "\"public\".\"t\"", 12);
    uint64_t ab = key_hash(key_hash(t, "a", 1), "b", 1);
    uint64_t ba = key_hash(key_hash(t, "b", 1), "a", 1);
    assert_true(ab != ba);
    assert_true(key_hash(t, "x", 1) != key_hash(KEY_HASH_SEED, "x", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_what_was_added_through_growth),
        cmocka_unit_test(clear_forgets_and_zero_is_a_key),
        cmocka_unit_test(hash_depends_on_every_byte_and_its_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
