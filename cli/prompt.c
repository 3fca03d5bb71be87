#include "cli/prompt.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* One line from /dev/tty, the echo off (echo false) or on. */
static bool read_tty(const char *prompt, char *buf, size_t n, bool echo)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0)
        return false;
    struct termios old, quiet;
    bool have_termios = !echo && tcgetattr(fd, &old) == 0;
    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* nothing to do: the read below still works */
    }
    size_t len = 0;
    char ch;
    while (len + 1 < n && read(fd, &ch, 1) == 1 && ch != '\n' && ch != '\r')
        buf[len++] = ch;
    buf[len] = '\0';
    if (have_termios) {
        tcsetattr(fd, TCSAFLUSH, &old);
        if (write(fd, "\n", 1) < 0) {
            /* the newline the echo did not print */
        }
    }
    close(fd);
    return len > 0;
}

bool cli_read_password(const char *prompt, char *buf, size_t n)
{
    return read_tty(prompt, buf, n, false);
}

bool cli_prompt_line(const char *prompt, char *buf, size_t n)
{
    return read_tty(prompt, buf, n, true);
}
