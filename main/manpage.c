#include "main/manpage.h"

#include <string.h>

#include "cli/help.h"
#include "tui/keys.h"

/* Text for roff: backslashes and a dot or quote starting a line escaped,
 * dashes as \- (so flags copy and search right). */
static void roff(FILE *out, const char *s)
{
    bool line_start = true;
    for (; *s; s++) {
        if (line_start && (*s == '.' || *s == '\''))
            fputs("\\&", out);
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else
            fputc(*s, out);
        line_start = *s == '\n';
    }
}

/* A paragraph text with "\n\n" breaks as .PP-separated paragraphs. */
static void paragraphs(FILE *out, const char *s)
{
    fputs(".PP\n", out);
    const char *p = s;
    while (*p) {
        const char *brk = strstr(p, "\n\n");
        size_t n = brk ? (size_t)(brk - p) : strlen(p);
        char buf[4096];
        snprintf(buf, sizeof buf, "%.*s", (int)n, p);
        roff(out, buf);
        fputc('\n', out);
        if (!brk)
            break;
        fputs(".PP\n", out);
        p = brk + 2;
    }
}

static void flags(FILE *out, const help_flag *f)
{
    for (; f->flag; f++) {
        fputs(".TP\n.B ", out);
        roff(out, f->flag);
        if (f->arg) {
            fputs(" \\fI", out);
            roff(out, f->arg);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        roff(out, f->text);
        fputc('\n', out);
    }
}

static void command(FILE *out, const help_cmd *c)
{
    fputs(".SS \"", out);
    roff(out, c->name);
    fputs("\"\n.B migtop ", out);
    roff(out, c->name);
    fputc(' ', out);
    roff(out, c->synopsis);
    fputc('\n', out);
    paragraphs(out, c->about);
    flags(out, c->flags);
    fputs(".PP\n", out);
    if (c->common) {
        fputs("Also the", out);
        if (c->common & HELP_BACKEND)
            fputs(" backend flags", out);
        if (c->common & HELP_PROBE)
            fputs(" server flags", out);
        if (c->common & HELP_READONLY)
            fputs(" and \\-\\-readonly", out);
        fputs(" (see COMMON FLAGS).\n.br\n", out);
    }
    fputs("Exit status: ", out);
    roff(out, c->exit);
    fputs(".\n", out);
    for (int i = 0; i < HELP_MAX_EXAMPLES && c->examples[i]; i++) {
        fputs(".IP \"\" 4\n.nf\n", out);
        roff(out, c->examples[i]);
        fputs("\n.fi\n", out);
    }
}

static void keys(FILE *out)
{
    int n;
    const help_entry *e = keys_help(&n);
    const char *group = "";
    for (int i = 0; i < n; i++) {
        if (strcmp(group, e[i].group)) {
            group = e[i].group;
            fputs(".SS ", out);
            roff(out, group);
            fputc('\n', out);
        }
        fputs(".TP\n.B ", out);
        roff(out, e[i].keys);
        fputc('\n', out);
        roff(out, e[i].what);
        fputc('\n', out);
    }
}

static void items(FILE *out, const char *title, const help_item *it)
{
    fprintf(out, ".SH %s\n", title);
    for (; it->name; it++) {
        fputs(".TP\n.I ", out);
        roff(out, it->name);
        fputc('\n', out);
        roff(out, it->text);
        fputc('\n', out);
    }
}

void manpage_print(FILE *out)
{
    fputs(".TH MIGTOP 1 \"\" \"migtop " MIGTOP_VERSION "\" \"User Commands\"\n"
          ".SH NAME\nmigtop \\- a live dashboard for PostgreSQL\\-to\\-PostgreSQL migrations\n"
          ".SH SYNOPSIS\n.B migtop\n[\\fIflags\\fR]\n.br\n.B migtop\n\\fICOMMAND\\fR "
          "[\\fIflags\\fR]\n.SH DESCRIPTION\n", out);
    paragraphs(out, "migtop creates a migration task between two PostgreSQL servers (the "
               "KubeBlocks migration add-on on Kubernetes, or migtop's own local engine), "
               "shows its precheck, structure and data initialization and CDC live, walks "
               "the cutover checklist, and terminates the task without leaving a "
               "replication slot behind. Passwords are never shown, logged or written into "
               "a task's spec.\n\nEvery figure on screen carries the time it was read; a "
               "server that stops answering is said to, it never freezes the dashboard.");
    fputs(".SH THE DASHBOARD\n", out);
    const help_cmd *d = help_find("");
    paragraphs(out, d->about);
    flags(out, d->flags);
    fputs(".SH COMMANDS\n", out);
    for (int i = 0; i < help_n_cmds; i++)
        if (help_cmds[i].name[0])
            command(out, &help_cmds[i]);
    fputs(".SH COMMON FLAGS\n.SS \"Backend flags\"\n", out);
    flags(out, help_backend_flags);
    fputs(".SS \"Server flags\"\n", out);
    flags(out, help_probe_flags);
    fputs(".SS Safety\n", out);
    flags(out, help_readonly_flag);
    fputs(".SH KEYS\nIn the dashboard (press ? there for the same list):\n", out);
    keys(out);
    items(out, "ENVIRONMENT", help_environment);
    items(out, "FILES", help_files);
    fputs(".SH EXIT STATUS\n0 done, 1 failed, 2 bad usage; commands that talk to servers "
          "use 3 when one cannot be reached (see each command).\n"
          ".SH SEE ALSO\n.BR psql (1),\n.BR pg_dump (1),\n.BR kubectl (1)\n", out);
}
