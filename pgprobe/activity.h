/* Source write activity, for the cutover: is the business still writing?
 *
 * One query per reading. The write signal is the source's transaction-ID
 * horizon (txid_snapshot_xmax of the current snapshot): it moves only when
 * a transaction that wrote something ends, whoever it was, with no
 * statistics delay. Sessions holding a transaction ID right now (a write
 * in progress) are listed by role and application, and stay listed for
 * PGP_WRITER_MEMORY_S after their last write (with when). pg_stat_database's
 * xact_commit gives commits per second over the last few seconds (read-only transactions included;
 * PostgreSQL flushes those counters up to ~10 s late), and
 * pg_current_wal_lsn the WAL bytes per second.
 *
 * The migration's own sessions are left out of the session list: this
 * connection, the walsender holding the slot (exclude_pid) and every
 * application_name starting with one of exclude_apps. Commits per second
 * leave out this connection's own transactions (own_xacts_per_reading);
 * PostgreSQL does not count commits per session, so other migration
 * sessions' commits cannot be taken out (they are read-only anyway).
 *
 * "No writes for N s": no transaction ID consumed and no session holding
 * one since N seconds (no_writes_s); with lower_bound when that is as far
 * back as this probe has watched. Note that ANALYZE (autovacuum too) takes
 * a transaction ID and so counts as a write: the reading errs on the side
 * of "still writing", never the other way.
 *
 *   pgp_activity_probe a;
 *   pgp_activity_probe_init(&a);
 *   a.exclude_apps = (const char *[]){"migtop", "my-task"}; a.n_exclude_apps = 2;
 *   every second: pgp_activity_read(&a, conn, &reading, &err);
 */
#ifndef MIGTOP_PGPROBE_ACTIVITY_H
#define MIGTOP_PGPROBE_ACTIVITY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pgprobe/conn.h"

#define PGP_MAX_WRITERS 16

typedef struct pgp_writer_group {
    char role[64], application[64];
    int sessions;        /* holding a transaction ID now, or the most seen recently */
    double oldest_xact_s; /* age of the oldest of their transactions */
    double seen_ago_s;   /* 0: writing now; else when last seen writing */
} pgp_writer_group;

/* Writers are remembered this long after their last write: a session
 * that writes in short transactions is between two of them at most
 * readings, and the operator must still be told who it is. */
#define PGP_WRITER_MEMORY_S 15.0

typedef struct pgp_activity_reading {
    double t;             /* server clock */
    uint64_t wal_lsn, xid_horizon;
    int64_t xact_commit;  /* pg_stat_database, this database */
    bool rates_known;     /* false on the first reading */
    double commits_per_s, wal_bytes_per_s, write_xacts_per_s;
    int writing_sessions; /* not ours, holding a transaction ID */
    int excluded_sessions; /* the migration's own, holding one */
    pgp_writer_group writers[PGP_MAX_WRITERS];
    size_t n_writers;     /* groups by role and application */
    /* Sessions active in the last 2 s without a write in progress now:
     * who may have written, when the writes are too short to be seen in
     * progress (an application committing small transactions). */
    pgp_writer_group active[PGP_MAX_WRITERS];
    size_t n_active;
    bool writing;         /* a write since the previous reading, or one in progress */
    double no_writes_s;   /* 0 while writing */
    bool no_writes_lower_bound;
} pgp_activity_reading;

typedef struct pgp_activity_probe {
    const char *const *exclude_apps;
    size_t n_exclude_apps;
    int exclude_pid;           /* the walsender holding the slot, 0 if none */
    int own_xacts_per_reading; /* transactions this connection runs per reading (default 1) */
    /* state */
    bool have_prev;
    double prev_t, first_t, last_write_t;
    uint64_t prev_wal, prev_xid;
    int64_t prev_commit;
    int64_t own_pending; /* our transactions not yet seen in the counter */
    bool ever_wrote;
    /* commits per second over a few seconds: backends flush their
     * counters at most once a second, so one interval alone jitters */
    double win_t[8];
    int64_t win_commits[8]; /* cumulative commits less ours */
    size_t win_n, win_next;
    int64_t others_commits;
    pgp_writer_group recent[PGP_MAX_WRITERS]; /* seen_ago_s holds the last-seen time */
    size_t n_recent;
} pgp_activity_probe;

void pgp_activity_probe_init(pgp_activity_probe *a);
bool pgp_activity_read(pgp_activity_probe *a, PGconn *c, pgp_activity_reading *out,
                       pgp_error *err);

/* The reading's half of pgp_live_read (pgprobe/live.h): its SQL, its
 * parameters (the apps; free()), and the parsing of a result into a
 * reading (which also updates the probe). */
const char *pgp_activity_sql(void);
char *pgp_activity_params(const pgp_activity_probe *a, char pid[16]);
void pgp_activity_apply(pgp_activity_probe *a, const PGresult *r, pgp_activity_reading *out);

#endif
