/* What the kbcli-compatible commands (cli/<name>.c) share: taking flags
 * the way cobra/kubectl accept them, the common backend flags, and errors
 * as one line on stderr with an exit code (0 ok, 1 failed, 2 bad usage). */
#ifndef MIGTOP_CLI_ARGS_H
#define MIGTOP_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "backends/backend_select.h"
#include "model/flags.h"

#define CLI_MAX_POS 8

/* -o/--output: table (default), wide, json, yaml or name (kubectl's
 * resource/name, one a line). */
typedef enum cli_output { OUT_TABLE, OUT_WIDE, OUT_JSON, OUT_YAML, OUT_NAME, OUT_JSONPATH } cli_output;
bool cli_parse_output(const char *v, cli_output *out);

typedef struct cli {
    const char *cmd;         /* "list", for the messages */
    backend_args bargs;
    const char *pos[CLI_MAX_POS];
    int n_pos;
    bool readonly;           /* --readonly: commands that write refuse */
    bool show_secrets;       /* list/templates --show-secrets: passwords printed */
    bool no_headers;         /* list/templates --no-headers: rows only */
    const char *jsonpath;    /* -o jsonpath=TEMPLATE: the template */
    const char *selector;    /* list -l/--selector: kubectl's label selector (model/selector.h) */
    bool show_labels;        /* list --show-labels: a LABELS column */
    mt_backend *b;           /* after cli_open */
    const char *ns;          /* after cli_open: NULL = all namespaces */
} cli;

/* The parsing loop's common part: takes a common backend flag, --readonly,
 * or a positional argument at argv[*i]. Returns 1 taken, 0 not one of them
 * (an option of the command's own, or unknown), -1 error (printed). */
int cli_common(cli *c, int argc, char **argv, int *i);

/* One step of a command's parsing loop, at argv[*i]. */
typedef enum cli_step {
    CLI_TAKEN, /* a common flag or a positional argument: *i advanced */
    CLI_OWN,   /* an option the command itself must take (or reject) */
    CLI_HELP,  /* -h/--help: the command's help printed (cli/help.h), exit 0 */
    CLI_ERR    /* bad usage, printed: exit 2 */
} cli_step;
cli_step cli_next(cli *c, int argc, char **argv, int *i);

/* The whole parse of list and templates: the common flags, NAME and
 * -o/--output. Returns -1 after --help, 0 to go on, else the exit code. */
int cli_parse_listing(cli *c, int argc, char **argv, cli_output *out);

/* Opens the backend (error printed on failure). */
bool cli_open(cli *c);
/* kubectl's "No resources found" on stderr, saying where migtop looked (and
 * why not Kubernetes, when it chose the local backend by itself). */
void cli_say_none(const cli *c);
void cli_close(cli *c);

/* "migtop CMD: message" on one line (newlines folded); returns 1. */
int cli_fail(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for bad usage; returns 2. */
int cli_usage(const cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For an option argv[i] no one took. */
int cli_unknown(const cli *c, const char *arg);


/* The age column: "45s", "3d4h" ("<unknown>" without a time, as kubectl). */
const char *cli_age(mt_time created, mt_time now, char *buf, size_t n);

/* A number of seconds from "30", "30s", "5m", "2h", "1h30m" (kubectl's
 * --since); false if malformed. */
bool cli_parse_duration(const char *s, long *seconds);

#endif
