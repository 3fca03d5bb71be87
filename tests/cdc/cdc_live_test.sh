#!/usr/bin/env bash
# A large transaction applied while it streams (engine/cdc_live.h), on
# real servers with logical_decoding_work_mem at its minimum (64kB):
#  A  a transaction still open on the source is already on the sink,
#     uncommitted, in a second sink session, while small transactions
#     committing meanwhile keep arriving; a savepoint rolled back inside
#     it leaves nothing, a released one stays; after the COMMIT the sink
#     equals the source and the log says it was applied as it streamed,
#     its row updates batched (the sink's log counts the statements);
#  B  one rolled back whole after streaming leaves nothing on the sink;
#  C  kill -9 of the runner while one is open on the sink: the sink's
#     open transaction dies with it, the new runner gets the transaction
#     streamed again, and after the COMMIT nothing is lost or applied
#     twice (a table without a key would show a replayed insert);
#  D  the main sink session blocked by someone else's lock on the sink
#     keeps the live session (its wait is not on it);
#  E  the main sink session blocked by the live session's locks (a
#     sink-only trigger) lets it go: the transaction is then applied from
#     its spool at its commit, and the sink still equals the source;
#  F  under a unique index besides the key, values moving from row to row
#     in one transaction arrive (such updates are not batched).
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"

et_pair "wal_sender_timeout = 10s" "logical_decoding_work_mem = 64kB"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA live;
CREATE TABLE live.big (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO live.big SELECT g, 0 FROM generate_series(1, 20000) g;
CREATE TABLE live.small (id int PRIMARY KEY, v int NOT NULL);
INSERT INTO live.small SELECT g, 0 FROM generate_series(1, 10) g;
CREATE TABLE live.nokey (n int, note text);
ALTER TABLE live.nokey REPLICA IDENTITY FULL;
CREATE TABLE live.uq (id int PRIMARY KEY, u int NOT NULL UNIQUE);
INSERT INTO live.uq SELECT g, g * 10 FROM generate_series(1, 200) g;
SQL
TABLES=(live.big live.small live.nokey live.uq)
"$tool" create "$state" lv "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"live"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
et_wait_status lv 'status=Running' 120
cdc_wait_running lv 60
log=$state/tasks/lv/cdc.log

# An open transaction on the source, fed statement by statement.
tx_open() {
  rm -f "$work/tx.in"
  mkfifo "$work/tx.in"
  pgc_psql src -d postgres -v ON_ERROR_STOP=1 <"$work/tx.in" >"$work/tx.out" 2>&1 &
  TX_PID=$!
  ET_PIDS+=($TX_PID)
  exec 7>"$work/tx.in"
}
tx() { echo "$1" >&7; }
tx_close() { exec 7>&-; wait "$TX_PID" || fail "the transaction failed: $(cat "$work/tx.out")"; }
# The sink's live session: in a transaction that wrote (it has an xid),
# open for over a second (the main session's groups last milliseconds).
live_pid() {
  pgc_psql sink -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'migtop cdc lv' AND backend_xid IS NOT NULL AND clock_timestamp() - xact_start > interval '1 second'" | head -1
}
wait_live() { # SECS: the open transaction has reached the sink
  local i p
  for ((i = 0; i < $1 * 5; i++)); do
    p=$(live_pid)
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 0.2
  done
  tail -20 "$log" >&2
  pgc_psql sink -d postgres -c "SELECT pid, application_name, state, backend_xid, xact_start, left(query, 60) AS query FROM pg_stat_activity WHERE datname IS NOT NULL" >&2
  pgc_psql src -d postgres -c "SELECT slot_name, active, confirmed_flush_lsn, stream_txns, stream_bytes, spill_txns FROM pg_replication_slots LEFT JOIN pg_stat_replication_slots USING (slot_name)" >&2
  fail "no transaction of the live session on the sink after $1 s"
}
sink_big_sum() { pgc_psql sink -d postgres -Atc "SELECT sum(v) FROM live.big"; }

# The sink logs every statement that writes: how many the apply sent.
pgc_psql sink -d postgres -c "ALTER SYSTEM SET log_statement = 'mod'" >/dev/null
pgc_reload sink
sinklog=$PGC_ROOT/sink/server.log
big_statements() { grep -c 'execute mt[0-9]*: UPDATE "live"."big"' "$sinklog" || true; }

# --- A ---------------------------------------------------------------------
tx_open
tx "BEGIN;"
tx "UPDATE live.big SET v = v + 1;"
tx "INSERT INTO live.nokey SELECT g, 'a' FROM generate_series(1, 3000) g;"
tx "SAVEPOINT s1; UPDATE live.big SET v = v + 100 WHERE id <= 5000; ROLLBACK TO SAVEPOINT s1;"
tx "SAVEPOINT s2; INSERT INTO live.nokey SELECT g, 'kept' FROM generate_series(1, 2000) g; RELEASE SAVEPOINT s2;"
lp=$(wait_live 30)
echo "A: the open transaction is on the sink, uncommitted (sink session $lp)"
[ "$(sink_big_sum)" = 0 ] || fail "A: the sink shows the open transaction's rows before its commit"
# The status says what the growing lag is, and no stall is claimed.
for ((i = 0; i < 30; i++)); do
  [[ "$(cdc_metric lv streamed_transactions_open)" =~ ^1\;\ xid\ [0-9]+\ applying\ as\ it\ streams:\ [0-9]+\ changes ]] && break
  sleep 0.2
done
echo "A: streamed_transactions_open: $(cdc_metric lv streamed_transactions_open)"
[[ "$(cdc_metric lv streamed_transactions_open)" =~ ^1\;\ xid\ [0-9]+\ applying ]] ||
  fail "A: the status does not show the open streamed transaction"
# Small transactions committing meanwhile arrive while it is open.
pgc_psql src -d postgres -c "UPDATE live.small SET v = 7 WHERE id = 1" >/dev/null
for ((i = 0; i < 50; i++)); do
  [ "$(pgc_psql sink -d postgres -Atc 'SELECT v FROM live.small WHERE id = 1')" = 7 ] && break
  sleep 0.2
done
[ "$(pgc_psql sink -d postgres -Atc 'SELECT v FROM live.small WHERE id = 1')" = 7 ] ||
  fail "A: a small transaction waited behind the open large one"
tx "UPDATE live.big SET v = v + 1 WHERE id % 2 = 0;"
t0=$(date +%s.%N)
tx "COMMIT;"
tx_close
cdc_same_tables lv 60 "${TABLES[@]}"
python3 -c "import sys; print(f'A: committed and on the sink within {float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$t0" "$(date +%s.%N)"
grep -q 'changes applied as it streamed' "$log" || fail "A: not applied as it streamed: $(tail -5 "$log")"
[ "$(pgc_psql sink -d postgres -Atc "SELECT count(*) FROM live.nokey WHERE note = 'kept'")" = 2000 ] ||
  fail "A: the released savepoint's rows are not all there"
# 35000 row updates of live.big went as batches (apply_batch.c).
n=$(big_statements)
echo "A: live.big's 35000 row updates in $n statements"
[ "$n" -gt 0 ] && [ "$n" -lt 1000 ] || fail "A: the updates were not batched ($n statements)"
grep -q 'UPDATE "live"."big" AS mt_t SET .* FROM (VALUES' "$sinklog" || fail "A: no batched UPDATE in the sink's log"

# --- B ---------------------------------------------------------------------
before=$(sink_big_sum)
tx_open
tx "BEGIN;"
tx "UPDATE live.big SET v = v + 1000;"
tx "INSERT INTO live.nokey SELECT g, 'b' FROM generate_series(1, 3000) g;"
wait_live 30 >/dev/null
tx "ROLLBACK;"
tx_close
pgc_psql src -d postgres -c "UPDATE live.small SET v = 8 WHERE id = 2" >/dev/null
cdc_same_tables lv 60 "${TABLES[@]}"
[ "$(sink_big_sum)" = "$before" ] || fail "B: the rolled back transaction left rows on the sink"
echo "B: rolled back on the source, nothing of it on the sink"

# --- C ---------------------------------------------------------------------
tx_open
tx "BEGIN;"
tx "UPDATE live.big SET v = v + 3;"
tx "INSERT INTO live.nokey SELECT g, 'c' FROM generate_series(1, 3000) g;"
lp=$(wait_live 30)
pid=$(cdc_runner_pid lv) || fail "C: no runner"
kill -9 "$pid"
echo "C: runner $pid killed with sink session $lp open"
for ((i = 0; i < 50; i++)); do
  [ -z "$(pgc_psql sink -d postgres -Atc "SELECT 1 FROM pg_stat_activity WHERE pid = $lp")" ] && break
  sleep 0.2
done
[ -z "$(pgc_psql sink -d postgres -Atc "SELECT 1 FROM pg_stat_activity WHERE pid = $lp")" ] ||
  fail "C: the killed runner's sink session lives on"
for ((i = 0; i < 100; i++)); do
  p=$(cdc_runner_pid lv || true)
  [ -n "$p" ] && [ "$p" != "$pid" ] && break
  sleep 0.1
done
[ -n "$p" ] && [ "$p" != "$pid" ] || fail "C: no new runner"
wait_live 60 >/dev/null
echo "C: the new runner $p has the transaction streamed again, open on the sink"
tx "INSERT INTO live.nokey SELECT g, 'c2' FROM generate_series(1, 100) g;"
tx "COMMIT;"
tx_close
cdc_same_tables lv 60 "${TABLES[@]}"
echo "C: nothing lost or applied twice across the kill"

# --- D ---------------------------------------------------------------------
# Someone on the sink holds live.small for 9 s: the main session waits on
# them, not on the live session, which is kept. (The first change waits
# on the sink without blocking us; the commit of the next one waits for
# the first's: there the main session blocks, and asks who it waits on.)
stopped() { grep -c 'applying it as it streams stopped' "$log" || true; }
tx_open
tx "BEGIN;"
tx "UPDATE live.big SET v = v + 5;"
wait_live 30 >/dev/null
pgc_psql sink -d postgres -c "BEGIN; LOCK TABLE live.small; SELECT pg_sleep(9); COMMIT;" >/dev/null &
locker=$!
ET_PIDS+=($locker)
sleep 0.5
pgc_psql src -d postgres -c "UPDATE live.small SET v = 9 WHERE id = 3" >/dev/null
sleep 1 # not in the same group
pgc_psql src -d postgres -c "UPDATE live.small SET v = 10 WHERE id = 4" >/dev/null
wait "$locker" || true
[ "$(stopped)" = 0 ] || fail "D: the live session was let go for a lock it does not hold"
[ -n "$(live_pid)" ] || fail "D: the live session lost its transaction"
tx "UPDATE live.big SET v = v + 1 WHERE id <= 10;"
tx "COMMIT;"
tx_close
cdc_same_tables lv 60 "${TABLES[@]}"
echo "D: a wait on someone else's lock kept the live session"

# --- E ---------------------------------------------------------------------
# A trigger on the sink only (ENABLE ALWAYS: it fires for the apply too)
# makes the main session wait on a row the live session holds: it lets
# the live session go, and the transaction is applied from its spool.
pgc_psql sink -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE FUNCTION live.touch_big() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM 1 FROM live.big WHERE id = 1 FOR UPDATE; RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON live.small FOR EACH ROW EXECUTE FUNCTION live.touch_big();
ALTER TABLE live.small ENABLE ALWAYS TRIGGER touch;
SQL
tx_open
tx "BEGIN;"
tx "UPDATE live.big SET v = v + 7;"
wait_live 30 >/dev/null
pgc_psql src -d postgres -c "UPDATE live.small SET v = 11 WHERE id = 5" >/dev/null
sleep 1
pgc_psql src -d postgres -c "UPDATE live.small SET v = 12 WHERE id = 6" >/dev/null
for ((i = 0; i < 100; i++)); do
  [ "$(stopped)" != 0 ] && break
  sleep 0.2
done
grep -q 'applying it as it streams stopped.*waited on its locks' "$log" ||
  fail "E: the live session was not let go: $(tail -5 "$log")"
[ "$(pgc_psql sink -d postgres -Atc 'SELECT v FROM live.small WHERE id = 6')" = 12 ] ||
  sleep 2
[ "$(pgc_psql sink -d postgres -Atc 'SELECT v FROM live.small WHERE id = 6')" = 12 ] ||
  fail "E: the main session is still blocked"
tx "UPDATE live.big SET v = v + 1 WHERE id <= 10;"
tx "COMMIT;"
tx_close
cdc_same_tables lv 60 "${TABLES[@]}"
echo "E: let go while the main session waited on it, applied at its commit"
# --- F ---------------------------------------------------------------------
# A unique index besides the key: values moving from row to row in one
# transaction, each step valid in its order (row 200 leaves u = 2000
# before row 199 takes it, and so on down), against the order of the
# key. Applied in another order (a plan that walks the key) they would
# collide: such updates go one by one, in order. The sink plans without
# nested loops (as statistics or a setting may make it do), so a batch
# would walk the key.
pgc_psql sink -d postgres -c "ALTER DATABASE postgres SET enable_nestloop = off" >/dev/null
pgc_psql sink -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'migtop cdc lv'" >/dev/null
{
  echo "BEGIN;"
  echo "UPDATE live.uq SET u = 5000 WHERE id = 200;"
  for i in $(seq 199 -1 1); do echo "UPDATE live.uq SET u = $(((i + 1) * 10)) WHERE id = $i;"; done
  echo "UPDATE live.uq SET u = 10 WHERE id = 200;"
  echo "COMMIT;"
} | pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null
cdc_same_tables lv 60 "${TABLES[@]}"
pgc_psql sink -d postgres -c "ALTER DATABASE postgres RESET enable_nestloop" >/dev/null
echo "F: values moving between rows under a second unique index arrived in order"
grep -E 'applied as it streamed|as it streams stopped' "$log" | tail -6
echo "PASS"
