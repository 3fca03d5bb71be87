/* The bundled sample snapshot (tests/data/sample-snapshot.json, made
 * with --now 1790000000), parsed, for the unit tests that read it.
 * Include after cmocka.h. */
#ifndef MIGTOP_TEST_SAMPLE_H
#define MIGTOP_TEST_SAMPLE_H

#include "model/snapshot.h"
#include "test_util.h"

#define TEST_SAMPLE_NOW 1790000000

static inline mt_snapshot *test_sample_snapshot(void)
{
    size_t len;
    char *text = test_read_source_file("tests/data/sample-snapshot.json", &len);
    assert_non_null(text);
    char err[512] = "";
    mt_snapshot *s = mt_snapshot_parse(text, len, err, sizeof err);
    free(text);
    if (!s)
        fail_msg("the sample does not parse: %s", err);
    return s;
}

#endif
