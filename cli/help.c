/* Printing the help table (cli/help.h) for people: `--help` texts. */
#include "cli/help.h"

#include <string.h>

#define WIDTH 79

const help_cmd *help_find(const char *name)
{
    for (int i = 0; i < help_n_cmds; i++)
        if (!strcmp(help_cmds[i].name, name))
            return &help_cmds[i];
    return NULL;
}

/* text wrapped at WIDTH, every line after the first indented by indent
 * (the first starts at column col). */
static void wrap(FILE *out, const char *text, int col, int indent)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " \n");
        if (col > indent && col + 1 + (int)w > WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, w, out);
        col += (int)w;
        p += w;
        if (*p == '\n') { /* a paragraph break: "\n\n" */
            while (*p == '\n')
                p++;
            fprintf(out, "\n\n%*s", indent, "");
            col = indent;
        }
    }
    fputc('\n', out);
}

static void flags(FILE *out, const char *title, const help_flag *f)
{
    if (!f->flag)
        return;
    fprintf(out, "\n%s:\n", title);
    for (; f->flag; f++) {
        char left[64];
        snprintf(left, sizeof left, "  %s%s%s", f->flag, f->arg ? " " : "", f->arg ? f->arg : "");
        int col = (int)strlen(left);
        fputs(left, out);
        if (col < 26) {
            fprintf(out, "%*s", 26 - col, "");
            col = 26;
        } else {
            fprintf(out, "\n%26s", "");
            col = 26;
        }
        wrap(out, f->text, col, 26);
    }
}

void help_print(FILE *out, const char *name)
{
    const help_cmd *c = help_find(name);
    if (!c)
        return;
    fprintf(out, "usage: migtop%s%s %s\n\n", c->name[0] ? " " : "", c->name, c->synopsis);
    wrap(out, c->about, 0, 0);
    flags(out, "Flags", c->flags);
    if (c->common & HELP_BACKEND)
        flags(out, "Backend flags", help_backend_flags);
    if (c->common & HELP_PROBE)
        flags(out, "Server flags", help_probe_flags);
    if (c->common & HELP_READONLY)
        flags(out, "Safety", help_readonly_flag);
    fputs("\nExit status:", out);
    wrap(out, c->exit, 12, 2);
    if (c->examples[0]) {
        fputs("\nExamples:\n", out);
        for (int i = 0; i < HELP_MAX_EXAMPLES && c->examples[i]; i++) {
            fputs("  ", out);
            wrap(out, c->examples[i], 2, 6);
        }
    }
}

void help_print_overview(FILE *out)
{
    help_print(out, "");
    fputs("\nCommands (migtop COMMAND --help for each):\n", out);
    for (int i = 0; i < help_n_cmds; i++) {
        if (!help_cmds[i].name[0])
            continue;
        fprintf(out, "  %-12s ", help_cmds[i].name);
        wrap(out, help_cmds[i].summary, 15, 15);
    }
    fputs("\nKeys in the dashboard: press ? in it. Settings: $XDG_CONFIG_HOME/migtop/"
          "config.yaml.\nThe manual: man migtop (or migtop help --man | man -l -).\n",
          out);
}
