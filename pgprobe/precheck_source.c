/* Source server settings the CDC needs (wal_level, free slots and WAL
 * senders, max_slot_wal_keep_size), and leftovers of an earlier task of
 * the same name (its slot and publication). */
#include <stdlib.h>
#include <string.h>

#include "pgprobe/orphans.h"
#include "pgprobe/precheck_internal.h"

static const char *SETTINGS_SQL =
    "SELECT current_setting('wal_level'),"
    "       current_setting('max_replication_slots')::int,"
    "       (SELECT count(*) FROM pg_replication_slots),"
    "       current_setting('max_wal_senders')::int,"
    "       (SELECT count(*) FROM pg_stat_replication),"
    "       current_setting('max_slot_wal_keep_size', true),"
    "       (SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size')";

static const char *RESTART = "   # postgresql.conf (or ALTER SYSTEM SET ...), then restart the server";

void pc_source_server(pgp_pc *pc)
{
    pgp_error err;
    PGresult *r = pgp_query(pc->src, SETTINGS_SQL, 0, NULL, &err);
    if (!r) {
        pc_query_failed(pc, "source.settings", &err);
        return;
    }
    const char *wal = PQgetvalue(r, 0, 0);
    int max_slots = atoi(PQgetvalue(r, 0, 1)), used_slots = atoi(PQgetvalue(r, 0, 2));
    int max_senders = atoi(PQgetvalue(r, 0, 3)), used_senders = atoi(PQgetvalue(r, 0, 4));
    bool has_keep = !PQgetisnull(r, 0, 5);
    const char *keep = PQgetvalue(r, 0, 5);
    long keep_mb = atol(PQgetvalue(r, 0, 6));
    pgp_status need = pc->in->cdc ? PGP_CHECK_FAIL : PGP_CHECK_WARN;
    arena *a = &pc->rep->a;

    bool logical = !strcmp(wal, "logical");
    pgp_report_add(pc->rep, "source.wal_level", "source wal_level is logical",
                   logical ? PGP_CHECK_OK : need,
                   arena_printf(a, "wal_level = logical%s", RESTART),
                   "wal_level = %s%s", wal,
                   logical ? "" : ": logical decoding (CDC) needs wal_level = logical");

    int free_slots = max_slots - used_slots;
    pgp_report_add(pc->rep, "source.replication_slots", "a free replication slot on the source",
                   free_slots >= 1 ? PGP_CHECK_OK : need,
                   arena_printf(a, "max_replication_slots = %d%s", used_slots + 4, RESTART),
                   "%d of max_replication_slots = %d in use, %d free", used_slots, max_slots,
                   free_slots);

    int free_senders = max_senders - used_senders;
    /* The precheck's own replication connection needs one too. */
    pgp_report_add(pc->rep, "source.wal_senders", "a free WAL sender on the source",
                   free_senders >= 1 ? PGP_CHECK_OK : need,
                   arena_printf(a, "max_wal_senders = %d%s", used_senders + 4, RESTART),
                   "%d of max_wal_senders = %d in use, %d free", used_senders, max_senders,
                   free_senders);

    if (!has_keep)
        pgp_report_add(pc->rep, "source.max_slot_wal_keep_size", "WAL kept for the slot is bounded",
                       PGP_CHECK_WARN,
                       "watch the slot's retained WAL (migtop shows it live), or upgrade to "
                       "PostgreSQL 13+ for max_slot_wal_keep_size",
                       "this server has no max_slot_wal_keep_size (PostgreSQL < 13): a stalled "
                       "slot keeps WAL until the disk is full");
    else if (keep_mb < 0)
        pgp_report_add(pc->rep, "source.max_slot_wal_keep_size", "WAL kept for the slot is bounded",
                       PGP_CHECK_WARN,
                       "ALTER SYSTEM SET max_slot_wal_keep_size = '50GB';  -- below the free "
                       "space of pg_wal's disk\nSELECT pg_reload_conf();",
                       "max_slot_wal_keep_size = -1 (unlimited): if the CDC stalls, the slot keeps "
                       "WAL until the source's disk is full");
    else if (keep_mb < 1024)
        pgp_report_add(pc->rep, "source.max_slot_wal_keep_size", "WAL kept for the slot is bounded",
                       PGP_CHECK_WARN,
                       "ALTER SYSTEM SET max_slot_wal_keep_size = '10GB';\nSELECT pg_reload_conf();",
                       "max_slot_wal_keep_size = %s: a CDC that falls that far behind (a long "
                       "data initialization, a busy hour) loses its slot and must start over",
                       keep);
    else
        pgp_report_add(pc->rep, "source.max_slot_wal_keep_size", "WAL kept for the slot is bounded",
                       PGP_CHECK_OK, NULL,
                       "max_slot_wal_keep_size = %s: beyond that the slot is invalidated and the "
                       "migration must start over",
                       keep);
    PQclear(r);
}

static void leftover_slot(pgp_pc *pc, const char *slot)
{
    const char *p[1] = {slot};
    pgp_error err;
    PGresult *r = pgp_query(pc->src,
                            "SELECT s.active, coalesce(s.active_pid::text, ''), s.plugin,"
                            "       s.database, coalesce(pg_size_pretty(pg_wal_lsn_diff("
                            "         pg_current_wal_lsn(), s.restart_lsn)), '?'),"
                            "       coalesce(a.application_name, ''),"
                            "       coalesce(host(a.client_addr), '')"
                            " FROM pg_replication_slots s"
                            " LEFT JOIN pg_stat_activity a ON a.pid = s.active_pid"
                            " WHERE s.slot_name = $1",
                            1, p, &err);
    if (!r) {
        pc_query_failed(pc, "leftover.slot", &err);
        return;
    }
    const char *title = arena_printf(&pc->rep->a, "no replication slot %s yet", slot);
    if (!PQntuples(r)) {
        pgp_report_add(pc->rep, "leftover.slot", title, PGP_CHECK_OK, NULL,
                       "no slot named %s", slot);
    } else {
        bool active = !strcmp(PQgetvalue(r, 0, 0), "t");
        const char *pid = PQgetvalue(r, 0, 1);
        pc_text fix = {0};
        if (active)
            pc_printf(&fix, "SELECT pg_terminate_backend(%s);  -- the session holding it\n", pid);
        pc_printf(&fix, "SELECT pg_drop_replication_slot(%s);", pc_literal(pc, pc->src, slot));
        pgp_report_add(pc->rep, "leftover.slot", title, PGP_CHECK_FAIL, pc_str(&fix),
                       "slot %s exists (plugin %s, database %s), %s%s%s%s%s%s, retaining %s of WAL",
                       slot, PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
                       active ? "active, held by pid " : "inactive", active ? pid : "",
                       *PQgetvalue(r, 0, 5) ? " application " : "", PQgetvalue(r, 0, 5),
                       *PQgetvalue(r, 0, 6) ? " from " : "", PQgetvalue(r, 0, 6),
                       PQgetvalue(r, 0, 4));
        pc_text_free(&fix);
    }
    PQclear(r);
}

static void leftover_publication(pgp_pc *pc, const char *pub)
{
    const char *p[1] = {pub};
    pgp_error err;
    PGresult *r = pgp_query(pc->src,
                            "SELECT p.puballtables, (SELECT count(*) FROM pg_publication_tables t"
                            "  WHERE t.pubname = p.pubname), pg_get_userbyid(p.pubowner)"
                            " FROM pg_publication p WHERE p.pubname = $1",
                            1, p, &err);
    if (!r) {
        pc_query_failed(pc, "leftover.publication", &err);
        return;
    }
    const char *title = arena_printf(&pc->rep->a, "no publication %s yet", pub);
    if (!PQntuples(r))
        pgp_report_add(pc->rep, "leftover.publication", title, PGP_CHECK_OK, NULL,
                       "no publication named %s", pub);
    else
        pgp_report_add(pc->rep, "leftover.publication", title, PGP_CHECK_FAIL,
                       arena_printf(&pc->rep->a, "DROP PUBLICATION %s;",
                                    pc_ident(pc, pc->src, pub)),
                       "publication %s exists (%s, owner %s), left by an earlier task of this "
                       "name",
                       pub,
                       !strcmp(PQgetvalue(r, 0, 0), "t")
                           ? "FOR ALL TABLES"
                           : arena_printf(&pc->rep->a, "%s table(s)", PQgetvalue(r, 0, 1)),
                       PQgetvalue(r, 0, 2));
    PQclear(r);
}

/* What migtop left on a server that no task owns: a warning (the slots
 * keep WAL), with the command that drops them. */
static void orphans_on(pgp_pc *pc, PGconn *c, pgp_side side)
{
    const char *id = side == PGP_SIDE_SOURCE ? "source.orphans" : "sink.orphans";
    pgp_orphans o;
    pgp_error err = {0};
    if (!pgp_orphans_find(c, side, pc->in->host, pc->in->known_slots, pc->in->n_known_slots,
                          &o, &err)) {
        pc_query_failed(pc, id, &err);
        return;
    }
    const char *title = "nothing of a task gone is left here";
    if (!o.n) {
        pgp_report_add(pc->rep, id, title, PGP_CHECK_OK, NULL, "no slot, publication or origin "
                       "of a task gone");
    } else {
        pc_text found = {0};
        for (size_t i = 0; i < o.n; i++) {
            char wal[32] = "";
            if (o.v[i].retained_bytes >= 0)
                fmt_bytes((uint64_t)o.v[i].retained_bytes, wal, sizeof wal);
            pc_item(&found, PC_LIST_MAX, "%s %s (task %s%s%s)", o.v[i].kind, o.v[i].name,
                    o.v[i].task, wal[0] ? ", retaining " : "", wal);
        }
        pc_item_close(&found, PC_LIST_MAX);
        pgp_report_add(pc->rep, id, title, PGP_CHECK_WARN,
                       "migtop orphans --drop  (lists them with their SQL, drops after a yes)",
                       "%zu object(s) migtop made for tasks that are gone:\n%s", o.n,
                       pc_str(&found));
        pc_text_free(&found);
    }
    pgp_orphans_free(&o);
}

void pc_leftovers(pgp_pc *pc)
{
    /* The source only: its slots keep WAL. An origin on the sink cannot
     * be told from another state directory's (`migtop orphans` lists them). */
    if (pc->in->host)
        orphans_on(pc, pc->src, PGP_SIDE_SOURCE);
    if (!pc->in->task_name || !*pc->in->task_name)
        return;
    arena *a = &pc->rep->a;
    leftover_slot(pc, mt_slot_name(a, pc->in->task_name));
    leftover_publication(pc, mt_publication_name(a, pc->in->task_name));
}
