#include "settings/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/fmt.h"
#include "settings/theme_yaml.h"

bool config_dir(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int k;
    if (xdg && xdg[0] == '/')
        k = snprintf(buf, n, "%s/migtop", xdg);
    else if (home && *home)
        k = snprintf(buf, n, "%s/.config/migtop", home);
    else
        return false;
    return k > 0 && (size_t)k < n;
}

static bool int_setting(yaml_src *y, const yaml_node_t *v, const char *key, int lo, int hi, int *out)
{
    const char *s = yaml_src_scalar(v);
    char *end = NULL;
    long n = s && *s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || n < lo || n > hi)
        return yaml_src_fail(y, v, "%s must be a number from %d to %d, not %s%s%s", key, lo, hi,
                             s ? "\"" : "", s ? s : yaml_src_kind(v), s ? "\"" : "");
    *out = (int)n;
    return true;
}

/* YAML 1.2's booleans (true/false), and 1.1's yes/no/on/off people write. */
static bool bool_setting(yaml_src *y, const yaml_node_t *v, const char *key, int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    const char *s = yaml_src_scalar(v);
    for (size_t i = 0; s && i < sizeof yes / sizeof *yes; i++) {
        if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
            *out = !strcmp(s, yes[i]) ? 1 : -1;
            return true;
        }
    }
    return yaml_src_fail(y, v, "%s must be true or false, not %s%s%s", key, s ? "\"" : "",
                         s ? s : yaml_src_kind(v), s ? "\"" : "");
}

static bool text_setting(yaml_src *y, const yaml_node_t *v, const char *key, char *out, size_t n)
{
    const char *s = yaml_src_scalar(v);
    if (!s || !*s)
        return yaml_src_fail(y, v, "%s must be text, not %s", key, s ? "empty" : yaml_src_kind(v));
    if (strlen(s) >= n)
        return yaml_src_fail(y, v, "%s is longer than %zu characters", key, n - 1);
    snprintf(out, n, "%s", s);
    return true;
}

static bool parse_root(yaml_src *y, migtop_config *c)
{
    const yaml_node_t *root = yaml_document_get_root_node(&y->doc);
    if (!root || (root->type == YAML_SCALAR_NODE && !*yaml_src_scalar(root)))
        return true; /* an empty file: nothing set */
    if (root->type != YAML_MAPPING_NODE)
        return yaml_src_fail(y, root, "the config is a mapping (theme: NAME, lag_threshold: S, "
                             "pod_tz: ZONE, refresh_ms: MS, mouse: BOOL), not %s", yaml_src_kind(root));
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_src_node(y, p->key), *v = yaml_src_node(y, p->value);
        const char *key = yaml_src_scalar(k);
        bool ok;
        if (key && !strcmp(key, "theme"))
            ok = text_setting(y, v, key, c->theme, sizeof c->theme);
        else if (key && !strcmp(key, "pod_tz")) {
            long off;
            ok = text_setting(y, v, key, c->pod_tz, sizeof c->pod_tz);
            if (ok && !fmt_parse_zone(c->pod_tz, &off))
                ok = yaml_src_fail(y, v, "pod_tz \"%s\" is not a zone like UTC, UTC+8 or -05:30",
                                   c->pod_tz);
        } else if (key && !strcmp(key, "lag_threshold"))
            ok = int_setting(y, v, key, 1, 86400, &c->lag_threshold);
        else if (key && !strcmp(key, "refresh_ms"))
            ok = int_setting(y, v, key, 100, 60000, &c->refresh_ms);
        else if (key && !strcmp(key, "mouse"))
            ok = bool_setting(y, v, key, &c->mouse);
        else
            ok = yaml_src_fail(y, k, "unknown setting \"%s\" (settings: theme, lag_threshold, "
                               "pod_tz, refresh_ms, mouse)", key ? key : "?");
        if (!ok)
            return false;
    }
    return true;
}

bool config_parse(const char *text, size_t len, const char *source, migtop_config *out, char *err,
                  size_t errlen)
{
    memset(out, 0, sizeof *out);
    yaml_src y = {.source = source, .err = err, .errlen = errlen};
    if (!yaml_src_load(&y, text, len))
        return false;
    migtop_config c;
    memset(&c, 0, sizeof c);
    bool ok = parse_root(&y, &c);
    yaml_src_free(&y);
    if (ok)
        *out = c;
    return ok;
}

bool config_load_file(const char *path, migtop_config *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n;
    char *text = yaml_src_read_file(path, "config", &n, err, errlen);
    if (!text && errno == ENOENT) { /* no config file: the defaults */
        if (errlen)
            err[0] = '\0';
        return true;
    }
    if (!text)
        return false;
    bool ok = config_parse(text, n, path, out, err, errlen);
    free(text);
    return ok;
}

const migtop_config *config_user(const char **error)
{
    static migtop_config cfg;
    static char err[600];
    static bool loaded;
    if (!loaded) {
        loaded = true;
        char dir[4096], path[4200];
        if (config_dir(dir, sizeof dir)) {
            snprintf(path, sizeof path, "%s/config.yaml", dir);
            if (!config_load_file(path, &cfg, err, sizeof err))
                memset(&cfg, 0, sizeof cfg);
        }
    }
    if (error)
        *error = err;
    return &cfg;
}
