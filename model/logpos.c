#include "model/logpos.h"

#include <ctype.h>
#include <string.h>

bool mt_log_is_position(const char *line, size_t len)
{
    static const char key[] = "current_position";
    size_t k = sizeof key - 1;
    for (size_t i = 0; i + k <= len; i++)
        if (!memcmp(line + i, key, k))
            return true;
    return false;
}

static bool is_hex(int c) { return isxdigit((unsigned char)c) != 0; }

/* An LSN starting at line[i]: hex{1,8} '/' hex{1,8}, not inside a word. */
static size_t lsn_at(const char *line, size_t len, size_t i, uint64_t *out)
{
    if (i > 0 && (isalnum((unsigned char)line[i - 1]) || line[i - 1] == '/'))
        return 0;
    size_t a = i;
    while (a < len && is_hex(line[a]) && a - i < 9)
        a++;
    if (a == i || a - i > 8 || a >= len || line[a] != '/')
        return 0;
    size_t b = a + 1;
    while (b < len && is_hex(line[b]) && b - a - 1 < 9)
        b++;
    if (b == a + 1 || b - a - 1 > 8 || (b < len && (isalnum((unsigned char)line[b]) || line[b] == '/')))
        return 0;
    char buf[20];
    memcpy(buf, line + i, b - i);
    buf[b - i] = '\0';
    return fmt_parse_lsn(buf, out) ? b - i : 0;
}

/* A timestamp starting at line[i]: "YYYY-MM-DD[ T]HH:MM:SS[.frac][zone]".
 * The zone is taken when it follows directly (Z, +hh[:mm], " UTC"). */
static size_t ts_at(const char *line, size_t len, size_t i, long tz, mt_time *out, bool *had)
{
    if (i + 19 > len || (i > 0 && isdigit((unsigned char)line[i - 1])))
        return 0;
    char buf[48];
    size_t n = 19;
    memcpy(buf, line + i, n);
    /* fraction */
    size_t j = i + 19;
    if (j < len && (line[j] == '.' || line[j] == ',')) {
        size_t k = j + 1;
        while (k < len && isdigit((unsigned char)line[k]) && k - j < 10)
            k++;
        if (k > j + 1) {
            memcpy(buf + n, line + j, k - j);
            n += k - j;
            j = k;
        }
    }
    /* zone */
    size_t zl = 0;
    if (j < len && line[j] == 'Z')
        zl = 1;
    else if (j < len && (line[j] == '+' || line[j] == '-')) {
        size_t k = j + 1;
        while (k < len && (isdigit((unsigned char)line[k]) || line[k] == ':') && k - j < 7)
            k++;
        zl = k - j;
    } else if (j + 4 <= len && !memcmp(line + j, " UTC", 4)) {
        size_t k = j + 4;
        if (k < len && (line[k] == '+' || line[k] == '-')) {
            k++;
            while (k < len && (isdigit((unsigned char)line[k]) || line[k] == ':') && k - j < 11)
                k++;
        }
        zl = k - j;
    }
    if (zl && n + zl < sizeof buf) {
        memcpy(buf + n, line + j, zl);
        buf[n + zl] = '\0';
        if (fmt_parse_timestamp(buf, tz, out, had))
            return n + zl;
    }
    buf[n] = '\0';
    return fmt_parse_timestamp(buf, tz, out, had) ? n : 0;
}

bool mt_log_position(const char *line, size_t len, long tz, mt_logpos *out)
{
    memset(out, 0, sizeof *out);
    if (!mt_log_is_position(line, len))
        return false;
    bool ts_after_word = false;
    for (size_t i = 0; i < len; i++) {
        if (!out->has_lsn && is_hex(line[i])) {
            uint64_t v;
            size_t n = lsn_at(line, len, i, &v);
            if (n) {
                out->lsn = v;
                out->has_lsn = true;
                i += n - 1;
                continue;
            }
        }
        if (isdigit((unsigned char)line[i]) && !ts_after_word) {
            mt_time t;
            bool had = false;
            size_t n = ts_at(line, len, i, tz, &t, &had);
            if (n) {
                /* A timestamp right after "timestamp" (source_timestamp=,
                 * timestamp:) is the source's; otherwise keep the last one,
                 * since a line usually starts with its own log time. */
                size_t w = i;
                while (w > 0 && (line[w - 1] == '=' || line[w - 1] == ':' || line[w - 1] == ' ' ||
                                 line[w - 1] == '"'))
                    w--;
                ts_after_word = w >= 9 && !memcmp(line + w - 9, "timestamp", 9);
                out->ts = t;
                out->has_ts = true;
                out->ts_had_zone = had;
                i += n - 1;
            }
        }
    }
    return out->has_lsn || out->has_ts;
}
