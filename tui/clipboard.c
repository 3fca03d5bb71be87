#include "tui/clipboard.h"

#include <stdio.h>
#include <string.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool clipboard_osc52(const char *text, char *out, size_t n)
{
    size_t len = strlen(text), need = 7 + (len + 2) / 3 * 4 + 2;
    if (need > n)
        return false;
    size_t o = (size_t)snprintf(out, n, "\033]52;c;");
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < len ? p[i + 2] : 0);
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = i + 1 < len ? B64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? B64[v & 63] : '=';
    }
    out[o++] = '\a';
    out[o] = '\0';
    return true;
}

bool clipboard_copy(const char *text)
{
    char esc[8192];
    if (!clipboard_osc52(text, esc, sizeof esc))
        return false;
    fputs(esc, stdout);
    return fflush(stdout) == 0;
}
