/* Formatting and parsing of the values every pane and backend shows:
 * times, ages, durations, LSNs and byte counts. Pure functions. */
#ifndef MIGTOP_FMT_H
#define MIGTOP_FMT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A time of 0 means "not set" throughout the model (kbcli prints ""). */
typedef int64_t mt_time;

/* RFC 3339 as Kubernetes writes it ("2026-10-01T12:00:00Z", with optional
 * fraction and +hh:mm offset). Returns false on anything else. */
bool fmt_parse_rfc3339(const char *s, mt_time *out);
/* t as RFC 3339 in UTC, "2026-12-01T14:27:57Z" (n >= 21). */
void fmt_rfc3339(mt_time t, char *b, size_t n);

/* A timestamp found in a CDC metric or log line: RFC 3339, or
 * "YYYY-MM-DD HH:MM:SS[.frac][zone]". Without a zone the time is taken to be
 * in zone_offset_s seconds east of UTC (the pod's local zone). *had_zone
 * says whether the text carried its own zone. */
bool fmt_parse_timestamp(const char *s, long zone_offset_s, mt_time *out,
                         bool *had_zone);
/* The same in milliseconds since the epoch, keeping the fraction. */
bool fmt_parse_timestamp_ms(const char *s, long zone_offset_s, int64_t *out_ms,
                            bool *had_zone);

/* Parse "UTC", "UTC+8", "+08:00", "-0530" into seconds east of UTC. */
bool fmt_parse_zone(const char *s, long *offset_s);

/* kbcli's describe layout "Jan 02,2006 15:04:05 UTC+0000" (in UTC, so the
 * output does not depend on the machine's zone); "" for 0. */
void fmt_kbcli_time(mt_time t, char *buf, size_t n);

/* "2026-10-01 12:00:00" in UTC; "" for 0. Compact, for narrow panes. */
void fmt_short_time(mt_time t, char *buf, size_t n);

/* kubectl's age style: "45s", "12m", "5h3m", "3d4h", "2y". */
void fmt_age(int64_t seconds, char *buf, size_t n);
/* A precise duration: "1m05s", "2h00m", "3d04h", "0.4s" for <1s with ms. */
void fmt_duration_ms(int64_t ms, char *buf, size_t n);

/* PostgreSQL LSNs "16/B374D848". */
bool fmt_parse_lsn(const char *s, uint64_t *out);
void fmt_lsn(uint64_t lsn, char *buf, size_t n);
/* True when the whole string has the LSN form (X/X, hex). */
bool fmt_is_lsn(const char *s);
/* True when the whole string parses as a timestamp (see above). */
bool fmt_is_timestamp(const char *s);

/* Binary units: "0 B", "512 B", "1.5 KiB", "20.0 MiB", "3.2 GiB". */
void fmt_bytes(uint64_t bytes, char *buf, size_t n);

/* Appends to buf (capacity cap) at *off, advancing *off by what was
 * written; text past the end is cut and *off stops at cap - 1. */
void fmt_append(char *buf, size_t cap, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Wall clock in milliseconds since the epoch, and monotonic milli- and
 * microseconds. */
int64_t fmt_now_ms(void);
int64_t fmt_mono_ms(void);
int64_t fmt_mono_us(void);
/* Sleeps ms milliseconds (a signal cuts it short). */
void fmt_sleep_ms(int ms);
/* Sleeps up to ms in steps of 100 ms while *quit stays false: false when
 * it became true (the sleeper's thread or process is told to stop). */
bool fmt_nap(int ms, const atomic_bool *quit);

#endif
