#include "engine/cdc_stream.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "engine/pg.h"
#include "engine/pgoutput_decode.h"

static uint64_t be64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u[i];
    return v;
}

static void put64(char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (char)(v & 0xff);
        v >>= 8;
    }
}

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int cdc_stream_proto(int server_version)
{
    if (server_version >= 160000)
        return 4;
    if (server_version >= 150000)
        return 3;
    return server_version >= 140000 ? 2 : 1;
}

bool cdc_stream_start(cdc_stream *s, PGconn *c, const char *slot, const char *pub,
                      uint64_t start, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    char e2[700];
    /* pgoutput writes values with the walsender's output settings: the
     * same fixed ones as the sink session, so rows compare as text. */
    if (!pg_exec(c,
                 "SET DateStyle = ISO; SET TimeZone = 'UTC'; SET IntervalStyle = postgres;"
                 " SET extra_float_digits = 3; SET bytea_output = hex",
                 e2, sizeof e2)) {
        snprintf(err, errlen, "cannot set up the replication session: %s", e2);
        return false;
    }
    /* The newest protocol the server speaks; from 2 on, a transaction
     * bigger than logical_decoding_work_mem is streamed while it runs
     * instead of being spilled whole on the source first. */
    s->proto = cdc_stream_proto(PQserverVersion(c));
    char sql[1024];
    snprintf(sql, sizeof sql,
             "START_REPLICATION SLOT \"%s\" LOGICAL %X/%X (proto_version '%d',"
             " publication_names '\"%s\"'%s)",
             slot, (unsigned)(start >> 32), (unsigned)start, s->proto, pub,
             s->proto >= 2 ? ", streaming 'on'" : "");
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_BOTH) {
        pg_error(c, r, e2, sizeof e2);
        snprintf(err, errlen, "cannot start streaming slot %s: %s", slot, e2);
        PQclear(r);
        return false;
    }
    PQclear(r);
    return true;
}

void cdc_stream_close(cdc_stream *s)
{
    if (s->buf)
        PQfreemem(s->buf);
    s->buf = NULL;
    if (s->c)
        PQfinish(s->c);
    s->c = NULL;
}

static cdc_event lost(cdc_stream *s, char *err, size_t errlen)
{
    char e2[600];
    PGresult *r = PQgetResult(s->c);
    pg_error(s->c, r, e2, sizeof e2);
    PQclear(r);
    snprintf(err, errlen, "replication stream ended: %s", e2[0] ? e2 : "connection closed");
    return CDC_EV_ERROR;
}

cdc_event cdc_stream_next(cdc_stream *s, int timeout_ms, int wake_fd, const char **data,
                          size_t *len, uint64_t *lsn, bool *reply, char *err, size_t errlen)
{
    if (s->buf) {
        PQfreemem(s->buf);
        s->buf = NULL;
    }
    for (int waited = 0;; waited = 1) {
        int n = PQgetCopyData(s->c, &s->buf, 1);
        if (n == -1 || n == -2)
            return lost(s, err, errlen);
        if (n > 0) {
            const char *b = s->buf;
            if (b[0] == 'w' && n >= 25) {
                *lsn = be64(b + 1);
                s->wal_end = be64(b + 9);
                s->server_time_us = (int64_t)be64(b + 17) + PGO_EPOCH_OFFSET_US;
                *data = b + 25;
                *len = (size_t)n - 25;
                return CDC_EV_DATA;
            }
            if (b[0] == 'k' && n >= 18) {
                s->wal_end = be64(b + 1);
                s->server_time_us = (int64_t)be64(b + 9) + PGO_EPOCH_OFFSET_US;
                *lsn = s->wal_end;
                *reply = b[17] != 0;
                return CDC_EV_KEEPALIVE;
            }
            snprintf(err, errlen, "unexpected replication message 0x%02x (%d bytes)",
                     (unsigned char)b[0], n);
            return CDC_EV_ERROR;
        }
        if (waited)
            return CDC_EV_NONE;
        struct pollfd p[2] = {{.fd = PQsocket(s->c), .events = POLLIN},
                              {.fd = wake_fd, .events = POLLIN}};
        int pr = poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms);
        if (pr < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll on the replication connection: %s", strerror(errno));
            return CDC_EV_ERROR;
        }
        if (pr > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !PQconsumeInput(s->c))
            return lost(s, err, errlen);
        if (pr <= 0 || !(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            return CDC_EV_NONE;
    }
}

bool cdc_stream_feedback(cdc_stream *s, uint64_t write, uint64_t flush, bool reply, char *err,
                         size_t errlen)
{
    char m[34];
    m[0] = 'r';
    put64(m + 1, write);
    put64(m + 9, flush);
    put64(m + 17, flush);
    put64(m + 25, (uint64_t)(now_us() - PGO_EPOCH_OFFSET_US));
    m[33] = reply ? 1 : 0;
    if (PQputCopyData(s->c, m, sizeof m) <= 0 || PQflush(s->c) < 0) {
        char e2[600];
        pg_error(s->c, NULL, e2, sizeof e2);
        snprintf(err, errlen, "cannot send the standby status: %s", e2);
        return false;
    }
    return true;
}
