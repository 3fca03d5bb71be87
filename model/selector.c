#include "model/selector.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct lexer {
    const char *s, *p;
    char *err;
    size_t errlen;
} lexer;

static void skip_ws(lexer *l)
{
    while (*l->p == ' ' || *l->p == '\t')
        l->p++;
}

static bool fail(lexer *l, const char *what)
{
    snprintf(l->err, l->errlen, "bad selector \"%s\": %s at position %d", l->s, what,
             (int)(l->p - l->s) + 1);
    return false;
}

/* A key or a value: letters, digits, '-', '_', '.', and '/' in keys. */
static bool word(lexer *l, char *out, size_t n, bool key, const char *what)
{
    skip_ws(l);
    size_t k = 0;
    while (isalnum((unsigned char)*l->p) || (*l->p && strchr("-_.", *l->p)) ||
           (key && *l->p == '/')) {
        if (k + 1 >= n)
            return fail(l, "name too long");
        out[k++] = *l->p++;
    }
    out[k] = '\0';
    if (!k && key)
        return fail(l, what);
    return true;
}

static bool keyword(lexer *l, const char *kw)
{
    skip_ws(l);
    size_t n = strlen(kw);
    if (strncmp(l->p, kw, n) || isalnum((unsigned char)l->p[n]))
        return false;
    l->p += n;
    return true;
}

static bool value_set(lexer *l, mt_sel_term *t)
{
    skip_ws(l);
    if (*l->p != '(')
        return fail(l, "expected '(' after in/notin");
    l->p++;
    for (;;) {
        if (t->n_values == MT_SEL_MAX_VALUES)
            return fail(l, "too many values");
        if (!word(l, t->values[t->n_values], sizeof t->values[0], false, "expected a value"))
            return false;
        t->n_values++;
        skip_ws(l);
        if (*l->p == ',') {
            l->p++;
            continue;
        }
        if (*l->p == ')') {
            l->p++;
            return true;
        }
        return fail(l, "expected ',' or ')'");
    }
}

static bool term(lexer *l, mt_sel_term *t)
{
    skip_ws(l);
    bool absent = *l->p == '!';
    if (absent)
        l->p++;
    if (!word(l, t->key, sizeof t->key, true, "expected a label key"))
        return false;
    if (absent) {
        t->op = MT_SEL_ABSENT;
        return true;
    }
    skip_ws(l);
    if (*l->p == '=' || (l->p[0] == '!' && l->p[1] == '=')) {
        t->op = *l->p == '!' ? MT_SEL_NE : MT_SEL_EQ;
        l->p += *l->p == '!' || l->p[1] == '=' ? 2 : 1;
        t->n_values = 1;
        return word(l, t->values[0], sizeof t->values[0], false, "expected a value");
    }
    if (keyword(l, "notin")) {
        t->op = MT_SEL_NOTIN;
        return value_set(l, t);
    }
    if (keyword(l, "in")) {
        t->op = MT_SEL_IN;
        return value_set(l, t);
    }
    t->op = MT_SEL_EXISTS;
    return true;
}

bool mt_selector_parse(const char *text, mt_selector *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    lexer l = {text, text, err, errlen};
    skip_ws(&l);
    if (!*l.p)
        return true;
    for (;;) {
        if (out->n_terms == MT_SEL_MAX_TERMS)
            return fail(&l, "too many terms");
        if (!term(&l, &out->terms[out->n_terms]))
            return false;
        out->n_terms++;
        skip_ws(&l);
        if (!*l.p)
            return true;
        if (*l.p != ',')
            return fail(&l, "expected ',' or the end");
        l.p++;
    }
}

static const char *label(const mt_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (kv[i].key && !strcmp(kv[i].key, key))
            return kv[i].value ? kv[i].value : "";
    return NULL;
}

static bool in_set(const mt_sel_term *t, const char *v)
{
    for (int i = 0; i < t->n_values; i++)
        if (!strcmp(t->values[i], v))
            return true;
    return false;
}

bool mt_selector_match(const mt_selector *s, const mt_kv *labels, size_t n_labels)
{
    for (int i = 0; i < s->n_terms; i++) {
        const mt_sel_term *t = &s->terms[i];
        const char *v = label(labels, n_labels, t->key);
        bool ok;
        switch (t->op) {
        case MT_SEL_EQ:
        case MT_SEL_IN: ok = v && in_set(t, v); break;
        case MT_SEL_NE:
        case MT_SEL_NOTIN: ok = !v || !in_set(t, v); break;
        case MT_SEL_EXISTS: ok = v != NULL; break;
        default: ok = v == NULL; break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* A label's name part or value: 63 at most, alphanumeric at both ends. */
static bool label_part(const char *s, bool empty_ok)
{
    size_t n = strlen(s);
    if (!n)
        return empty_ok;
    if (n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
            return false;
    return true;
}

bool mt_label_parse(char *text, mt_kv *out, char *err, size_t errlen)
{
    char *eq = strchr(text, '=');
    if (!eq) {
        snprintf(err, errlen, "--label \"%s\": expected KEY=VALUE", text);
        return false;
    }
    *eq = '\0';
    const char *value = eq + 1, *slash = strrchr(text, '/');
    const char *name = slash ? slash + 1 : text;
    bool prefix_ok = !slash || (slash > text && slash - text <= 253);
    for (const char *p = text; slash && p < slash; p++)
        prefix_ok = prefix_ok && (islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
                                  *p == '-' || *p == '.');
    if (!prefix_ok || !label_part(name, false) || !label_part(value, true)) {
        snprintf(err, errlen, "--label \"%s=%s\": a key is [prefix/]name and a value at most 63 "
                 "characters, letters, digits, '-', '_' and '.', beginning and ending with a "
                 "letter or digit", text, value);
        *eq = '=';
        return false;
    }
    *out = (mt_kv){text, value};
    return true;
}
