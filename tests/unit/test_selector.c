/* kubectl's label selectors: every form, the API server's meaning of != and
 * notin for an object without the key, and malformed ones refused with the
 * position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/selector.h"

static const mt_kv labels[] = {{"app", "shop"}, {"tier", "db"},
                               {"app.kubernetes.io/instance", "pg-prod"}};

static bool sel(const char *s)
{
    mt_selector m;
    char err[256];
    if (!mt_selector_parse(s, &m, err, sizeof err))
        fail_msg("%s", err);
    return mt_selector_match(&m, labels, 3);
}

static void test_forms(void **state)
{
    (void)state;
    assert_true(sel(""));
    assert_true(sel("app=shop"));
    assert_true(sel("app==shop"));
    assert_false(sel("app=blog"));
    assert_true(sel("app!=blog"));
    assert_false(sel("app!=shop"));
    assert_true(sel("missing!=x")); /* as the API server: no key matches != */
    assert_true(sel("app in (blog, shop)"));
    assert_false(sel("app in (blog)"));
    assert_true(sel("app notin (blog)"));
    assert_true(sel("missing notin (x)"));
    assert_false(sel("app notin (shop,blog)"));
    assert_true(sel("tier"));
    assert_false(sel("missing"));
    assert_true(sel("!missing"));
    assert_false(sel("!tier"));
    assert_true(sel("app=shop, tier in (db,cache),!missing"));
    assert_false(sel("app=shop,tier=web"));
    assert_true(sel("app.kubernetes.io/instance=pg-prod"));
}

static void test_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"=shop", "app in shop", "app in (a", "app=shop,", "app shop",
                         "app in (a b)", "!", ",", "app=(x)"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mt_selector m;
        char err[256] = "";
        assert_false(mt_selector_parse(bad[i], &m, err, sizeof err));
        assert_non_null(strstr(err, "bad selector"));
        assert_non_null(strstr(err, "at position"));
    }
    char err[256];
    mt_selector m;
    assert_false(mt_selector_parse("app=shop tier=db", &m, err, sizeof err));
    assert_non_null(strstr(err, "position 10"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
