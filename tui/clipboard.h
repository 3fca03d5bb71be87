/* Copying to the clipboard of the terminal the user sits at, through the
 * OSC 52 escape: it works over SSH and inside tmux (set-clipboard on),
 * with no X display on the bastion host. */
#ifndef MIGTOP_CLIPBOARD_H
#define MIGTOP_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>

/* The escape that puts text on the clipboard, into out (NUL-terminated);
 * false when it does not fit. */
bool clipboard_osc52(const char *text, char *out, size_t n);
/* Writes it to the terminal (stdout), flushed. */
bool clipboard_copy(const char *text);

#endif
