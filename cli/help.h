/* Every command's help, in one table: what `migtop COMMAND --help` prints,
 * what `migtop --help` lists, what the shell completions offer and what
 * the manual page (main/manpage.c) is made of. A flag or a command is
 * added here and nowhere else, so the texts cannot drift apart. */
#ifndef MIGTOP_CLI_HELP_H
#define MIGTOP_CLI_HELP_H

#include <stdbool.h>
#include <stdio.h>

/* One flag. arg is the value's name ("NAME", "S") or NULL for a switch;
 * values, when the flag takes one of a few words, lists them ("json yaml")
 * for the completions. */
typedef struct help_flag {
    const char *flag;   /* "-o, --output" */
    const char *arg;
    const char *text;
    const char *values; /* NULL: free text; "@task": a task name; "@file": a path */
} help_flag;

/* Groups of flags several commands share. */
enum {
    HELP_BACKEND = 1 << 0, /* --backend, --kubeconfig, --context, -n, -A, --state-dir */
    HELP_PROBE = 1 << 1,   /* --source, --sink, --migration-object, --timeout */
    HELP_READONLY = 1 << 2 /* --readonly */
};

#define HELP_MAX_FLAGS 24
#define HELP_MAX_EXAMPLES 6

typedef struct help_cmd {
    const char *name;     /* "list"; "" for the dashboard (no command) */
    const char *synopsis; /* what follows the name: "[NAME] [-o FORMAT]" */
    const char *summary;  /* one line, for `migtop --help` */
    const char *about;    /* paragraphs, "\n\n" between them */
    const char *positional; /* "@task", "@step", "@shell" or NULL: what the completion offers */
    unsigned common;      /* HELP_* groups it takes */
    help_flag flags[HELP_MAX_FLAGS]; /* its own, ended by a NULL flag */
    const char *exit;     /* "0 done, 1 failed, 2 bad usage" */
    const char *examples[HELP_MAX_EXAMPLES];
} help_cmd;

extern const help_cmd help_cmds[];
extern const int help_n_cmds;
extern const help_flag help_backend_flags[];
extern const help_flag help_probe_flags[];
extern const help_flag help_readonly_flag[];

/* Environment variables and files, for the manual page. */
typedef struct help_item {
    const char *name, *text;
} help_item;
extern const help_item help_environment[];
extern const help_item help_files[];

/* The entry of a command ("" the dashboard); NULL if there is none. */
const help_cmd *help_find(const char *name);
/* `migtop NAME --help`: synopsis, about, flags, exit codes, examples. */
void help_print(FILE *out, const char *name);
/* `migtop --help`: the dashboard's synopsis and flags, then every command. */
void help_print_overview(FILE *out);

#endif
