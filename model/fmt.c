#include "model/fmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's algorithm): timegm() is not in C11 or POSIX. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* Parses the zone at *p: Z, +hh:mm, +hhmm, +hh, " UTC", " UTC+8".
 * Returns false when there is text that is not a zone. Sets *had. */
static bool parse_zone_at(const char *p, long *off, bool *had)
{
    while (*p == ' ')
        p++;
    if (!*p) {
        *had = false;
        return true;
    }
    *had = true;
    return fmt_parse_zone(p, off);
}

bool fmt_parse_zone(const char *s, long *offset_s)
{
    const char *p = s;
    if (*p == 'Z' && !p[1]) {
        *offset_s = 0;
        return true;
    }
    if (!strncmp(p, "UTC", 3) || !strncmp(p, "GMT", 3)) {
        p += 3;
        if (!*p) {
            *offset_s = 0;
            return true;
        }
    }
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p == '-' ? -1 : 1;
    p++;
    int hh = 0, mm = 0;
    size_t nd = strspn(p, "0123456789");
    if (nd == 1 || nd == 2) {
        hh = atoi(p);
        p += nd;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &mm))
                return false;
        }
    } else if (nd == 4) {
        if (!digits(&p, 2, &hh) || !digits(&p, 2, &mm))
            return false;
    } else {
        return false;
    }
    if (*p || hh > 14 || mm > 59)
        return false;
    *offset_s = sign * (hh * 3600L + mm * 60L);
    return true;
}

bool fmt_parse_timestamp(const char *s, long zone_offset_s, mt_time *out,
                         bool *had_zone)
{
    int64_t ms;
    if (!fmt_parse_timestamp_ms(s, zone_offset_s, &ms, had_zone))
        return false;
    *out = (mt_time)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    return true;
}

bool fmt_parse_timestamp_ms(const char *s, long zone_offset_s, int64_t *out_ms,
                            bool *had_zone)
{
    if (!s)
        return false;
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
        *p++ != '-' || !digits(&p, 2, &d))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) ||
        *p++ != ':' || !digits(&p, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    int frac_ms = 0;
    if (*p == '.' || *p == ',') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        for (int scale = 100; isdigit((unsigned char)*p); p++, scale /= 10)
            frac_ms += (*p - '0') * scale; /* digits past the third add 0 */
    }
    long off = zone_offset_s;
    bool had = false;
    if (!parse_zone_at(p, &off, &had))
        return false;
    if (!had)
        off = zone_offset_s;
    if (had_zone)
        *had_zone = had;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out_ms = (days * 86400 + h * 3600 + mi * 60 + se - off) * 1000 + frac_ms;
    return true;
}

void fmt_rfc3339(mt_time t, char *b, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(b, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool fmt_parse_rfc3339(const char *s, mt_time *out)
{
    bool had = false;
    if (!s || strlen(s) < 20 || (s[10] != 'T' && s[10] != 't'))
        return false;
    if (!fmt_parse_timestamp(s, 0, out, &had))
        return false;
    return had;
}

bool fmt_is_timestamp(const char *s)
{
    mt_time t;
    return fmt_parse_timestamp(s, 0, &t, NULL);
}

void fmt_kbcli_time(mt_time t, char *buf, size_t n)
{
    if (t == 0) {
        if (n)
            buf[0] = '\0';
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(buf, n, "%s %02d,%04d %02d:%02d:%02d UTC+0000", mon[tm.tm_mon],
             tm.tm_mday, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void fmt_short_time(mt_time t, char *buf, size_t n)
{
    if (t == 0) {
        if (n)
            buf[0] = '\0';
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

void fmt_age(int64_t s, char *buf, size_t n)
{
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, n, "%" PRId64 "s", s);
    else if (s < 600)
        snprintf(buf, n, "%" PRId64 "m%" PRId64 "s", s / 60, s % 60);
    else if (s < 3 * 3600)
        snprintf(buf, n, "%" PRId64 "m", s / 60);
    else if (s < 8 * 3600)
        snprintf(buf, n, "%" PRId64 "h%" PRId64 "m", s / 3600, (s % 3600) / 60);
    else if (s < 48 * 3600)
        snprintf(buf, n, "%" PRId64 "h", s / 3600);
    else if (s < 8 * 86400)
        snprintf(buf, n, "%" PRId64 "d%" PRId64 "h", s / 86400, (s % 86400) / 3600);
    else if (s < 2 * 365 * 86400LL)
        snprintf(buf, n, "%" PRId64 "d", s / 86400);
    else
        snprintf(buf, n, "%" PRId64 "y", s / (int64_t)(365 * 86400));
}

void fmt_duration_ms(int64_t ms, char *buf, size_t n)
{
    const char *sign = ms < 0 ? "-" : "";
    if (ms < 0)
        ms = -ms;
    int64_t s = ms / 1000;
    if (s < 10)
        snprintf(buf, n, "%s%" PRId64 ".%" PRId64 "s", sign, s, (ms % 1000) / 100);
    else if (s < 60)
        snprintf(buf, n, "%s%" PRId64 "s", sign, s);
    else if (s < 3600)
        snprintf(buf, n, "%s%" PRId64 "m%02" PRId64 "s", sign, s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, n, "%s%" PRId64 "h%02" PRId64 "m", sign, s / 3600, (s % 3600) / 60);
    else
        snprintf(buf, n, "%s%" PRId64 "d%02" PRId64 "h", sign, s / 86400, (s % 86400) / 3600);
}

static bool parse_hex32(const char *s, size_t len, uint32_t *out)
{
    if (len == 0 || len > 8)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

bool fmt_parse_lsn(const char *s, uint64_t *out)
{
    if (!s)
        return false;
    const char *slash = strchr(s, '/');
    if (!slash)
        return false;
    uint32_t hi, lo;
    if (!parse_hex32(s, (size_t)(slash - s), &hi) ||
        !parse_hex32(slash + 1, strlen(slash + 1), &lo))
        return false;
    *out = (uint64_t)hi << 32 | lo;
    return true;
}

bool fmt_is_lsn(const char *s)
{
    uint64_t v;
    return fmt_parse_lsn(s, &v);
}

void fmt_lsn(uint64_t lsn, char *buf, size_t n)
{
    snprintf(buf, n, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xffffffffu));
}

void fmt_bytes(uint64_t b, char *buf, size_t n)
{
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    if (b < 1024) {
        snprintf(buf, n, "%" PRIu64 " B", b);
        return;
    }
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    snprintf(buf, n, "%.1f %s", v, unit[u]);
}

int64_t fmt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fmt_mono_ms(void) { return fmt_mono_us() / 1000; }

int64_t fmt_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void fmt_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

bool fmt_nap(int ms, const atomic_bool *quit)
{
    for (int slept = 0; slept < ms; slept += 100) {
        if (atomic_load(quit))
            return false;
        fmt_sleep_ms(ms - slept < 100 ? ms - slept : 100);
    }
    return !atomic_load(quit);
}

void fmt_append(char *buf, size_t cap, size_t *off, const char *fmt, ...)
{
    if (!cap || *off >= cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *off, cap - *off, fmt, ap);
    va_end(ap);
    if (n > 0)
        *off = *off + (size_t)n < cap - 1 ? *off + (size_t)n : cap - 1;
}
