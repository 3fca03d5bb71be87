/* The form logic the wizards stand on: editing keys, validation as typed,
 * focus, the checklist's selection rules and filter, and that a password
 * is never drawn and is wiped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wizards/form.h"

#define CTRL(c) ((c) & 0x1f)

static void type(form *fm, const char *s)
{
    for (; *s; s++)
        form_key(fm, (unsigned char)*s);
}

static bool not_empty(const form_field *f, void *ctx, char *err, size_t n)
{
    int *calls = ctx;
    if (calls)
        (*calls)++;
    if (!f->value[0]) {
        snprintf(err, n, "%s is required", f->label);
        return false;
    }
    return true;
}

static bool port_ok(const form_field *f, void *ctx, char *err, size_t n)
{
    char *end;
    long p = strtol(f->value, &end, 10);
    if (!f->value[0] || *end || p < 1 || p > 65535) {
        snprintf(err, n, "a port is a number from 1 to 65535");
        return false;
    }
    return true;
}

static void test_text_editing(void **state)
{
    (void)state;
    form_field fl[1] = {{.kind = F_TEXT, .key = "host", .label = "Host"}};
    form fm;
    form_init(&fm, fl, 1, NULL);
    type(&fm, "db.example");
    assert_string_equal(fl[0].value, "db.example");
    form_key(&fm, KEY_HOME);
    type(&fm, "pg-");
    assert_string_equal(fl[0].value, "pg-db.example");
    assert_int_equal(fl[0].cursor, 3);
    form_key(&fm, KEY_END);
    form_key(&fm, KEY_BACKSPACE);
    assert_string_equal(fl[0].value, "pg-db.exampl");
    form_key(&fm, KEY_LEFT);
    form_key(&fm, KEY_LEFT);
    form_key(&fm, KEY_DC);
    assert_string_equal(fl[0].value, "pg-db.examl"); /* the p before the cursor's l */
    form_key(&fm, CTRL('k'));
    assert_string_equal(fl[0].value, "pg-db.exam");
    form_key(&fm, CTRL('u'));
    assert_string_equal(fl[0].value, "");
    assert_int_equal(fl[0].len, 0);
    type(&fm, "one two three");
    form_key(&fm, CTRL('w'));
    assert_string_equal(fl[0].value, "one two ");
    form_key(&fm, CTRL('a'));
    form_key(&fm, KEY_BACKSPACE); /* nothing before the cursor */
    assert_string_equal(fl[0].value, "one two ");
}

static void test_utf8_characters(void **state)
{
    (void)state;
    form_field fl[1] = {{.kind = F_TEXT, .label = "Db"}};
    form fm;
    form_init(&fm, fl, 1, NULL);
    type(&fm, "caf\xc3\xa9x");
    form_key(&fm, KEY_LEFT);
    form_key(&fm, KEY_LEFT); /* over x, then over the two bytes of é */
    assert_int_equal(fl[0].cursor, 3);
    form_key(&fm, KEY_DC);
    assert_string_equal(fl[0].value, "cafx");
    form_key(&fm, KEY_END);
    type(&fm, "\xc3\xa9");
    form_key(&fm, KEY_BACKSPACE); /* removes the whole character */
    assert_string_equal(fl[0].value, "cafx");
}

static void test_validation_as_typed(void **state)
{
    (void)state;
    int calls = 0;
    form_field fl[2] = {{.kind = F_TEXT, .key = "user", .label = "User", .validate = not_empty},
                        {.kind = F_TEXT, .key = "port", .label = "Port", .validate = port_ok}};
    form fm;
    form_init(&fm, fl, 2, &calls);
    type(&fm, "a");
    assert_int_equal(calls, 1);
    assert_string_equal(fl[0].error, "");
    form_key(&fm, KEY_BACKSPACE);
    assert_string_equal(fl[0].error, "User is required");
    type(&fm, "postgres");
    assert_string_equal(fl[0].error, "");
    form_key(&fm, '\t');
    assert_int_equal(fm.focus, 1);
    type(&fm, "99999");
    assert_string_equal(fl[1].error, "a port is a number from 1 to 65535");
    /* A full check focuses the first field that fails. */
    form_key(&fm, KEY_UP);
    form_key(&fm, CTRL('u'));
    assert_false(form_check(&fm));
    assert_int_equal(fm.focus, 0);
    type(&fm, "u");
    form_key(&fm, KEY_DOWN);
    form_key(&fm, CTRL('u'));
    type(&fm, "5432");
    assert_true(form_check(&fm));
    assert_string_equal(form_value(&fm, "port"), "5432");
}

static void test_focus_skips_hidden(void **state)
{
    (void)state;
    static const char *const modes[] = {"fields", "URI or service"};
    form_field fl[4] = {{.kind = F_CHOICE, .key = "mode", .label = "Mode", .choices = modes,
                         .n_choices = 2},
                        {.kind = F_TEXT, .key = "host", .label = "Host"},
                        {.kind = F_TEXT, .key = "uri", .label = "URI", .hidden = true,
                         .validate = not_empty},
                        {.kind = F_TOGGLE, .key = "cdc", .label = "cdc", .on = true}};
    form fm;
    form_init(&fm, fl, 4, NULL);
    form_key(&fm, KEY_RIGHT);
    assert_int_equal(fl[0].choice, 1);
    form_key(&fm, KEY_RIGHT); /* wraps */
    assert_int_equal(fl[0].choice, 0);
    form_key(&fm, '\t');
    form_key(&fm, '\t');
    assert_int_equal(fm.focus, 3); /* the hidden URI is skipped */
    form_key(&fm, ' ');
    assert_false(fl[3].on);
    form_key(&fm, '\t');
    assert_int_equal(fm.focus, 0); /* wraps round */
    assert_true(form_check(&fm)); /* a hidden field is not validated */
    fl[3].locked = true;
    fl[3].on = true;
    fm.focus = 3;
    form_key(&fm, ' ');
    assert_true(fl[3].on); /* a locked toggle stays */
}

static void fill_catalog(form_field *f)
{
    form_item_add(f, "public", NULL, 0, false);
    form_item_add(f, "orders", "12 MB  ~10,000 rows", 1, false);
    form_item_add(f, "customers", "1 MB  ~800 rows", 1, false);
    form_item_add(f, "sales", NULL, 0, false);
    form_item_add(f, "invoices", "2 MB", 1, false);
    form_item_add(f, "refunds", "8 kB", 1, false);
}

static void test_checklist_selection(void **state)
{
    (void)state;
    form_field fl[1] = {{.kind = F_CHECKLIST, .key = "objects", .label = "Objects"}};
    form fm;
    form_init(&fm, fl, 1, NULL);
    fill_catalog(&fl[0]);
    assert_int_equal(fl[0].item_cursor, 0);
    form_key(&fm, ' '); /* the whole public schema */
    assert_true(fl[0].items[0].checked && fl[0].items[1].checked && fl[0].items[2].checked);
    assert_false(fl[0].items[4].checked);
    form_key(&fm, KEY_DOWN);
    form_key(&fm, ' '); /* one table out: the schema is no longer whole */
    assert_false(fl[0].items[1].checked);
    assert_false(fl[0].items[0].checked);
    form_key(&fm, ' ');
    assert_true(fl[0].items[0].checked);
    form_key(&fm, 'G');
    assert_int_equal(fl[0].item_cursor, 5);
    form_key(&fm, ' ');
    form_key(&fm, 'k');
    form_key(&fm, ' '); /* both tables of sales: sales is whole */
    assert_true(fl[0].items[3].checked);
    form_key(&fm, 'a'); /* everything is selected: a clears all */
    for (int i = 0; i < fl[0].n_items; i++)
        assert_false(fl[0].items[i].checked);
    form_wipe(&fm);
    assert_int_equal(fl[0].n_items, 0);
    assert_null(fl[0].items);
}

static void test_checklist_filter(void **state)
{
    (void)state;
    form_field fl[1] = {{.kind = F_CHECKLIST, .key = "objects", .label = "Objects"}};
    form fm;
    form_init(&fm, fl, 1, NULL);
    fill_catalog(&fl[0]);
    form_key(&fm, '/');
    assert_true(fl[0].filtering);
    type(&fm, "INV");
    assert_string_equal(fl[0].filter, "INV");
    /* The match and its schema stay; the rest go. */
    assert_true(form_item_visible(&fl[0], 3));
    assert_true(form_item_visible(&fl[0], 4));
    assert_false(form_item_visible(&fl[0], 1));
    assert_false(form_item_visible(&fl[0], 5));
    assert_int_equal(fl[0].item_cursor, 3); /* moved onto a visible row */
    form_key(&fm, '\n'); /* keeps the filter, leaves typing */
    assert_false(fl[0].filtering);
    form_key(&fm, 'a'); /* selects the visible rows only */
    assert_true(fl[0].items[4].checked);
    assert_false(fl[0].items[5].checked);
    assert_false(fl[0].items[3].checked); /* refunds is not selected */
    assert_false(fl[0].items[1].checked);
    assert_true(form_key(&fm, 27)); /* Esc clears a kept filter first */
    assert_string_equal(fl[0].filter, "");
    assert_false(form_key(&fm, 27)); /* then Esc is the wizard's */
    /* A schema matching the filter keeps its tables visible. */
    strcpy(fl[0].filter, "sal");
    assert_true(form_item_visible(&fl[0], 5));
    form_wipe(&fm);
}

static void test_password_masked_and_wiped(void **state)
{
    (void)state;
    form_field fl[2] = {{.kind = F_TEXT, .key = "user", .label = "User"},
                        {.kind = F_PASSWORD, .key = "password", .label = "Password"}};
    form fm;
    form_init(&fm, fl, 2, NULL);
    type(&fm, "alice");
    form_key(&fm, '\t');
    type(&fm, "s3cr3t-pw");
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("vt100", out, in);
    assert_non_null(scr);
    set_term(scr);
    WINDOW *pad = newpad(6, 80);
    form_draw(pad, &fm, 0, 0, 6, 80);
    char screen[6 * 81 + 1] = "";
    for (int y = 0; y < 6; y++) {
        char row[81];
        mvwinnstr(pad, y, 0, row, 80);
        strcat(screen, row);
        strcat(screen, "\n");
    }
    assert_non_null(strstr(screen, "alice"));
    assert_null(strstr(screen, "s3cr3t"));
    assert_non_null(strstr(screen, "*********")); /* one star per character */
    delwin(pad);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    form_wipe(&fm);
    for (size_t i = 0; i < sizeof fl[1].value; i++)
        assert_int_equal(fl[1].value[i], 0);
    assert_string_equal(fl[0].value, "alice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_editing),
        cmocka_unit_test(test_utf8_characters),
        cmocka_unit_test(test_validation_as_typed),
        cmocka_unit_test(test_focus_skips_hidden),
        cmocka_unit_test(test_checklist_selection),
        cmocka_unit_test(test_checklist_filter),
        cmocka_unit_test(test_password_masked_and_wiped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
