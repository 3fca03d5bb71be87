#include "model/print_yaml.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool needs_quotes(const char *s)
{
    if (!*s || isspace((unsigned char)s[0]) || isspace((unsigned char)s[strlen(s) - 1]))
        return true;
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null",
                                        "~", "True", "False", "Yes", "No", "On", "Off",
                                        "Null", "NULL", "TRUE", "FALSE", "y", "n", "Y", "N"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(s, words[i]))
            return true;
    if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) || strstr(s, ": ") || strstr(s, " #") ||
        s[strlen(s) - 1] == ':')
        return true;
    /* A date or timestamp (YAML 1.1 would read it as one): kubectl quotes
     * creationTimestamp and friends. */
    if (strlen(s) >= 10 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[3]) &&
        s[4] == '-' && isdigit((unsigned char)s[5]) && s[7] == '-' &&
        isdigit((unsigned char)s[8]))
        return true;
    /* Anything that reads as a number must stay a string. */
    char *end;
    (void)strtod(s, &end);
    if (!*end)
        return true;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static void scalar(FILE *out, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        if (needs_quotes(v->valuestring)) {
            char *q = cJSON_PrintUnformatted(v); /* JSON strings are YAML strings */
            fputs(q, out);
            free(q);
        } else {
            fputs(v->valuestring, out);
        }
    } else if (cJSON_IsNull(v) || !v) {
        fputs("null", out);
    } else {
        char *p = cJSON_PrintUnformatted(v);
        fputs(p, out);
        free(p);
    }
}

static bool is_empty_container(const cJSON *v)
{
    return (cJSON_IsObject(v) || cJSON_IsArray(v)) && !v->child;
}

static void key(FILE *out, const char *k)
{
    cJSON tmp = {.type = cJSON_String, .valuestring = (char *)k};
    scalar(out, &tmp);
}

static void node(FILE *out, const cJSON *v, int indent);

static void members(FILE *out, const cJSON *obj, int indent, bool first_inline)
{
    const cJSON *it;
    bool first = true;
    cJSON_ArrayForEach(it, obj) {
        if (!(first && first_inline))
            fprintf(out, "%*s", indent, "");
        first = false;
        key(out, it->string);
        fputc(':', out);
        if (is_empty_container(it)) {
            fputs(cJSON_IsObject(it) ? " {}\n" : " []\n", out);
        } else if (cJSON_IsObject(it)) {
            fputc('\n', out);
            members(out, it, indent + 2, false);
        } else if (cJSON_IsArray(it)) {
            fputc('\n', out);
            node(out, it, indent);
        } else {
            fputc(' ', out);
            scalar(out, it);
            fputc('\n', out);
        }
    }
}

static void node(FILE *out, const cJSON *v, int indent)
{
    if (cJSON_IsArray(v)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, v) {
            fprintf(out, "%*s- ", indent, "");
            if (cJSON_IsObject(it) && it->child)
                members(out, it, indent + 2, true);
            else if (cJSON_IsArray(it) && it->child) {
                fputc('\n', out);
                node(out, it, indent + 2);
            } else if (is_empty_container(it)) {
                fputs(cJSON_IsObject(it) ? "{}\n" : "[]\n", out);
            } else {
                scalar(out, it);
                fputc('\n', out);
            }
        }
    } else if (cJSON_IsObject(v)) {
        if (!v->child)
            fprintf(out, "%*s{}\n", indent, "");
        else
            members(out, v, indent, false);
    } else {
        fprintf(out, "%*s", indent, "");
        scalar(out, v);
        fputc('\n', out);
    }
}

void print_yaml(FILE *out, const cJSON *v)
{
    node(out, v, 0);
}
