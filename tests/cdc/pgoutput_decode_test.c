/* The pgoutput decoder on crafted protocol bytes: every message kind the
 * CDC step uses, relation replacement, unchanged TOAST, old keys and old
 * rows, and malformed input refused with an error instead of a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/pgoutput_decode.h"

typedef struct buf {
    char b[4096];
    size_t n;
} buf;

static void b8(buf *b, uint8_t v) { b->b[b->n++] = (char)v; }
static void b16(buf *b, uint16_t v) { b8(b, (uint8_t)(v >> 8)); b8(b, (uint8_t)v); }
static void b32(buf *b, uint32_t v) { b16(b, (uint16_t)(v >> 16)); b16(b, (uint16_t)v); }
static void b64(buf *b, uint64_t v) { b32(b, (uint32_t)(v >> 32)); b32(b, (uint32_t)v); }
static void bstr(buf *b, const char *s) { size_t n = strlen(s) + 1; memcpy(b->b + b->n, s, n); b->n += n; }
static void btext(buf *b, const char *s) { b8(b, 't'); b32(b, (uint32_t)strlen(s)); memcpy(b->b + b->n, s, strlen(s)); b->n += strlen(s); }

/* Relation 16384 "public"."t" (id int key, big text, note text). */
static void relation(buf *b, const char *third)
{
    b->n = 0;
    b8(b, 'R');
    b32(b, 16384);
    bstr(b, "public");
    bstr(b, "t");
    b8(b, 'd');
    b16(b, 3);
    b8(b, 1); bstr(b, "id"); b32(b, 23); b32(b, 0xffffffff);
    b8(b, 0); bstr(b, "big"); b32(b, 25); b32(b, 0xffffffff);
    b8(b, 0); bstr(b, third); b32(b, 25); b32(b, 0xffffffff);
}

static void decode_ok(pgo_decoder *d, const buf *b)
{
    char err[256] = "";
    bool ok = pgo_decode(d, b->b, b->n, err, sizeof err);
    if (!ok)
        fail_msg("decode failed: %s", err);
}

static void test_begin_commit(void **state)
{
    (void)state;
    pgo_decoder d;
    pgo_init(&d);
    buf b = {.n = 0};
    b8(&b, 'B');
    b64(&b, 0x100001000ULL);
    b64(&b, 1000000); /* one second after 2000-01-01 */
    b32(&b, 742);
    decode_ok(&d, &b);
    assert_int_equal(d.msg.kind, PGO_BEGIN);
    assert_true(d.msg.final_lsn == 0x100001000ULL);
    assert_true(d.msg.commit_ts == PGO_EPOCH_OFFSET_US + 1000000);
    assert_int_equal(d.msg.xid, 742);
    b.n = 0;
    b8(&b, 'C');
    b8(&b, 0);
    b64(&b, 0x100001000ULL);
    b64(&b, 0x100001030ULL);
    b64(&b, 2000000);
    decode_ok(&d, &b);
    assert_int_equal(d.msg.kind, PGO_COMMIT);
    assert_true(d.msg.end_lsn == 0x100001030ULL);
    assert_true(d.msg.commit_ts == PGO_EPOCH_OFFSET_US + 2000000);
    pgo_free(&d);
}

static void test_relation_insert_update_delete(void **state)
{
    (void)state;
    pgo_decoder d;
    pgo_init(&d);
    buf b;
    relation(&b, "note");
    decode_ok(&d, &b);
    const pgo_relation *rel = pgo_relation_get(&d, 16384);
    assert_non_null(rel);
    assert_string_equal(rel->relname, "t");
    assert_int_equal(rel->ncols, 3);
    assert_true(rel->cols[0].key);
    assert_false(rel->cols[1].key);
    unsigned v1 = rel->version;

    b.n = 0;
    b8(&b, 'I'); b32(&b, 16384); b8(&b, 'N'); b16(&b, 3);
    btext(&b, "7"); btext(&b, "big value"); b8(&b, 'n');
    decode_ok(&d, &b);
    assert_int_equal(d.msg.kind, PGO_INSERT);
    assert_string_equal(d.msg.new_tup.vals[0], "7");
    assert_string_equal(d.msg.new_tup.vals[1], "big value");
    assert_int_equal(d.msg.new_tup.kinds[2], 'n');
    assert_null(d.msg.new_tup.vals[2]);

    /* Key changed: old key 'K', the TOAST value left out ('u'). */
    b.n = 0;
    b8(&b, 'U'); b32(&b, 16384);
    b8(&b, 'K'); b16(&b, 3); btext(&b, "7"); b8(&b, 'n'); b8(&b, 'n');
    b8(&b, 'N'); b16(&b, 3); btext(&b, "8"); b8(&b, 'u'); btext(&b, "x");
    decode_ok(&d, &b);
    assert_int_equal(d.msg.kind, PGO_UPDATE);
    assert_int_equal(d.msg.old_kind, 'K');
    assert_string_equal(d.msg.old_tup.vals[0], "7");
    assert_string_equal(d.msg.new_tup.vals[0], "8");
    assert_int_equal(d.msg.new_tup.kinds[1], 'u');
    assert_string_equal(d.msg.new_tup.vals[2], "x");

    /* Update without an old tuple. */
    b.n = 0;
    b8(&b, 'U'); b32(&b, 16384);
    b8(&b, 'N'); b16(&b, 3); btext(&b, "8"); b8(&b, 'u'); btext(&b, "y");
    decode_ok(&d, &b);
    assert_int_equal(d.msg.old_kind, 0);

    /* Delete with the full old row. */
    b.n = 0;
    b8(&b, 'D'); b32(&b, 16384);
    b8(&b, 'O'); b16(&b, 3); btext(&b, "8"); btext(&b, "b"); btext(&b, "y");
    decode_ok(&d, &b);
    assert_int_equal(d.msg.kind, PGO_DELETE);
    assert_int_equal(d.msg.old_kind, 'O');
    assert_string_equal(d.msg.old_tup.vals[2], "y");

    /* A new Relation replaces the entry and bumps its version. */
    relation(&b, "renamed");
    decode_ok(&d, &b);
    rel = pgo_relation_get(&d, 16384);
    assert_string_equal(rel->cols[2].name, "renamed");
    assert_int_equal(rel->version, v1 + 1);
    pgo_free(&d);
}

static void test_truncate(void **state)
{
    (void)state;
    pgo_decoder d;
    pgo_init(&d);
    buf b = {.n = 0};
    b8(&b, 'T'); b32(&b, 2); b8(&b, 2); b32(&b, 16384); b32(&b, 16390);
    decode_ok(&d, &b);
    assert_int_equal(d.msg.kind, PGO_TRUNCATE);
    assert_int_equal(d.msg.n_relids, 2);
    assert_int_equal(d.msg.relids[1], 16390);
    assert_true(d.msg.restart_identity);
    assert_false(d.msg.cascade);
    pgo_free(&d);
}

static void test_malformed(void **state)
{
    (void)state;
    pgo_decoder d;
    pgo_init(&d);
    char err[256];
    buf b;
    /* A change before its relation. */
    b.n = 0;
    b8(&b, 'I'); b32(&b, 99); b8(&b, 'N'); b16(&b, 1); btext(&b, "1");
    assert_false(pgo_decode(&d, b.b, b.n, err, sizeof err));
    assert_non_null(strstr(err, "before its Relation"));
    relation(&b, "note");
    decode_ok(&d, &b);
    /* Every truncation of a valid Insert fails cleanly. */
    buf ins = {.n = 0};
    b8(&ins, 'I'); b32(&ins, 16384); b8(&ins, 'N'); b16(&ins, 3);
    btext(&ins, "1"); btext(&ins, "two"); btext(&ins, "three");
    for (size_t cut = 0; cut < ins.n; cut++)
        assert_false(pgo_decode(&d, ins.b, cut, err, sizeof err));
    decode_ok(&d, &ins);
    /* Wrong column count, unknown kinds, huge counts. */
    b.n = 0;
    b8(&b, 'I'); b32(&b, 16384); b8(&b, 'N'); b16(&b, 1); btext(&b, "1");
    assert_false(pgo_decode(&d, b.b, b.n, err, sizeof err));
    assert_non_null(strstr(err, "tuple of 1 column"));
    b.n = 0;
    b8(&b, 'I'); b32(&b, 16384); b8(&b, 'N'); b16(&b, 3); b8(&b, 'z');
    assert_false(pgo_decode(&d, b.b, b.n, err, sizeof err));
    b.n = 0;
    b8(&b, 'T'); b32(&b, 0xffffffff); b8(&b, 0);
    assert_false(pgo_decode(&d, b.b, b.n, err, sizeof err));
    b.n = 0;
    b8(&b, 'Z');
    assert_false(pgo_decode(&d, b.b, b.n, err, sizeof err));
    assert_non_null(strstr(err, "unknown"));
    assert_false(pgo_decode(&d, b.b, 0, err, sizeof err));
    /* Relation without the NUL of its name. */
    b.n = 0;
    b8(&b, 'R'); b32(&b, 5); memcpy(b.b + b.n, "abc", 3); b.n += 3;
    assert_false(pgo_decode(&d, b.b, b.n, err, sizeof err));
    pgo_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_begin_commit),
        cmocka_unit_test(test_relation_insert_update_delete),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
