/* Theme files -> palettes, with libyaml's document loader. Every error
 * carries the file, line and column (libyaml's marks, counted from 1) of
 * the node at fault, and names what is unknown. */
#include "settings/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings/theme_yaml.h"

static bool parse_color(yaml_src *c, const yaml_node_t *n, const char *role, const char *field, short *out)
{
    const char *s = yaml_src_scalar(n);
    if (!s)
        return yaml_src_fail(c, n, "%s.%s must be a colour name or 0-255, not %s", role, field, yaml_src_kind(n));
    int v = theme_color_from_name(s);
    if (v < -1)
        return yaml_src_fail(c, n, "unknown colour \"%s\" for %s.%s (use default, black, red, green, "
                       "yellow, blue, magenta, cyan, white, or 0-255)", s, role, field);
    *out = (short)v;
    return true;
}

static bool parse_attr_word(yaml_src *c, const yaml_node_t *n, const char *role, const char *w, unsigned *out)
{
    static const struct { const char *name; unsigned bit; } names[] = {
        {"bold", THEME_BOLD},     {"underline", THEME_UNDERLINE}, {"reverse", THEME_REVERSE},
        {"dim", THEME_DIM},       {"standout", THEME_STANDOUT},   {"italic", THEME_ITALIC},
        {"normal", 0},            {"none", 0}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(w, names[i].name)) {
            *out |= names[i].bit;
            return true;
        }
    return yaml_src_fail(c, n, "unknown attribute \"%s\" for %s.attrs (use bold, underline, reverse, "
                   "dim, standout, italic)", w, role);
}

/* attrs: [bold, underline] or "bold underline" (commas allowed). */
static bool parse_attrs(yaml_src *c, const yaml_node_t *n, const char *role, unsigned *out)
{
    *out = 0;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            const yaml_node_t *item = yaml_src_node(c, *it);
            const char *s = yaml_src_scalar(item);
            if (!s)
                return yaml_src_fail(c, item, "%s.attrs holds attribute names, not %s", role, yaml_src_kind(item));
            if (!parse_attr_word(c, item, role, s, out))
                return false;
        }
        return true;
    }
    const char *s = yaml_src_scalar(n);
    if (!s)
        return yaml_src_fail(c, n, "%s.attrs must be a list of attribute names", role);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *w = strtok_r(buf, " ,", &save); w; w = strtok_r(NULL, " ,", &save))
        if (!parse_attr_word(c, n, role, w, out))
            return false;
    return true;
}

static bool parse_role(yaml_src *c, const yaml_node_t *n, const char *role, theme_style *out)
{
    theme_style s = {THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0};
    if (n->type != YAML_MAPPING_NODE)
        return yaml_src_fail(c, n, "role %s must be a mapping like {fg: red, bg: default, attrs: [bold]}",
                       role);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_src_node(c, p->key);
        const yaml_node_t *v = yaml_src_node(c, p->value);
        const char *key = yaml_src_scalar(k);
        bool ok;
        if (key && !strcmp(key, "fg"))
            ok = parse_color(c, v, role, "fg", &s.fg);
        else if (key && !strcmp(key, "bg"))
            ok = parse_color(c, v, role, "bg", &s.bg);
        else if (key && !strcmp(key, "attrs"))
            ok = parse_attrs(c, v, role, &s.attrs);
        else
            return yaml_src_fail(c, k, "unknown key \"%s\" in role %s (a role has fg, bg, attrs)",
                           key ? key : "?", role);
        if (!ok)
            return false;
    }
    *out = s;
    return true;
}

static bool parse_roles(yaml_src *c, const yaml_node_t *n, theme *t)
{
    if (n->type != YAML_MAPPING_NODE)
        return yaml_src_fail(c, n, "roles must be a mapping of role names to styles");
    bool seen[P_ROLE_COUNT] = {false};
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_src_node(c, p->key);
        const char *key = yaml_src_scalar(k);
        int r = 0;
        while (key && r < P_ROLE_COUNT && strcmp(key, pane_role_names[r]))
            r++;
        if (!key || r == P_ROLE_COUNT) {
            char known[512] = "";
            for (int i = 0; i < P_ROLE_COUNT; i++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                         pane_role_names[i]);
            return yaml_src_fail(c, k, "unknown role \"%s\" (roles: %s)", key ? key : "?", known);
        }
        if (seen[r])
            return yaml_src_fail(c, k, "role %s is set twice", key);
        seen[r] = true;
        if (!parse_role(c, yaml_src_node(c, p->value), key, &t->role[r]))
            return false;
        t->has_role[r] = true;
    }
    return true;
}

static bool parse_doc(yaml_src *c, theme *t)
{
    const yaml_node_t *root = yaml_document_get_root_node(&c->doc);
    if (!root) {
        snprintf(c->err, c->errlen, "%s:1:1: the theme is empty (it needs a roles: mapping)", c->source);
        return false;
    }
    if (root->type != YAML_MAPPING_NODE)
        return yaml_src_fail(c, root, "a theme is a mapping with name, description and roles");
    bool roles = false;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yaml_src_node(c, p->key);
        const yaml_node_t *v = yaml_src_node(c, p->value);
        const char *key = yaml_src_scalar(k);
        if (key && (!strcmp(key, "name") || !strcmp(key, "description"))) {
            if (!yaml_src_scalar(v))
                return yaml_src_fail(c, v, "%s must be text", key);
        } else if (key && !strcmp(key, "roles")) {
            if (!parse_roles(c, v, t))
                return false;
            roles = true;
        } else {
            return yaml_src_fail(c, k, "unknown key \"%s\" (a theme has name, description, roles)",
                           key ? key : "?");
        }
    }
    if (!roles)
        return yaml_src_fail(c, root, "the theme has no roles: mapping");
    return true;
}

bool theme_parse(const char *text, size_t len, const char *source, theme *out, char *err,
                 size_t errlen)
{
    yaml_src c = {.source = source, .err = err, .errlen = errlen};
    if (!yaml_src_load(&c, text, len))
        return false;
    theme t = *out;
    bool ok = parse_doc(&c, &t);
    yaml_src_free(&c);
    if (ok)
        *out = t;
    return ok;
}

bool theme_load_file(const char *path, theme *out, char *err, size_t errlen)
{
    size_t n;
    char *text = yaml_src_read_file(path, "theme", &n, err, errlen);
    bool ok = text && theme_parse(text, n, path, out, err, errlen);
    free(text);
    return ok;
}
