/* The source side of CDC: a replication connection (replication=database)
 * streaming the task's slot with pgoutput, and the standby status updates
 * that tell the walsender what the sink has made durable. */
#ifndef MIGTOP_ENGINE_CDC_STREAM_H
#define MIGTOP_ENGINE_CDC_STREAM_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cdc_stream {
    PGconn *c;
    char *buf;          /* the last message (PQgetCopyData's), freed on the next read */
    uint64_t wal_end;   /* the server's WAL end, from the last XLogData or keepalive */
    int64_t server_time_us; /* its send time (Unix microseconds) */
    int proto;          /* the pgoutput protocol version in use */
} cdc_stream;

typedef enum cdc_event {
    CDC_EV_NONE,      /* nothing within the timeout */
    CDC_EV_DATA,      /* a pgoutput message: *data, *len, *lsn (its WAL start) */
    CDC_EV_KEEPALIVE, /* *lsn = the server's position; *reply = it asks for an answer */
    CDC_EV_ERROR,     /* err says why (connection lost, stream ended) */
} cdc_event;

/* The pgoutput protocol a server of that version speaks at most: 14 has
 * 2 (streaming), 15 has 3 (two-phase), 16 and later 4 (parallel streaming). */
int cdc_stream_proto(int server_version);
/* Starts streaming: SET of the output formats, then START_REPLICATION SLOT
 * slot LOGICAL start (proto_version N, publication_names 'pub', and
 * streaming 'on' from protocol 2). Takes over c (closed by
 * cdc_stream_close even on failure). */
bool cdc_stream_start(cdc_stream *s, PGconn *c, const char *slot, const char *pub,
                      uint64_t start, char *err, size_t errlen);
/* Waits up to timeout_ms for the next message; returns CDC_EV_NONE at once
 * when wake_fd (-1: none) becomes readable (the sink's results). */
cdc_event cdc_stream_next(cdc_stream *s, int timeout_ms, int wake_fd, const char **data,
                          size_t *len, uint64_t *lsn, bool *reply, char *err, size_t errlen);
/* Standby status update: received up to write, durable on the sink up to
 * flush (the slot may release WAL before it). */
bool cdc_stream_feedback(cdc_stream *s, uint64_t write, uint64_t flush, bool reply, char *err,
                         size_t errlen);
void cdc_stream_close(cdc_stream *s);

#endif
