/* The commands' functions (cli/commands.def). */
#ifndef MIGTOP_CLI_COMMANDS_H
#define MIGTOP_CLI_COMMANDS_H

#define MIGTOP_CMD(name, fn) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef MIGTOP_CMD

#endif
