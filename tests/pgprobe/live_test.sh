#!/usr/bin/env bash
# Live readings on a real source: a logical slot consumed by pg_recvlogical
# while pgbench writes. The consumer is paused (SIGSTOP), so the lag in
# bytes and seconds grows, then resumed, and once pgbench stops the lag
# falls to zero. Write activity is seen (a session holding a transaction,
# by role and application; the migration's own session left out) and then
# seen to stop, and "no writes for N s" is checked against the commit
# timestamp of the last write. Then the cleanup check: the slot held by
# pg_recvlogical (who holds it), then inactive with a publication, then
# gone after running the statements the check printed.
set -euo pipefail
. "$MIGTOP_SOURCE_DIR/tests/support/pgcluster.sh"
TOOL="$MIGTOP_BUILD_DIR/tests/pgprobe/pgprobe_tool"
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d)
PIDS=()
STOPPED=
cleanup() {
  [ -z "$STOPPED" ] || kill -CONT "$STOPPED" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  pgc_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# ANALYZE takes a transaction ID, which the probe rightly counts as a
# write: autovacuum off keeps the quiet period quiet.
# track_commit_timestamp gives the true moment of the last write.
pgc_start src "autovacuum = off" "track_commit_timestamp = on"
P=$(pgc_port src)
pgc_psql src -c "CREATE DATABASE bench"
"$PGBIN/pgbench" -q -i -s 1 -h 127.0.0.1 -p "$P" -U postgres bench >/dev/null 2>&1
EP="host=127.0.0.1 port=$P user=postgres dbname=bench"
pg_recvlogical -h 127.0.0.1 -p "$P" -U postgres -d bench --slot t_live --create-slot -P test_decoding
pg_recvlogical -h 127.0.0.1 -p "$P" -U postgres -d bench --slot t_live --start -s 1 -F 1 \
  -f /dev/null &
RL=$!
PIDS+=("$RL")

# 20 s of readings, two a second; the migration's own sessions start with "migtop".
"$TOOL" watch "$EP" t_live 20 500 migtop >"$WORK/watch.txt" &
W=$!
PIDS+=("$W")
sleep 2
PGAPPNAME=bench-load "$PGBIN/pgbench" -h 127.0.0.1 -p "$P" -U postgres -T 7 -R 150 -c 2 bench \
  >"$WORK/pgbench.txt" 2>&1 &
B=$!
PIDS+=("$B")
# A business transaction that holds its write open for 3 s, and one of
# the migration's own (it must not count as business activity).
PGAPPNAME=app-writer psql -X -q -h 127.0.0.1 -p "$P" -U postgres -d bench \
  -c "BEGIN; UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1; SELECT pg_sleep(3); COMMIT;" >/dev/null &
PIDS+=("$!")
PGAPPNAME=migtop-t-live psql -X -q -h 127.0.0.1 -p "$P" -U postgres -d bench \
  -c "BEGIN; CREATE TEMP TABLE own(x int); SELECT pg_sleep(3); COMMIT;" >/dev/null &
PIDS+=("$!")
sleep 1
kill -STOP "$RL"   # the consumer stalls: the lag must grow
sleep 4
kill -CONT "$RL"
wait "$B"
wait "${PIDS[-1]}" "${PIDS[-2]}"
wait "$W"
# When the last write really committed (commit timestamps: only
# transactions that wrote have one).
last_write=$(pgc_psql src -d bench -Atc "SELECT extract(epoch FROM (pg_last_committed_xact()).timestamp)")
grep -q '^tick ' "$WORK/watch.txt" || { cat "$WORK/watch.txt"; fail "no readings"; }

python3 - "$WORK/watch.txt" "$last_write" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    if not line.startswith("tick "):
        continue
    kv = {}
    writers = []
    for f in line.split()[1:]:
        k, _, v = f.partition("=")
        if k == "writer":
            writers.append(v)
        else:
            kv[k] = v
    kv["writers"] = writers
    rows.append(kv)
last_write = float(sys.argv[2])
num = lambda r, k: float(r[k].rstrip("+"))
def check(cond, msg):
    if not cond:
        for r in rows:
            print({k: r[k] for k in ("t", "lag_bytes", "lag_s", "writing", "sessions",
                                     "excluded", "no_writes_s", "commits_s")}, r["writers"])
        sys.exit("FAIL: " + msg)
check(len(rows) >= 25, "too few readings: %d" % len(rows))
check(all(r["exists"] == "1" for r in rows), "slot not seen")
check(any(r["active"] == "1" and r["pid"] != "0" for r in rows), "slot never active")
peak_b = max(int(r["lag_bytes"]) for r in rows)
peak_s = max(num(r, "lag_s") for r in rows)
check(peak_b > 50000, "lag bytes never grew: %d" % peak_b)
check(peak_s >= 2.0, "lag seconds never grew: %.2f" % peak_s)
# After the writes stopped: lag back to zero.
after = [r for r in rows if float(r["t"]) > last_write + 1.0]
check(len(after) >= 3, "too few readings after the writes stopped")
check(any(int(r["lag_bytes"]) == 0 and num(r, "lag_s") == 0 for r in after),
      "lag never fell to zero")
check(max(num(r, "lag_s") for r in after[-3:]) < 2.0, "lag still high at the end")
# Writes seen: the business writer by role/application, never our own.
check(any("postgres/app-writer:1" in r["writers"] for r in rows), "app-writer not seen")
check(any(int(r["excluded"]) >= 1 for r in rows), "the migration's own session not told apart")
check(not any(w.startswith("postgres/migtop") for r in rows for w in r["writers"]),
      "the migration's own session counted as a writer")
check(max(float(r["write_xacts_s"]) for r in rows) > 50, "write transactions/s never seen")
check(max(float(r["commits_s"]) for r in rows) > 50, "commits/s never seen")
check(max(float(r["wal_bytes_s"]) for r in rows) > 10000, "WAL bytes/s never seen")
# And seen to stop; "no writes for N s" never more than the real quiet time.
end = rows[-1]
check(end["writing"] == "0" and end["sessions"] == "0", "still writing at the end")
quiet = float(end["t"]) - last_write
nw = num(end, "no_writes_s")
check(not end["no_writes_s"].endswith("+"), "no_writes_s should be exact after writes were seen")
check(nw <= quiet + 0.01, "no writes for %.2f s claimed, only %.2f s were quiet" % (nw, quiet))
check(nw >= quiet - 2.0, "no writes for %.2f s, but %.2f s were quiet" % (nw, quiet))
print("live: peak lag %d bytes / %.1f s, zero after; no writes for %.2f s of %.2f s quiet"
      % (peak_b, peak_s, nw, quiet))
PY

echo "== a reading whose connection is killed fails at once with connection-lost"
"$TOOL" watch "$EP" t_live 30 200 >"$WORK/killed.txt" &
KW=$!
PIDS+=("$KW")
for _ in $(seq 50); do grep -q '^tick' "$WORK/killed.txt" && break; sleep 0.1; done
pgc_psql src -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pgprobe_tool'" >/dev/null
rc=0; wait "$KW" || rc=$?
[ "$rc" = 2 ] || fail "watch exit $rc after its connection was killed"
grep -q "^error connection-lost: terminating connection due to administrator command" "$WORK/killed.txt" \
  || { tail -2 "$WORK/killed.txt"; fail "no connection-lost error"; }

echo "== a server that stops answering: the reading gives up after its 2 s deadline"
"$TOOL" watch "$EP" t_live 30 200 >"$WORK/hung.txt" &
HW=$!
PIDS+=("$HW")
for _ in $(seq 50); do grep -q '^tick' "$WORK/hung.txt" && break; sleep 0.1; done
backend=$(pgc_psql src -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgprobe_tool'")
[ -n "$backend" ] || fail "no backend for the reading"
STOPPED=$backend   # the trap resumes it whatever happens (SIGCONT only)
t0=$(date +%s%N)
kill -STOP "$backend"
rc=0; wait "$HW" || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -CONT "$backend"
[ "$rc" = 2 ] || fail "watch exit $rc with a stopped backend"
grep -q "^error timeout: live reading: no answer from the server in time" "$WORK/hung.txt" \
  || { tail -2 "$WORK/hung.txt"; fail "no timeout error"; }
[ "$ms" -lt 4500 ] || fail "gave up after $ms ms, the deadline is 2000 ms"
echo "   gave up after $ms ms"

echo "== cleanup: the slot held by pg_recvlogical"
pgc_psql src -d bench -c "CREATE PUBLICATION t_live_publication_for_all_tables FOR TABLE pgbench_accounts, pgbench_branches"
"$TOOL" publication "$EP" t_live_publication_for_all_tables >"$WORK/pub.txt"
grep -q "exists=1 all_tables=0 owner=postgres update=1 tables=2" "$WORK/pub.txt" || { cat "$WORK/pub.txt"; fail "publication reading"; }
grep -q "table public.pgbench_accounts" "$WORK/pub.txt" || fail "publication tables"
rc=0; "$TOOL" cleanup "$EP" t-live >"$WORK/c1.txt" || rc=$?
cat "$WORK/c1.txt"
[ "$rc" = 1 ] || fail "cleanup should report leftovers (exit $rc)"
grep -q "in use by pid $(pgc_psql src -Atc "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 't_live'") (walsender, application pg_recvlogical, from 127.0.0.1, user postgres)" "$WORK/c1.txt" \
  || fail "cleanup does not name the holder"
grep -q "^SELECT pg_terminate_backend([0-9]*);$" "$WORK/c1.txt" || fail "no terminate statement"
grep -q "^SELECT pg_drop_replication_slot('t_live');$" "$WORK/c1.txt" || fail "no drop slot statement"
grep -q "^DROP PUBLICATION t_live_publication_for_all_tables;$" "$WORK/c1.txt" || fail "no drop publication"

echo "== cleanup: consumer gone, run what the check printed"
kill "$RL"; wait "$RL" 2>/dev/null || true
for _ in $(seq 50); do
  [ "$(pgc_psql src -Atc "SELECT active FROM pg_replication_slots WHERE slot_name = 't_live'")" = f ] && break
  sleep 0.1
done
rc=0; "$TOOL" cleanup "$EP" t-live >"$WORK/c2.txt" || rc=$?
[ "$rc" = 1 ] || fail "cleanup: leftovers expected"
grep -q "inactive, database bench" "$WORK/c2.txt" || { cat "$WORK/c2.txt"; fail "inactive slot"; }
grep -v pg_terminate_backend "$WORK/c2.txt" | grep -E '^(SELECT|DROP) ' >"$WORK/fix.sql"
[ "$(wc -l <"$WORK/fix.sql")" = 2 ] || { cat "$WORK/c2.txt"; fail "two statements expected"; }
pgc_psql src -d bench -f "$WORK/fix.sql" >/dev/null
"$TOOL" cleanup "$EP" t-live >"$WORK/c3.txt" || { cat "$WORK/c3.txt"; fail "not clean after the fix"; }
grep -q "^clean: no slot t_live and no publication t_live_publication_for_all_tables" "$WORK/c3.txt" || fail "clean message"
echo "live: all readings behaved"
