/* Which file a theme name means, and loading it over the built-in default. */
#include "settings/theme.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "settings/config.h"

const char *const theme_bundled_names[] = {"default", "light", "high-contrast", "mono"};
const int theme_n_bundled = (int)(sizeof theme_bundled_names / sizeof *theme_bundled_names);

/* themes/default.yaml, compiled in by themes/embed.cmake. */
extern const char theme_default_yaml[];
extern const size_t theme_default_yaml_len;

void theme_builtin_default(theme *out)
{
    memset(out, 0, sizeof *out);
    for (int r = 0; r < P_ROLE_COUNT; r++)
        out->role[r] = (theme_style){THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0};
    char err[256];
    /* Checked by test_theme: the build's copy always parses. */
    theme_parse(theme_default_yaml, theme_default_yaml_len, "built-in default", out, err, sizeof err);
    snprintf(out->name, sizeof out->name, "default");
}

bool theme_bundled_dir(char *buf, size_t n)
{
    /* Beside the program as installed (PREFIX/bin/migtop and
     * PREFIX/share/migtop/themes), which the build tree copies. */
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, n, "%s/../share/migtop/themes", exe);
            if (access(buf, R_OK | X_OK) == 0)
                return true;
        }
    }
    snprintf(buf, n, "%s", MIGTOP_INSTALL_THEME_DIR); /* set by settings/CMakeLists.txt */
    if (access(buf, R_OK | X_OK) == 0)
        return true;
    if (n)
        buf[0] = '\0';
    return false;
}

static bool is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
           (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static bool valid_name(const char *name)
{
    if (!*name || *name == '.')
        return false;
    for (const char *p = name; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", *p))
            return false;
    return true;
}

bool theme_find(const char *name, const char *theme_dir, char *path, size_t pathlen, char *err,
                size_t errlen)
{
    if (is_path(name)) {
        snprintf(path, pathlen, "%s", name);
        return true;
    }
    char bundled[128] = "";
    for (int i = 0; i < theme_n_bundled; i++)
        snprintf(bundled + strlen(bundled), sizeof bundled - strlen(bundled), "%s%s", i ? ", " : "",
                 theme_bundled_names[i]);
    if (!valid_name(name)) {
        snprintf(err, errlen, "\"%s\" is not a theme name (letters, digits, - _ .) nor a path "
                 "to a .yaml file; themes: %s", name, bundled);
        return false;
    }
    char user[4096] = "";
    if (config_dir(user, sizeof user - 8))
        strcat(user, "/themes");
    if (user[0]) {
        snprintf(path, pathlen, "%s/%s.yaml", user, name);
        if (access(path, F_OK) == 0)
            return true;
    }
    if (theme_dir && *theme_dir) {
        snprintf(path, pathlen, "%s/%s.yaml", theme_dir, name);
        if (access(path, F_OK) == 0)
            return true;
    }
    snprintf(err, errlen, "no theme \"%s\" (themes: %s; looked in %s%s%s)", name, bundled,
             user, user[0] && theme_dir && *theme_dir ? " and " : "", theme_dir ? theme_dir : "");
    return false;
}

bool theme_resolve(const char *name, const char *theme_dir, theme *out, char *err, size_t errlen)
{
    theme_builtin_default(out);
    if (!name || !*name)
        name = "default";
    char path[4300];
    theme t = *out;
    if (!theme_find(name, theme_dir, path, sizeof path, err, errlen)) {
        if (strcmp(name, "default"))
            return false;
        if (errlen) /* without a themes dir, "default" is the compiled-in copy */
            err[0] = '\0';
        return true;
    }
    if (!theme_load_file(path, &t, err, errlen))
        return false;
    *out = t;
    snprintf(out->name, sizeof out->name, "%s", name);
    return true;
}
