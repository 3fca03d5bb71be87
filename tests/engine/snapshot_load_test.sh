#!/usr/bin/env bash
# init-data under a write load: pgbench (one client, so transactions commit
# in the order of the ledger's ids) moves money between accounts and writes
# each move to a ledger while the task copies, with pgbench_accounts big
# enough to be split across three workers. Then:
# - the sink holds exactly the first K ledger rows (no gap, nothing later),
# - every account's balance on the sink is the sum of its ledger rows on
#   the sink: all parts of all tables come from one snapshot;
# - the slot's consistent point agrees with the snapshot: the changes
#   waiting in the slot are exactly the ledger rows after K;
# - terminate drops the slot and the publication and removes the task.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

pgc_start src
pgc_start sink
port=$(pgc_port src)
# Scale 5: pgbench_accounts is about 64 MB, above the 48 MB split size.
pgbench -q -i -s 5 -I dtgp -h 127.0.0.1 -p "$port" -U postgres postgres >/dev/null 2>&1
pgc_psql src -d postgres -c "CREATE TABLE ledger (id bigserial PRIMARY KEY, aid int NOT NULL, delta int NOT NULL); ALTER TABLE pgbench_history REPLICA IDENTITY FULL; ANALYZE"
cat >"$work/move.sql" <<'SQL'
\set aid random(1, 500000)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
INSERT INTO ledger (aid, delta) VALUES (:aid, :delta);
END;
SQL
pgbench -n -c 1 -T 100 -f "$work/move.sql" -h 127.0.0.1 -p "$port" -U postgres postgres \
  >"$work/pgbench.log" 2>&1 &
ET_PIDS+=($!)
load_pid=$!
for _ in $(seq 50); do
  [ "$(pgc_psql src -d postgres -Atc 'SELECT count(*) FROM ledger')" -gt 200 ] && break
  sleep 0.1
done

"$tool" write "$state" load "$(et_endpoint src postgres x)" "$(et_endpoint sink postgres x)" \
  '"public"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
# In the foreground, stopping before CDC so the slot keeps every change.
"$bin" run load --state-dir "$state" --jobs 3 --until post-data --quiet
kill "$load_pid"
wait "$load_pid" 2>/dev/null || true
et_show load

grep -Eq 'pgbench_accounts part 2/[0-9]+' "$state/tasks/load/init-data.log" \
  || fail "pgbench_accounts was not split across workers"
k=$(pgc_psql sink -d postgres -Atc 'SELECT count(*) FROM ledger')
kmax=$(pgc_psql sink -d postgres -Atc 'SELECT coalesce(max(id), 0) FROM ledger')
total=$(pgc_psql src -d postgres -Atc 'SELECT max(id) FROM ledger')
echo "ledger: $k rows copied (max id $kmax), $total on the source at the end"
[ "$k" = "$kmax" ] || fail "the copied ledger has gaps: $k rows up to id $kmax"
[ "$k" -gt 200 ] && [ "$total" -gt "$k" ] || fail "the load did not run during the copy"

bad=$(pgc_psql sink -d postgres -Atc "
  SELECT count(*) FROM pgbench_accounts a
  LEFT JOIN (SELECT aid, sum(delta) AS s FROM ledger GROUP BY aid) l USING (aid)
  WHERE a.abalance <> coalesce(l.s, 0)")
[ "$bad" = 0 ] || fail "$bad accounts on the sink disagree with the copied ledger"
echo "balances agree with the ledger on the sink"

# The slot's pending changes: one ledger insert ('I' = 73) per later move.
# The test servers run with synchronous_commit off, and decoding reads
# only flushed WAL: flush it all first.
pgc_psql src -d postgres -Atc "SELECT pg_switch_wal()" >/dev/null
pending=$(pgc_psql src -d postgres -Atc "
  SELECT count(*) FROM pg_logical_slot_peek_binary_changes('load', NULL, NULL,
    'proto_version', '1', 'publication_names', 'load_publication_for_all_tables')
  WHERE get_byte(data, 0) = 73")
echo "slot: $pending inserts after the consistent point"
[ "$pending" = $((total - k)) ] || fail "slot has $pending inserts, expected $((total - k))"

"$tool" terminate "$state" load
for _ in $(seq 100); do [ -d "$state/tasks/load" ] || break; sleep 0.2; done
[ -d "$state/tasks/load" ] && fail "the task is still there after terminate"
et_no_slot src load
echo "PASS"
