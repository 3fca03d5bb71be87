/* Streamed transactions (pgoutput protocol 2 and later, PostgreSQL 14+):
 * a transaction bigger than the source's logical_decoding_work_mem comes
 * in chunks while it still runs, between Stream Start and Stream Stop,
 * interleaved with other transactions, and ends with a Stream Commit or a
 * Stream Abort (of the whole transaction, or of one subtransaction). Its
 * changes are kept here, in an unlinked file of the task's directory
 * (memory stays bounded however big it is), until its commit, when they
 * are applied in order as one source transaction; an aborted
 * subtransaction's changes are left out, an aborted transaction is
 * forgotten. */
#ifndef MIGTOP_ENGINE_CDC_SPOOL_H
#define MIGTOP_ENGINE_CDC_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CDC_SPOOL_MAX 64 /* streamed transactions open at once */

typedef struct cdc_spool {
    uint32_t xid;     /* the top-level transaction; 0: a free slot */
    FILE *f;
    int64_t changes, bytes;
    uint32_t *aborted; /* subtransactions rolled back */
    size_t n_aborted;
} cdc_spool;

typedef struct cdc_spools {
    char dir[4096];   /* where the files go (then unlinked at once) */
    cdc_spool s[CDC_SPOOL_MAX];
    int open;
} cdc_spools;

void cdc_spools_init(cdc_spools *ss, const char *dir);
void cdc_spools_free(cdc_spools *ss); /* forgets every open one */

/* A data message (its raw pgoutput bytes) of subtransaction subxid in
 * top-level transaction xid. */
bool cdc_spool_add(cdc_spools *ss, uint32_t xid, uint32_t subxid, const char *msg, size_t len,
                   char *err, size_t errlen);
/* Stream Abort: the whole transaction (subxid == xid) or one
 * subtransaction. */
void cdc_spool_abort(cdc_spools *ss, uint32_t xid, uint32_t subxid);
/* The open transaction xid (NULL: none spooled, e.g. nothing of it was
 * published). */
cdc_spool *cdc_spool_find(cdc_spools *ss, uint32_t xid);
/* Replay: from the first message on, each not rolled back in turn; false
 * at the end (or on a read error, err set). buf is reused across calls
 * (free it when done). */
bool cdc_spool_rewind(cdc_spool *sp, char *err, size_t errlen);
bool cdc_spool_next(cdc_spool *sp, char **buf, size_t *cap, size_t *len, char *err,
                    size_t errlen);
/* Forgets xid (after its commit was applied or it aborted). */
void cdc_spool_drop(cdc_spools *ss, cdc_spool *sp);

#endif
