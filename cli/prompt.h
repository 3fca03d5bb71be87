/* Asking the person at the terminal: a password on /dev/tty with the echo
 * off, so it never reaches the screen, the shell history or ps; or a
 * confirmation. */
#ifndef MIGTOP_CLI_PROMPT_H
#define MIGTOP_CLI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

/* False when there is no terminal to ask (a script) or nothing was typed. */
bool cli_read_password(const char *prompt, char *buf, size_t n);
/* A line typed at the terminal, shown as it is typed (a confirmation). */
bool cli_prompt_line(const char *prompt, char *buf, size_t n);

#endif
