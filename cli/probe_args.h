/* What the pgprobe commands (sequences, validate) share: the flags naming
 * the two servers and the migration objects, their parsing into
 * endpoints and objects, and errors with the fix for their kind. */
#ifndef MIGTOP_PROBE_ARGS_H
#define MIGTOP_PROBE_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "model/arena.h"
#include "model/task.h"
#include "pgprobe/conn.h"

typedef struct probe_args {
    const char *cmd;            /* "validate", for the messages */
    const char *source, *sink, *output;
    const char **objects;
    size_t n_objects;
    int timeout;                /* seconds, --timeout (default 10) */
    bool json;
    /* After probe_args_finish: */
    arena a;
    mt_objects objs;
    pgp_endpoint src, snk;
} probe_args;

void probe_args_init(probe_args *p, const char *cmd, int argc);

/* Takes one common flag at argv[*i] (advancing *i past it): 1 taken, 0 not
 * one of them, -1 bad usage (printed), -2 --help (usage printed). */
int probe_args_take(probe_args *p, int argc, char **argv, int *i);

/* A value of a command's own flag: "--flag V" or "--flag=V" (1 taken, 0
 * not this flag, -1 printed), and a whole number in lo..hi. */
int probe_args_value(probe_args *p, const char *flag, int argc, char **argv, int *i,
                     const char **out);
bool probe_args_number(const probe_args *p, const char *flag, const char *v, long long lo,
                       long long hi, long long *out);

/* Required flags present, objects and endpoints parsed: 0, else the
 * exit code 2 with the reason printed. */
int probe_args_finish(probe_args *p);

/* "migtop CMD: message" and the hint for its kind, on stderr. */
void probe_args_error(const probe_args *p, const pgp_error *err);

void probe_args_free(probe_args *p);

#endif
