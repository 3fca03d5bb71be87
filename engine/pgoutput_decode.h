/* pgoutput decoded: the logical replication messages a walsender sends
 * inside XLogData ('w') once START_REPLICATION ... (proto_version 'N',
 * publication_names '...') runs. Protocol 1's messages, and from protocol
 * 2 on (PostgreSQL 14) the streamed in-progress transactions: Stream
 * Start/Stop around chunks of a transaction whose data messages carry
 * its xid, then Stream Commit or Stream Abort. Pure parsing, no I/O,
 * so it is unit-tested on crafted bytes. Relations are cached by OID and
 * replaced every time a Relation message arrives (the walsender sends one
 * before the first change of a table in a session and after every change
 * of its structure); each replacement bumps the entry's version so the
 * applier drops statements prepared for the old shape. */
#ifndef MIGTOP_ENGINE_PGOUTPUT_DECODE_H
#define MIGTOP_ENGINE_PGOUTPUT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Microseconds since 2000-01-01 (PostgreSQL's epoch) to Unix microseconds. */
#define PGO_EPOCH_OFFSET_US 946684800000000LL

typedef struct pgo_column {
    char *name;
    uint32_t type_oid;
    int32_t typmod;
    bool key; /* part of the replica identity */
} pgo_column;

typedef struct pgo_relation {
    uint32_t relid;
    char *nspname, *relname;
    char replident; /* 'd' default, 'n' nothing, 'f' full, 'i' index */
    int ncols;
    pgo_column *cols;
    unsigned version; /* bumped on every Relation message for this relid */
} pgo_relation;

/* One tuple: per column 'n' null, 'u' unchanged TOAST (value not sent),
 * 't' text. Values point into the message buffer (not NUL-terminated in
 * the wire data, so they are copied into vals with a NUL). */
typedef struct pgo_tuple {
    int ncols;
    char *kinds;  /* ncols */
    char **vals;  /* ncols; NULL unless kind 't' */
    int *lens;
} pgo_tuple;

typedef enum pgo_kind {
    PGO_BEGIN, PGO_COMMIT, PGO_ORIGIN, PGO_RELATION, PGO_TYPE,
    PGO_INSERT, PGO_UPDATE, PGO_DELETE, PGO_TRUNCATE, PGO_MESSAGE,
    PGO_STREAM_START, PGO_STREAM_STOP, PGO_STREAM_COMMIT, PGO_STREAM_ABORT
} pgo_kind;

typedef struct pgo_msg {
    pgo_kind kind;
    /* Begin: final_lsn (the commit record), commit_ts, xid.
     * Commit: commit_lsn, end_lsn (where the next transaction may start:
     * what the origin records), commit_ts. */
    uint64_t final_lsn, commit_lsn, end_lsn;
    int64_t commit_ts; /* Unix microseconds */
    uint32_t xid;
    /* Streams: a data message inside one (xid is its transaction's);
     * Stream Start's first segment; Stream Abort's subtransaction (== xid
     * when the whole transaction aborted) and, protocol 4, its LSN. */
    bool streamed, first_segment;
    uint32_t sub_xid;
    uint64_t abort_lsn;
    const pgo_relation *rel; /* Relation, Insert, Update, Delete */
    char old_kind;           /* Update/Delete: 'K' key, 'O' full old row, 0 none */
    pgo_tuple old_tup, new_tup;
    /* Truncate */
    int n_relids;
    uint32_t *relids;
    bool cascade, restart_identity;
    const char *origin_name;
} pgo_msg;

typedef struct pgo_decoder {
    pgo_relation *rels;
    size_t n_rels, cap_rels;
    pgo_msg msg;       /* the last decoded message; its memory is reused */
    char *scratch;     /* copies of the last message's values */
    size_t scratch_cap;
    uint32_t *relid_buf;
    size_t relid_cap;
    int tup_cap[2];
    bool in_stream;    /* between Stream Start and Stream Stop */
} pgo_decoder;

void pgo_init(pgo_decoder *d);
void pgo_free(pgo_decoder *d);
/* Forgets every relation (a new stream resends them). */
void pgo_reset(pgo_decoder *d);
/* Decodes one pgoutput message. Returns false with err on malformed or
 * unknown input, or a change for a relation never described. */
bool pgo_decode(pgo_decoder *d, const char *buf, size_t len, char *err, size_t errlen);
/* A data message of a streamed transaction read back later (cdc_spool.h):
 * decoded as inside its stream (with its xid). */
bool pgo_decode_streamed(pgo_decoder *d, const char *buf, size_t len, char *err, size_t errlen);
const pgo_relation *pgo_relation_get(const pgo_decoder *d, uint32_t relid);

#endif
