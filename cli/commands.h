/* Subcommand table; see commands.def. */
#ifndef MIGTOP_COMMANDS_H
#define MIGTOP_COMMANDS_H

#define MIGTOP_CMD(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef MIGTOP_CMD

typedef struct migtop_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} migtop_command;

extern const migtop_command migtop_commands[];
extern const int migtop_n_commands;

#endif
