/* Live readings of a task's replication slot on the source: what the CRs'
 * CDC metrics (refreshed every 10 minutes) cannot say. One cheap query per
 * reading; the lag in seconds comes from a ring of (server time, WAL
 * position) samples: the slot's confirmed position was the source's
 * current position at some past moment, and now minus that moment is how
 * far behind the consumer is.
 *
 *   pgp_slot_probe p;
 *   pgp_slot_probe_init(&p, "my_task");       // slot name (mt_slot_name)
 *   every second: pgp_slot_read(&p, conn, &reading);
 *   pgp_slot_probe_free(&p);
 *   pgp_publication_read(conn, "my_task_publication_for_all_tables", &pub, &err);
 */
#ifndef MIGTOP_PGPROBE_SLOT_H
#define MIGTOP_PGPROBE_SLOT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/fmt.h"
#include "pgprobe/conn.h"


#define PGP_LSN_RING 600 /* ten minutes at one sample a second */

typedef struct pgp_lsn_sample {
    double t; /* server clock, Unix seconds */
    uint64_t lsn;
} pgp_lsn_sample;

typedef struct pgp_lsn_ring {
    pgp_lsn_sample v[PGP_LSN_RING];
    size_t next, n;
} pgp_lsn_ring;

void pgp_lsn_ring_add(pgp_lsn_ring *r, double t, uint64_t lsn);
/* Seconds between `now` and the moment the source's WAL passed `pos`
 * (interpolated between samples); 0 when pos is at or past the newest
 * sample. When pos is older than every sample the answer is a lower
 * bound and *lower_bound is set. Returns -1 with no samples. */
double pgp_lsn_ring_age(const pgp_lsn_ring *r, uint64_t pos, double now, bool *lower_bound);

typedef struct pgp_slot_reading {
    double t;             /* server clock at the reading */
    uint64_t current_lsn; /* pg_current_wal_lsn() */
    bool exists, active, logical;
    int active_pid;       /* 0 if none */
    char plugin[64], database[128], wal_status[16];
    uint64_t restart_lsn, confirmed_flush_lsn; /* 0 if NULL */
    bool has_safe_wal_size;
    int64_t safe_wal_size;   /* bytes left before the slot is lost (max_slot_wal_keep_size) */
    int64_t retained_bytes;  /* current - restart_lsn: WAL kept for the slot */
    int64_t lag_bytes;       /* current - confirmed_flush_lsn */
    double lag_s;            /* from the ring; -1 unknown */
    bool lag_s_lower_bound;  /* the slot is behind every sample: "at least" */
    /* pg_stat_replication for the walsender holding the slot, when active */
    bool has_stat;
    char application[64], client_addr[64], state[16];
    double write_lag_s, flush_lag_s, replay_lag_s; /* -1: NULL (caught up / idle) */
} pgp_slot_reading;

typedef struct pgp_slot_probe {
    char slot[128];
    pgp_lsn_ring ring;
    /* pgp_live_read gives up after this long (0: 5000 ms); the connection
     * is then unusable and must be closed and opened again */
    int timeout_ms;
    /* where pgp_live_read prepared its statements (connection, backend) */
    const void *prepared_conn;
    int prepared_pid;
} pgp_slot_probe;

void pgp_slot_probe_init(pgp_slot_probe *p, const char *slot_name);
void pgp_slot_probe_free(pgp_slot_probe *p);
/* One reading (one query). A missing slot is a reading with exists=false,
 * not an error; errors are query or connection failures. */
bool pgp_slot_read(pgp_slot_probe *p, PGconn *c, pgp_slot_reading *out, pgp_error *err);

typedef struct pgp_publication {
    bool exists, all_tables;
    char owner[64];
    bool pub_insert, pub_update, pub_delete, pub_truncate;
    char **tables; /* "schema.table" as published (pg_publication_tables) */
    size_t n_tables;
} pgp_publication;

bool pgp_publication_read(PGconn *c, const char *pubname, pgp_publication *out, pgp_error *err);
void pgp_publication_free(pgp_publication *p);

/* The reading's half of pgp_live_read (pgprobe/live.h): its SQL, and the
 * parsing of a result into a reading (which also updates the probe). */
const char *pgp_slot_sql(void);
void pgp_slot_apply(pgp_slot_probe *p, const PGresult *r, pgp_slot_reading *out);

#endif
