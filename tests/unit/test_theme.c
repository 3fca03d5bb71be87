/* Themes and the config file, checked without a terminal: the bundled
 * themes load with every role, errors carry line:column and name what is
 * unknown, 256 colours degrade to 8 and stay readable, NO_COLOR means mono,
 * lookup order, and the config's settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings/config.h"
#include "settings/theme.h"
#include "tui/dashboard.h"

static char themes_dir[4096];

static int setup(void **st)
{
    const char *src = getenv("MIGTOP_SOURCE_DIR");
    snprintf(themes_dir, sizeof themes_dir, "%s/themes", src ? src : ".");
    /* No user config or themes from the machine running the tests. */
    setenv("XDG_CONFIG_HOME", "/nonexistent-migtop-test", 1);
    return 0;
}

static bool parse(const char *yaml, theme *t, char *err, size_t n)
{
    theme_builtin_default(t);
    return theme_parse(yaml, strlen(yaml), "t.yaml", t, err, n);
}

static void expect_error(const char *yaml, const char *want)
{
    theme t;
    char err[512] = "";
    assert_false(parse(yaml, &t, err, sizeof err));
    if (!strstr(err, want))
        fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_bundled_themes_have_every_role(void **st)
{
    for (int i = 0; i < theme_n_bundled; i++) {
        char path[4200], err[512] = "";
        snprintf(path, sizeof path, "%s/%s.yaml", themes_dir, theme_bundled_names[i]);
        theme t;
        memset(&t, 0, sizeof t);
        if (!theme_load_file(path, &t, err, sizeof err))
            fail_msg("%s", err);
        for (int r = 0; r < P_ROLE_COUNT; r++)
            if (!t.has_role[r])
                fail_msg("%s has no role %s", path, pane_role_names[r]);
        /* And by name, through the lookup. */
        assert_true(theme_resolve(theme_bundled_names[i], themes_dir, &t, err, sizeof err));
        assert_string_equal(t.name, theme_bundled_names[i]);
    }
}

/* The compiled-in fallback is themes/default.yaml as built. */
static void test_builtin_is_default_yaml(void **st)
{
    theme b, f;
    char path[4200], err[512];
    theme_builtin_default(&b);
    snprintf(path, sizeof path, "%s/default.yaml", themes_dir);
    memset(&f, 0, sizeof f);
    assert_true(theme_load_file(path, &f, err, sizeof err));
    for (int r = 0; r < P_ROLE_COUNT; r++) {
        assert_true(b.has_role[r]);
        assert_int_equal(b.role[r].fg, f.role[r].fg);
        assert_int_equal(b.role[r].bg, f.role[r].bg);
        assert_int_equal(b.role[r].attrs, f.role[r].attrs);
    }
}

static void test_parse_styles(void **st)
{
    theme t;
    char err[512];
    assert_true(parse("roles:\n"
                      "  ok: {fg: green, bg: 236, attrs: [bold, underline]}\n"
                      "  error:\n    fg: 196\n    attrs: reverse, dim\n"
                      "  title: {bg: DEFAULT}\n",
                      &t, err, sizeof err));
    assert_int_equal(t.role[P_OK].fg, 2);
    assert_int_equal(t.role[P_OK].bg, 236);
    assert_int_equal(t.role[P_OK].attrs, THEME_BOLD | THEME_UNDERLINE);
    assert_int_equal(t.role[P_ERROR].fg, 196);
    assert_int_equal(t.role[P_ERROR].bg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.role[P_ERROR].attrs, THEME_REVERSE | THEME_DIM);
    assert_int_equal(t.role[P_TITLE].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.role[P_TITLE].attrs, 0);
    /* Roles the file leaves out keep the default theme's. */
    theme d;
    theme_builtin_default(&d);
    assert_false(t.has_role[P_HEADER] && !d.has_role[P_HEADER]);
    assert_int_equal(t.role[P_HEADER].fg, d.role[P_HEADER].fg);
    assert_int_equal(t.role[P_HEADER].attrs, d.role[P_HEADER].attrs);
}

static void test_broken_yaml_has_line_column(void **st)
{
    /* An unclosed flow mapping: libyaml notices on line 3. */
    expect_error("roles:\n  ok: {fg: red\n  error: {fg: red}\n", "t.yaml:3:");
    /* A tab where indentation is expected, line 2 column 1. */
    expect_error("roles:\n\tok: {fg: red}\n", "t.yaml:2:1: found character that cannot start any token");
    expect_error("roles: [\n", "t.yaml:2:1:");
    expect_error("", "t.yaml:1:1: the theme is empty");
    expect_error("just text", "t.yaml:1:1: a theme is a mapping");
    expect_error("name: x\n", "t.yaml:1:1: the theme has no roles");
}

static void test_unknown_names_are_named(void **st)
{
    expect_error("roles:\n  ok: {fg: purple}\n", "t.yaml:2:12: unknown colour \"purple\" for ok.fg");
    expect_error("roles:\n  ok: {bg: 256}\n", "t.yaml:2:12: unknown colour \"256\" for ok.bg");
    expect_error("roles:\n  normal: {}\n  okay: {fg: red}\n", "t.yaml:3:3: unknown role \"okay\" (roles: normal,");
    expect_error("roles:\n  ok: {attrs: [bold, blink]}\n", "t.yaml:2:22: unknown attribute \"blink\" for ok.attrs");
    expect_error("roles:\n  ok: {colour: red}\n", "t.yaml:2:8: unknown key \"colour\" in role ok");
    expect_error("role:\n  ok: {fg: red}\n", "t.yaml:1:1: unknown key \"role\"");
    expect_error("roles:\n  ok: red\n", "t.yaml:2:7: role ok must be a mapping");
    expect_error("roles:\n  ok: {fg: [red]}\n", "t.yaml:2:12: ok.fg must be a colour name or 0-255, not a list");
    expect_error("roles:\n  ok: {}\n  ok: {}\n", "t.yaml:3:3: role ok is set twice");
}

/* Garbage never crashes and never half-applies. */
static void test_garbage(void **st)
{
    static const char *inputs[] = {
        "\x01\x02\xff\xfe",
        "roles: &a [*a]\n",
        "roles: {ok: &x {fg: red}, error: *x, normal: *x}\n",
        "roles: {ok: {attrs: &l [bold, *l]}}\n",
        "%YAML 9.9\n---\n",
        "roles: {ok: {fg: red}}\n---\nroles: {}\n",
        "? [a, b]\n: c\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        theme t, d;
        char err[512] = "";
        theme_builtin_default(&d);
        if (!parse(inputs[i], &t, err, sizeof err)) {
            assert_true(err[0] != '\0');
            assert_memory_equal(t.role, d.role, sizeof t.role);
        }
    }
    /* Deep nesting (libyaml alone would take minutes over this). */
    size_t n = 500000;
    char *deep = malloc(2 * n + 16);
    strcpy(deep, "roles: ");
    memset(deep + 7, '[', n);
    memset(deep + 7 + n, ']', n);
    deep[7 + 2 * n] = '\0';
    theme t;
    char err[512];
    assert_false(parse(deep, &t, err, sizeof err));
    assert_string_equal(err, "t.yaml:1:39: nested deeper than 32 levels");
    free(deep);
}

static void test_degrade_256_to_8(void **st)
{
    /* The 6x6x6 cube's corners and the greys go to the obvious colour. */
    assert_int_equal(theme_color_degrade(16, 8), 0);   /* black */
    assert_int_equal(theme_color_degrade(196, 8), 1);  /* red */
    assert_int_equal(theme_color_degrade(46, 8), 2);   /* green */
    assert_int_equal(theme_color_degrade(226, 8), 3);  /* yellow */
    assert_int_equal(theme_color_degrade(21, 8), 4);   /* blue */
    assert_int_equal(theme_color_degrade(201, 8), 5);  /* magenta */
    assert_int_equal(theme_color_degrade(51, 8), 6);   /* cyan */
    assert_int_equal(theme_color_degrade(231, 8), 7);  /* white */
    assert_int_equal(theme_color_degrade(214, 8), 3);  /* orange: yellow */
    assert_int_equal(theme_color_degrade(124, 8), 1);  /* dark red */
    assert_int_equal(theme_color_degrade(232, 8), 0);  /* darkest grey */
    assert_int_equal(theme_color_degrade(255, 8), 7);  /* lightest grey */
    assert_int_equal(theme_color_degrade(9, 8), 1);    /* bright red: red */
    assert_int_equal(theme_color_degrade(15, 8), 7);
    /* What the terminal has stays as it is. */
    assert_int_equal(theme_color_degrade(3, 8), 3);
    assert_int_equal(theme_color_degrade(214, 256), 214);
    assert_int_equal(theme_color_degrade(12, 16), 12);
    assert_int_equal(theme_color_degrade(THEME_COLOR_DEFAULT, 8), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_from_name("magenta"), 5);
    assert_int_equal(theme_color_from_name("Default"), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_from_name("255"), 255);
    assert_int_equal(theme_color_from_name("-1"), -2);
    assert_int_equal(theme_color_from_name("12x"), -2);
}

static short degraded(short c, short normal_fallback)
{
    c = theme_color_degrade(c, 8);
    return c == THEME_COLOR_DEFAULT ? normal_fallback : c;
}

/* On an 8-colour terminal the colour themes still tell states apart and
 * never draw text in its own background colour. */
static void test_themes_readable_in_8_colours(void **st)
{
    for (int i = 0; i < theme_n_bundled; i++) {
        theme t;
        char err[512];
        assert_true(theme_resolve(theme_bundled_names[i], themes_dir, &t, err, sizeof err));
        /* A default-coloured normal role: assume a dark terminal for the
         * default theme (what it is for), white on black. */
        short nfg = degraded(t.role[P_NORMAL].fg, 7), nbg = degraded(t.role[P_NORMAL].bg, 0);
        short fg[P_ROLE_COUNT], bg[P_ROLE_COUNT];
        for (int r = 0; r < P_ROLE_COUNT; r++) {
            theme_style s = theme_effective(&t, (pane_role)r);
            fg[r] = degraded(s.fg, nfg);
            bg[r] = degraded(s.bg, nbg);
            if (fg[r] == bg[r] && !(s.attrs & THEME_REVERSE))
                fail_msg("%s: %s is colour %d on %d", t.name, pane_role_names[r], fg[r], bg[r]);
        }
        if (!strcmp(t.name, "mono"))
            continue;
        assert_int_not_equal(fg[P_OK], fg[P_ERROR]);
        assert_int_not_equal(fg[P_OK], fg[P_WARN]);
        assert_true(fg[P_ERROR] != fg[P_WARN] || bg[P_ERROR] != bg[P_WARN]);
        assert_int_not_equal(bg[P_SELECTED], bg[P_NORMAL]);
        assert_int_not_equal(bg[P_STATUS_BAR], bg[P_NORMAL]);
        /* key is or'ed over the status bar: attributes only. */
        assert_int_equal(t.role[P_KEY].fg, THEME_COLOR_DEFAULT);
        assert_int_equal(t.role[P_KEY].bg, THEME_COLOR_DEFAULT);
    }
}

static void test_no_color_gives_mono(void **st)
{
    assert_false(theme_use_color("1", true));
    assert_false(theme_use_color("yes", true));
    assert_true(theme_use_color("", true)); /* set but empty: ignored (no-color.org) */
    assert_true(theme_use_color(NULL, true));
    assert_false(theme_use_color(NULL, false));
    /* mono: no colour anywhere, and the states differ by attributes. */
    theme m;
    char err[512];
    assert_true(theme_resolve("mono", themes_dir, &m, err, sizeof err));
    for (int r = 0; r < P_ROLE_COUNT; r++) {
        assert_int_equal(m.role[r].fg, THEME_COLOR_DEFAULT);
        assert_int_equal(m.role[r].bg, THEME_COLOR_DEFAULT);
    }
    assert_int_equal(m.role[P_ERROR].attrs & (THEME_BOLD | THEME_REVERSE), THEME_BOLD | THEME_REVERSE);
    assert_int_not_equal(m.role[P_ERROR].attrs, m.role[P_OK].attrs);
    assert_int_not_equal(m.role[P_WARN].attrs, m.role[P_OK].attrs);
    assert_int_not_equal(m.role[P_WARN].attrs, m.role[P_ERROR].attrs);
    assert_int_not_equal(m.role[P_SELECTED].attrs, m.role[P_NORMAL].attrs);
}

static void test_lookup_order(void **st)
{
    char tmp[] = "/tmp/migtop-theme-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char dir[4200], path[4300], err[512];
    snprintf(dir, sizeof dir, "%s/migtop", tmp);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/migtop/themes", tmp);
    mkdir(dir, 0700);
    setenv("XDG_CONFIG_HOME", tmp, 1);

    /* A bundled name: the themes dir. */
    assert_true(theme_find("light", themes_dir, path, sizeof path, err, sizeof err));
    assert_non_null(strstr(path, "/themes/light.yaml"));
    assert_ptr_equal(strstr(path, tmp), NULL);
    /* The user's themes dir comes first. */
    char user_light[4400];
    snprintf(user_light, sizeof user_light, "%s/light.yaml", dir);
    write_file(user_light, "roles:\n  ok: {fg: 1}\n");
    assert_true(theme_find("light", themes_dir, path, sizeof path, err, sizeof err));
    assert_string_equal(path, user_light);
    theme t;
    assert_true(theme_resolve("light", themes_dir, &t, err, sizeof err));
    assert_int_equal(t.role[P_OK].fg, 1);
    /* A path is taken as is. */
    assert_true(theme_find(user_light, themes_dir, path, sizeof path, err, sizeof err));
    assert_string_equal(path, user_light);
    assert_true(theme_find("my.yaml", themes_dir, path, sizeof path, err, sizeof err));
    assert_string_equal(path, "my.yaml");
    /* Unknown names are named, with where they were looked for. */
    assert_false(theme_find("nosuch", themes_dir, path, sizeof path, err, sizeof err));
    assert_non_null(strstr(err, "no theme \"nosuch\""));
    assert_non_null(strstr(err, dir));
    assert_non_null(strstr(err, "default, light, high-contrast, mono"));
    assert_false(theme_find("..", themes_dir, path, sizeof path, err, sizeof err));
    assert_non_null(strstr(err, "not a theme name"));
    /* A broken file: the error, and the default in its place. */
    char broken[4400];
    snprintf(broken, sizeof broken, "%s/broken.yaml", tmp);
    write_file(broken, "roles:\n  ok: {fg: red\n  error: [\n");
    assert_false(theme_resolve(broken, themes_dir, &t, err, sizeof err));
    assert_non_null(strstr(err, broken));
    assert_non_null(strstr(err, ":3:"));
    theme d;
    theme_builtin_default(&d);
    assert_memory_equal(t.role, d.role, sizeof t.role);
    assert_string_equal(t.name, "default");
    /* Without any themes dir, "default" is still there. */
    assert_true(theme_resolve("default", "/nonexistent", &t, err, sizeof err));
    assert_memory_equal(t.role, d.role, sizeof t.role);
    assert_false(theme_resolve("high-contrast", "/nonexistent", &t, err, sizeof err));

    unlink(user_light);
    unlink(broken);
    rmdir(dir);
    snprintf(dir, sizeof dir, "%s/migtop", tmp);
    rmdir(dir);
    rmdir(tmp);
    setenv("XDG_CONFIG_HOME", "/nonexistent-migtop-test", 1);
}

static void test_config_dir(void **st)
{
    char d[4096];
    setenv("XDG_CONFIG_HOME", "/x/conf", 1);
    assert_true(config_dir(d, sizeof d));
    assert_string_equal(d, "/x/conf/migtop");
    setenv("XDG_CONFIG_HOME", "relative", 1); /* not absolute: ignored */
    setenv("HOME", "/home/u", 1);
    assert_true(config_dir(d, sizeof d));
    assert_string_equal(d, "/home/u/.config/migtop");
    unsetenv("XDG_CONFIG_HOME");
    assert_true(config_dir(d, sizeof d));
    assert_string_equal(d, "/home/u/.config/migtop");
    setenv("XDG_CONFIG_HOME", "/nonexistent-migtop-test", 1);
}

static bool cfg(const char *yaml, migtop_config *c, char *err, size_t n)
{
    return config_parse(yaml, strlen(yaml), "config.yaml", c, err, n);
}

static void expect_cfg_error(const char *yaml, const char *want)
{
    migtop_config c;
    char err[512] = "";
    assert_false(cfg(yaml, &c, err, sizeof err));
    if (!strstr(err, want))
        fail_msg("error \"%s\" lacks \"%s\"", err, want);
    assert_string_equal(c.theme, ""); /* nothing from a broken file */
    assert_int_equal(c.lag_threshold, 0);
}

static void test_config_parse(void **st)
{
    migtop_config c;
    char err[512];
    assert_true(cfg("# mine\ntheme: light\nlag_threshold: 10\npod_tz: UTC+8\nrefresh_ms: 500\n",
                    &c, err, sizeof err));
    assert_string_equal(c.theme, "light");
    assert_int_equal(c.lag_threshold, 10);
    assert_string_equal(c.pod_tz, "UTC+8");
    assert_int_equal(c.refresh_ms, 500);
    assert_int_equal(c.mouse, 0); /* not set: the default (on) */
    assert_true(cfg("mouse: false\n", &c, err, sizeof err));
    assert_int_equal(c.mouse, -1);
    assert_true(cfg("mouse: yes\n", &c, err, sizeof err));
    assert_int_equal(c.mouse, 1);
    expect_cfg_error("mouse: sometimes\n", "config.yaml:1:8: mouse must be true or false, not \"sometimes\"");
    assert_true(cfg("theme: /some/where/t.yaml\n", &c, err, sizeof err));
    assert_string_equal(c.theme, "/some/where/t.yaml");
    assert_int_equal(c.refresh_ms, 0);
    assert_true(cfg("", &c, err, sizeof err));
    assert_true(cfg("# only a comment\n", &c, err, sizeof err));
    assert_string_equal(c.theme, "");

    expect_cfg_error("theme: light\nlag_threshold: [\n", "config.yaml:3:1:");
    expect_cfg_error("theme: light\ncolour: red\n", "config.yaml:2:1: unknown setting \"colour\"");
    expect_cfg_error("theme: light\nlag_threshold: soon\n",
                     "config.yaml:2:16: lag_threshold must be a number from 1 to 86400, not \"soon\"");
    expect_cfg_error("refresh_ms: 5\n", "config.yaml:1:13: refresh_ms must be a number from 100 to 60000");
    expect_cfg_error("pod_tz: Mars/Base\n", "config.yaml:1:9: pod_tz \"Mars/Base\" is not a zone");
    expect_cfg_error("theme: [a]\n", "config.yaml:1:8: theme must be text, not a list");
    expect_cfg_error("- theme\n", "config.yaml:1:1: the config is a mapping");
}

static void test_config_files_and_flags(void **st)
{
    char tmp[] = "/tmp/migtop-config-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char path[4200], err[512];
    migtop_config c;
    /* No file: fine, nothing set. */
    snprintf(path, sizeof path, "%s/config.yaml", tmp);
    assert_true(config_load_file(path, &c, err, sizeof err));
    assert_string_equal(err, "");
    assert_string_equal(c.theme, "");
    write_file(path, "theme: high-contrast\nlag_threshold: 30\n");
    assert_true(config_load_file(path, &c, err, sizeof err));
    /* Applied over the defaults; the flags are parsed after and win. */
    dashboard_opts o;
    memset(&o, 0, sizeof o);
    o.pod_tz = "UTC";
    o.lag_warn_s = 5;
    o.refresh_ms = 1000;
    dashboard_apply_config(&c, &o);
    assert_string_equal(o.theme, "high-contrast");
    assert_int_equal(o.lag_warn_s, 30);
    assert_int_equal(o.refresh_ms, 1000);
    assert_string_equal(o.pod_tz, "UTC");
    /* A broken file names itself. */
    write_file(path, "theme: light\n  lag_threshold: 3\n");
    assert_false(config_load_file(path, &c, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, ":2:"));
    unlink(path);
    rmdir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_themes_have_every_role),
        cmocka_unit_test(test_builtin_is_default_yaml),
        cmocka_unit_test(test_parse_styles),
        cmocka_unit_test(test_broken_yaml_has_line_column),
        cmocka_unit_test(test_unknown_names_are_named),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_degrade_256_to_8),
        cmocka_unit_test(test_themes_readable_in_8_colours),
        cmocka_unit_test(test_no_color_gives_mono),
        cmocka_unit_test(test_lookup_order),
        cmocka_unit_test(test_config_dir),
        cmocka_unit_test(test_config_parse),
        cmocka_unit_test(test_config_files_and_flags),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
