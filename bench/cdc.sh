#!/usr/bin/env bash
# CDC, migtop against PostgreSQL's native logical replication, in one run
# on the same loads: one source (pgbench tables), two sinks with the same
# data, one fed by CREATE SUBSCRIPTION ... WITH (copy_data = false), the
# other by a migtop local task's CDC. All three servers run PostgreSQL's
# durable defaults (fsync, full_page_writes, synchronous_commit on).
#
# Phases (each runs ROUNDS times; medians and spreads are printed):
#   rate500     pgbench -R 500 (a steady application)
#   unlimited   pgbench as fast as it goes
#   sysbench    sysbench oltp_write_only (a load nobody here wrote)
#   drain       both stopped, 30 s of pgbench -N, both started at once:
#               the time to apply the backlog
#   drainhot    the same with plain pgbench: every transaction updates one
#               of 30 branches and 300 tellers (hot rows)
#   drainalone  the drain's backlog (pgbench -N) drained by each side with
#               the machine to itself, one after the other: each apply's
#               own rate, not sharing the 2 cores with the other's
#   bigtxn      one transaction updating every row of a 1 M row table:
#               from its commit on the source to visible on the sink
#               (each drain also prints its floor: the same backlog
#               decoded alone, by a third slot, after both have applied it)
#   fullident   a drain of 3000 updates (10 s at 300 a second) of a
#               REPLICA IDENTITY FULL table without a key: 5000 rows of
#               4 kB TOAST values, an index on the column the updates pick
#               rows by
#
# Lag is measured both ways, the same for both sides, every 100 ms:
#   slot lag    how long ago the source's WAL passed the slot's
#               confirmed_flush_lsn (what the source may let go)
#   applied lag how long ago the source's WAL passed the sink's replication
#               origin position (visible on the sink: what the user sees)
# from samples of the source's WAL position taken by a procedure on the
# source (interpolated between samples).
# Goals (issue 16): slot lag p50 <= 1.5x native's and p99 <= 2x; applied
# lag no worse; drains >= 1.5x native's rate; the big transaction <= 1.0x.
#   bench/cdc.sh [SCALE] [ROUNDS] [PHASES]   (defaults 30 3 rate500,unlimited,sysbench,drain,drainhot,drainalone,bigtxn,fullident)
#   MIGTOP_BUILD_DIR=build-x bench/cdc.sh    (default: scripts/build.sh, build/)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-30}
rounds=${2:-3}
IFS=, read -r -a phases <<<"${3:-rate500,unlimited,sysbench,drain,drainhot,drainalone,bigtxn,fullident}"
secs=${BENCH_SECS:-20} # each load's length (a quick try: BENCH_SECS=3 BENCH_BIG_ROWS=10000)
if [ -n "${MIGTOP_BUILD_DIR:-}" ]; then
  build=$(cd "$MIGTOP_BUILD_DIR" && pwd)
else
  scripts/build.sh >/dev/null
  build=$PWD/build
fi
command -v sysbench >/dev/null || scripts/install-deps.sh sysbench >/dev/null
bin=$build/bin/migtop
export MIGTOP_BIN=$bin # the runner engine_tool create starts
tool=$build/tests/engine/engine_tool
[ -x "$tool" ] || { echo "bench/cdc.sh: $tool is missing (build the tests)" >&2; exit 1; }
work=$(mktemp -d)
chmod 0755 "$work"
export PGC_ROOT=$work/pgc PGC_DURABLE=1
mkdir -p "$PGC_ROOT"
source tests/support/pgcluster.sh
state=$work/state
# A pid from a lock file, if it is still a migtop process (the file
# outlives its process, and a reused pid must never be signalled).
live_migtop() { [ -n "$1" ] && grep -qa migtop "/proc/$1/cmdline" 2>/dev/null && echo "$1"; }
runner() { live_migtop "$(cat "$state/tasks/bench/runner.lock" 2>/dev/null)" || true; }
cleanup() {
  local p
  for p in $(runner) $(live_migtop "$(cat "$state/tasks/bench/supervisor.lock" 2>/dev/null)" || true); do
    kill -CONT "$p" 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
  sleep 1
  pgc_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

conf=("max_wal_size = 4GB" "checkpoint_timeout = 30min" "shared_buffers = 256MB"
      "wal_sender_timeout = 5min" "wal_receiver_timeout = 5min")
pgc_start src "${conf[@]}"
pgc_start nat "${conf[@]}"
pgc_start mig "${conf[@]}"
sp=$(pgc_port src)
P() { pgc_psql "$1" -d postgres -Atc "$2"; }
ckpts="SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
echo "== pgbench -i -s $scale on the source, a 1 M row table for the big transaction"
pgbench -q -i -s "$scale" -I dtGvp -h 127.0.0.1 -p "$sp" -U postgres postgres >"$work/init.out" 2>&1
P src "ALTER TABLE pgbench_history REPLICA IDENTITY FULL" >/dev/null
P src "CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL)" >/dev/null
P src "INSERT INTO big SELECT g, 0 FROM generate_series(1, ${BENCH_BIG_ROWS:-1000000}) g" >/dev/null
P src "VACUUM ANALYZE big" >/dev/null
P src "CREATE TABLE audit (k int NOT NULL, note text, big text, n int NOT NULL)" >/dev/null
P src "ALTER TABLE audit REPLICA IDENTITY FULL; ALTER TABLE audit ALTER big SET STORAGE EXTERNAL" >/dev/null
P src "INSERT INTO audit SELECT g, md5(g::text), repeat(md5((g * 7)::text), 128), 0 FROM generate_series(1, 5000) g" >/dev/null
P src "CREATE INDEX ON audit (k)" >/dev/null
P src "VACUUM ANALYZE audit" >/dev/null
# The marker: bumped in a transaction of its own (or with the work to time),
# applied on a sink exactly when everything committed before it is.
P src "CREATE TABLE bench_marker (id int PRIMARY KEY, n bigint NOT NULL)" >/dev/null
P src "INSERT INTO bench_marker VALUES (1, 0)" >/dev/null
sysbench oltp_write_only --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$sp" \
  --pgsql-user=postgres --pgsql-db=postgres --tables=4 --table-size=100000 prepare >/dev/null
tables=$(P src "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_tables WHERE schemaname = 'public'")
objs=$(P src "SELECT string_agg(format('\"%s.%s\"', schemaname, tablename), ',') FROM pg_tables WHERE schemaname = 'public'")

echo "== native sink: pg_dump | pg_restore, then CREATE SUBSCRIPTION (copy_data = false)"
echo "== migtop sink: a local task (init-struct, init-data, then CDC)"
P src "CREATE PUBLICATION bench_pub FOR TABLE $tables" >/dev/null
"$tool" create "$state" bench "postgres:x@127.0.0.1:$sp/postgres" \
  "postgres:x@127.0.0.1:$(pgc_port mig)/postgres" "$objs" \
  'precheck=true,init-struct=true,init-data=true,cdc=true'
pg_dump -h 127.0.0.1 -p "$sp" -U postgres -Fc -t 'public.*' postgres >"$work/dump"
pg_restore -h 127.0.0.1 -p "$(pgc_port nat)" -U postgres -d postgres -j 2 "$work/dump"
P nat "CREATE SUBSCRIPTION bench_sub CONNECTION 'host=127.0.0.1 port=$sp user=postgres dbname=postgres' PUBLICATION bench_pub WITH (copy_data = false)" >/dev/null
metric() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cdc"].get("metrics",{}).get(sys.argv[2],""))' \
    "$state/tasks/bench/status.json" "$1" 2>/dev/null || true
}
for ((i = 0; i < 900; i++)); do
  [ "$(metric state)" = streaming ] && break
  grep -q '"taskStatus": "Failed"' "$state/tasks/bench/status.json" 2>/dev/null && break
  sleep 1
done
[ "$(metric state)" = streaming ] || { tail "$state"/tasks/bench/*.log; echo "migtop CDC not streaming" >&2; exit 1; }
for ((i = 0; i < 60; i++)); do
  [ -n "$(P nat "SELECT pid FROM pg_stat_subscription WHERE subname = 'bench_sub' AND pid IS NOT NULL")" ] && break
  sleep 0.5
done
# The drains stop each side the same way: native's subscription disabled
# (its apply worker and its walsender end), migtop's runner stopped
# (SIGTERM: what it applied committed, its connections closed, its
# walsender ends) and started again. A runner frozen with SIGSTOP instead
# kept its replication connection while the walsender pushed a 30 s
# backlog into it: the loopback socket's receive queue overflowed, a
# segment was dropped, and after SIGCONT the stream waited for TCP's
# retransmission, backed off over the freeze, for 1 to 10 s (drains of
# 5-15 s against 2.4-3.2 s; the kernel's TcpExtTCPRcvQDrop and
# TCPTimeouts counted it). So migtop's runner runs here without its
# supervisor, which would start it again at once.
mig_stop() {
  local r i
  r=$(runner)
  [ -n "$r" ] || return 0
  kill "$r" 2>/dev/null || return 0
  for ((i = 0; i < 300; i++)); do kill -0 "$r" 2>/dev/null || return 0; sleep 0.1; done
  echo "migtop's runner $r did not stop" >&2
  exit 1
}
mig_start() {
  (setsid "$bin" run bench --state-dir "$state" --quiet >>"$work/runner.out" 2>&1 </dev/null &)
}
sup=$(live_migtop "$(cat "$state/tasks/bench/supervisor.lock" 2>/dev/null)" || true)
[ -n "$sup" ] || { echo "migtop's supervisor is not running" >&2; exit 1; }
kill "$sup"
for ((i = 0; i < 300; i++)); do kill -0 "$sup" 2>/dev/null || break; sleep 0.1; done
mig_stop
mig_start
for ((i = 0; i < 300; i++)); do [ "$(metric state)" = streaming ] && [ -n "$(runner)" ] && break; sleep 0.2; done
for c in nat mig; do
  P "$c" "CREATE PROCEDURE marker_wait(target bigint) LANGUAGE plpgsql AS \$p\$
DECLARE v bigint;
BEGIN
  LOOP
    SELECT n INTO v FROM bench_marker;
    EXIT WHEN v >= target;
    COMMIT;
    PERFORM pg_sleep(0.01);
  END LOOP;
END \$p\$" >/dev/null
done
subid=$(P nat "SELECT oid FROM pg_subscription WHERE subname = 'bench_sub'")
nat_origin="pg_$subid"
mig_origin=migtop_bench

# Samplers: the source's WAL position and both slots' flushed positions;
# each sink's origin position. One row every 100 ms, in its own database.
sampler() { # CLUSTER QUERY-INTO-v1-v2-v3
  pgc_psql "$1" -d postgres >/dev/null <<SQL
CREATE DATABASE bench;
\c bench
CREATE TABLE s (t timestamptz, a pg_lsn, b pg_lsn, c pg_lsn);
CREATE PROCEDURE sample(secs float) LANGUAGE plpgsql AS \$p\$
DECLARE stop timestamptz := clock_timestamp() + secs * interval '1 second'; v1 pg_lsn; v2 pg_lsn; v3 pg_lsn;
BEGIN
  WHILE clock_timestamp() < stop LOOP
    $2
    INSERT INTO s VALUES (clock_timestamp(), v1, v2, v3);
    COMMIT;
    PERFORM pg_sleep(0.1);
  END LOOP;
END \$p\$;
SQL
}
sampler src "v1 := pg_current_wal_lsn();
    SELECT confirmed_flush_lsn INTO v2 FROM pg_replication_slots WHERE slot_name = 'bench_sub';
    SELECT confirmed_flush_lsn INTO v3 FROM pg_replication_slots WHERE slot_name = 'bench';"
sampler nat "SELECT remote_lsn INTO v1 FROM pg_replication_origin_status WHERE external_id = '$nat_origin';"
sampler mig "SELECT remote_lsn INTO v1 FROM pg_replication_origin_status WHERE external_id = '$mig_origin';"

origin() { P "$1" "SELECT remote_lsn FROM pg_replication_origin_status WHERE external_id = '$2'"; }
bump() { P src "UPDATE bench_marker SET n = n + 1 RETURNING n"; }
# Seconds from T0 until each sink has marker N: sets nd and md. Each sink
# waits on its own server (marker_wait, a procedure that looks every 10 ms
# and commits each time, so it holds no snapshot that would keep the
# drain's dead rows from being pruned). Polling from here cost a psql
# process per look: a large share of the 2 cores both tools share.
marker_wait() { # CLUSTER N: the epoch at which the sink had marker N
  pgc_psql "$1" -d postgres -At -c "SET statement_timeout = '600s'" -c "CALL marker_wait($2)" \
    -c "SELECT extract(epoch FROM clock_timestamp())" 2>/dev/null | tail -n 1
}
until_both() { # N T0
  marker_wait nat "$1" >"$work/nat.seen" &
  local w=$!
  marker_wait mig "$1" >"$work/mig.seen" || true
  wait "$w" || true
  nd=$(echo "$(cat "$work/nat.seen") - $2" | bc -l 2>/dev/null || true)
  md=$(echo "$(cat "$work/mig.seen") - $2" | bc -l 2>/dev/null || true)
}
# Both sinks have applied everything committed on the source until now.
settle() {
  until_both "$(bump)" "$(date +%s.%N)"
  [ -n "$nd" ] && [ -n "$md" ] || echo "   (not caught up after 600 s)"
}
start_samplers() {
  for c in src nat mig; do
    pgc_psql "$c" -d bench -c "TRUNCATE s" >/dev/null
    pgc_psql "$c" -d bench -c "CALL sample(600)" >/dev/null 2>&1 &
  done
  sleep 0.5
}
stop_samplers() { # NAME: the samples into $work/NAME.{src,nat,mig}
  local c
  for c in src nat mig; do
    P "$c" "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = 'bench' AND query LIKE 'CALL sample%'" >/dev/null
  done
  sleep 0.3
  for c in src nat mig; do
    pgc_psql "$c" -d bench -AtF' ' -c "SELECT extract(epoch FROM t), coalesce(a - '0/0', -1), coalesce(b - '0/0', -1), coalesce(c - '0/0', -1) FROM s ORDER BY t" >"$work/$1.$c"
  done
}
now() { P src "SELECT extract(epoch FROM clock_timestamp())"; }
pgb() { pgbench -n -h 127.0.0.1 -p "$sp" -U postgres "$@" postgres >"$work/pgbench.out" 2>&1; }
results=$work/results
: >"$results"
printf '%s\n' '\set k random(1, 5000)' \
  'UPDATE audit SET n = n + 1, note = md5(random()::text) WHERE k = :k;' >"$work/audit.sql"

lag_phase() { # NAME ROUND LOAD...
  local name=$1 round=$2
  shift 2
  settle
  start_samplers
  local t0 t1
  t0=$(now)
  "$@"
  t1=$(now)
  settle
  stop_samplers "$name-$round"
  echo "lag $name $round $t0 $t1 $work/$name-$round" >>"$results"
  # pgbench says "tps = N", sysbench "transactions: T (N per sec.)"
  echo "   $name round $round: $(grep -Eo 'tps = [0-9.]+|\([0-9.]+ per sec' "$work/pgbench.out" 2>/dev/null \
    | head -1 | tr -d '(' || true)"
}
load_rate500() { pgb -c 4 -j 2 -R 500 -T "$secs"; }
load_unlimited() { pgb -c 4 -j 2 -T "$secs"; }
load_sysbench() {
  sysbench oltp_write_only --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$sp" \
    --pgsql-user=postgres --pgsql-db=postgres --tables=4 --table-size=100000 --threads=4 \
    --time="$secs" run >"$work/pgbench.out" 2>&1
}

# Both stopped (the subscription disabled, migtop's runner stopped), 30 s of
# writes, both started at once: seconds until each has applied it all.
# drain: pgbench -N (no hot rows); drainhot: plain pgbench, whose 30
# branches and 300 tellers rows are updated by every transaction.
drain_phase() {
  local round=$1 kind=${2:-drain} n t0
  settle
  # The floor: a third slot at the same start, decoded after both have
  # caught up, alone on the machine (pgoutput, no network, no sink).
  P src "SELECT pg_drop_replication_slot('bench_floor') FROM pg_replication_slots WHERE slot_name = 'bench_floor'" >/dev/null
  P src "SELECT pg_create_logical_replication_slot('bench_floor', 'pgoutput')" >/dev/null
  P nat "ALTER SUBSCRIPTION bench_sub DISABLE" >/dev/null
  mig_stop
  case $kind in
    drainhot) pgb -c 4 -j 2 -T $((secs * 3 / 2)) ;;
    fullident) pgb -c 2 -j 2 -R 300 -T 10 -f "$work/audit.sql" ;;
    *) pgb -c 4 -j 2 -N -T $((secs * 3 / 2)) ;;
  esac
  n=$(bump)
  local end fl txns wal
  end=$(P src "SELECT pg_current_wal_lsn()")
  # The backlog's size: the load's transactions and the WAL they wrote.
  txns=$(grep -Eo 'actually processed: [0-9]+' "$work/pgbench.out" | grep -Eo '[0-9]+$' || echo '?')
  wal=$(P src "SELECT pg_size_pretty(pg_wal_lsn_diff('$end', confirmed_flush_lsn)) FROM pg_replication_slots WHERE slot_name = 'bench_floor'")
  # Both sinks checkpointed just before: each one's first change of a page
  # after a checkpoint writes the whole page to its WAL, so a sink whose
  # last checkpoint was long ago would drain a lighter WAL than one that
  # has just had one (a likely cause of one round's 16 s hot-rows drain
  # among 3.9-5.7 s ones). Each sink's WAL and checkpoints over the drain
  # are printed.
  local c w0_nat w0_mig k0_nat k0_mig l0
  l0=$(wc -l <"$state/tasks/bench/cdc.log")
  for c in nat mig; do P "$c" "CHECKPOINT" >/dev/null; done
  w0_nat=$(P nat "SELECT pg_current_wal_lsn()") w0_mig=$(P mig "SELECT pg_current_wal_lsn()")
  k0_nat=$(P nat "$ckpts") k0_mig=$(P mig "$ckpts")
  if [ "$kind" = drainalone ]; then
    drain_each_alone "$round" "$n"
  else
    t0=$(date +%s.%N)
    P nat "ALTER SUBSCRIPTION bench_sub ENABLE" >/dev/null
    mig_start
    until_both "$n" "$t0"
  fi
  # The runner, started for this drain, writes its status each second: one
  # more second holds its group counts (a 0.3 s drain's were not there yet).
  sleep 1.2
  local sinks
  sinks="sink WAL native $(P nat "SELECT pg_size_pretty(pg_current_wal_lsn() - '$w0_nat')") ($(($(P nat "$ckpts") - k0_nat)) checkpoints),"
  sinks="$sinks migtop $(P mig "SELECT pg_size_pretty(pg_current_wal_lsn() - '$w0_mig')") ($(($(P mig "$ckpts") - k0_mig)))"
  local f0
  f0=$(date +%s.%N)
  P src "SELECT count(*) FROM pg_logical_slot_get_binary_changes('bench_floor', '$end', NULL,
           'proto_version', '1', 'publication_names', 'bench_pub')" >/dev/null
  fl=$(echo "$(date +%s.%N) - $f0" | bc -l)
  P src "SELECT pg_drop_replication_slot('bench_floor')" >/dev/null
  echo "$kind $round ${nd:-nan} ${md:-nan} ${fl:-nan}" >>"$results"
  # What migtop's CDC log says over the drain besides its position lines
  # (a reconnect, a stall, a warning), to tell an outlier's cause.
  tail -n +"$((l0 + 1))" "$state/tasks/bench/cdc.log" | grep -Ev ' INFO (\[cdc\] current_position: |CDC starting from slot |streaming slot |.*so CDC resumes from it)' | cut -c1-200 |
    sed 's/^/   cdc.log: /' | head -5 || true
  printf '   %s round %s (%s transactions, %s of WAL): native %.1f s, migtop %.1f s, decoding alone %.1f s; migtop %s; %s\n' \
    "$kind" "$round" "$txns" "$wal" "${nd:-0}" "${md:-0}" "${fl:-0}" "$(lanes_of "$(metric parallel_apply)")" "$sinks"
}
# drainalone: the same backlog drained by each side with the machine to
# itself, one after the other (migtop first in odd rounds, native first in
# even ones), each sink checkpointed just before its own start: what each
# apply does per second on its own, not sharing the 2 cores with the
# other. Sets nd and md.
drain_each_alone() { # ROUND MARKER
  local first=mig second=nat side t s
  [ $(($1 % 2)) = 0 ] && first=nat second=mig
  for side in $first $second; do
    P "$side" "CHECKPOINT" >/dev/null
    s=$(date +%s.%N)
    if [ "$side" = nat ]; then P nat "ALTER SUBSCRIPTION bench_sub ENABLE" >/dev/null; else mig_start; fi
    t=$(marker_wait "$side" "$2")
    if [ "$side" = nat ]; then nd=$(echo "$t - $s" | bc -l); else md=$(echo "$t - $s" | bc -l); fi
  done
}
# The apply's parallelism over one drain, from the status's parallel_apply
# ("2 sink sessions, 108 of 126 groups overlapped (86%), 63 key waits"),
# counted by the runner started for the drain.
lanes_of() {
  python3 - "$1" <<'PY'
import re, sys
m = re.search(r"(\d+) of (\d+) groups overlapped \(\d+%\), (\d+) key waits", sys.argv[1])
print(f"{m[2]} groups, {100 * int(m[1]) / int(m[2]):.0f}% overlapped, {m[3]} key waits"
      if m and int(m[2]) > 0 else f"parallel_apply: {sys.argv[1] or 'not shown'}")
PY
}

# One transaction updating every row of big (and the marker): from its
# commit until each sink shows it.
bigtxn_phase() {
  local round=$1 n t0
  settle
  n=$(P src "WITH u AS (UPDATE big SET v = v + 1) UPDATE bench_marker SET n = n + 1 RETURNING n")
  t0=$(date +%s.%N)
  until_both "$n" "$t0"
  echo "bigtxn $round ${nd:-nan} ${md:-nan}" >>"$results"
  printf '   big transaction round %s: native %.1f s, migtop %.1f s\n' "$round" "${nd:-0}" "${md:-0}"
}

for round in $(seq "$rounds"); do
  for ph in "${phases[@]}"; do
    echo "== round $round: $ph"
    case $ph in
      rate500 | unlimited | sysbench) lag_phase "$ph" "$round" "load_$ph" ;;
      drain | drainhot | drainalone | fullident) drain_phase "$round" "$ph" ;;
      bigtxn) bigtxn_phase "$round" ;;
      *) echo "unknown phase $ph" >&2; exit 2 ;;
    esac
  done
done

# Equal at the end (row counts and a checksum per table, both sinks).
settle
for c in src nat mig; do
  echo "   $c: $(P "$c" "SELECT (SELECT count(*) FROM pgbench_history) || ' history rows, balance ' || (SELECT sum(abalance) FROM pgbench_accounts) || ', big ' || (SELECT sum(v) FROM big) || ', sbtest1 ' || (SELECT sum(k) FROM sbtest1) || ', audit ' || (SELECT sum(n) || ' ' || md5(string_agg(note, ',' ORDER BY k)) FROM audit)")"
done

python3 - "$results" "$scale" "$rounds" <<'PY'
import bisect, statistics, sys
results, scale, rounds = sys.argv[1], sys.argv[2], sys.argv[3]
def load(path, col):
    out = []
    for line in open(path):
        f = line.split()
        if float(f[col]) >= 0:
            out.append((float(f[0]), int(float(f[col]))))
    return out
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")
def lags(src, pos, t0, t1):
    st = [t for t, _ in src]; sl = [l for _, l in src]
    out = []
    for t, l in pos:
        # The load's first second left out: before it the last thing to
        # apply was the marker, and the samplers' own WAL (not replicated)
        # would read as lag.
        if t < t0 + 1 or t > t1: continue
        i = bisect.bisect_left(sl, l + 1)   # the first sample past what is applied
        if i >= len(sl) or st[i] > t: out.append(0.0); continue
        if i == 0: out.append(t - st[0]); continue
        l0, l1, a, b = sl[i-1], sl[i], st[i-1], st[i]
        p = a if l1 == l0 else a + (b - a) * (l + 1 - l0) / (l1 - l0)
        out.append(max(0.0, t - p))
    return out
lagrows, drain, drainhot, alone, big, full = {}, [], [], [], [], []
for line in open(results):
    f = line.split()
    if f[0] == "lag":
        name, t0, t1, base = f[1], float(f[3]), float(f[4]), f[5]
        src = load(base + ".src", 1)
        r = {"nat slot": lags(src, load(base + ".src", 2), t0, t1),
             "mig slot": lags(src, load(base + ".src", 3), t0, t1),
             "nat applied": lags(src, load(base + ".nat", 1), t0, t1),
             "mig applied": lags(src, load(base + ".mig", 1), t0, t1)}
        lagrows.setdefault(name, []).append({k: (pct(v, 50), pct(v, 99)) for k, v in r.items()})
    elif f[0] in ("drain", "drainhot", "drainalone", "fullident", "bigtxn"):
        {"drain": drain, "drainhot": drainhot, "drainalone": alone, "fullident": full,
         "bigtxn": big}[f[0]].append(
            tuple(float(x) for x in f[2:5]))
def med(xs): return statistics.median(xs) if xs else float("nan")
def spread(xs): return f"{min(xs):.2f}-{max(xs):.2f}" if xs else "-"
print(f"\n== results: pgbench scale {scale}, {rounds} round(s), durable servers; medians (spread over rounds)")
print(f"{'load':10} {'lag':12} {'native p50':>18} {'migtop p50':>18} {'ratio':>6} {'native p99':>18} {'migtop p99':>18} {'ratio':>6}")
for name, rs in lagrows.items():
    for kind in ("slot", "applied"):
        n50 = [r["nat " + kind][0] for r in rs]; m50 = [r["mig " + kind][0] for r in rs]
        n99 = [r["nat " + kind][1] for r in rs]; m99 = [r["mig " + kind][1] for r in rs]
        r50 = med(m50) / med(n50) if med(n50) > 0 else (1.0 if med(m50) <= 0.001 else float("inf"))
        r99 = med(m99) / med(n99) if med(n99) > 0 else (1.0 if med(m99) <= 0.001 else float("inf"))
        print(f"{name:10} {kind:12} {med(n50):7.3f} ({spread(n50):>9}) {med(m50):7.3f} ({spread(m50):>9}) {r50:6.2f} "
              f"{med(n99):7.3f} ({spread(n99):>9}) {med(m99):7.3f} ({spread(m99):>9}) {r99:6.2f}")
for label, rows in (("30 s backlog drain (s)", drain), ("the same, hot rows (s)", drainhot),
                    ("the same, each alone (s)", alone),
                    ("1 M row transaction (s)", big), ("FULL identity drain (s)", full)):
    if rows:
        n = [r[0] for r in rows]; m = [r[1] for r in rows]; fl = [r[2] for r in rows if len(r) > 2]
        floor = f"  decoding alone {med(fl):6.2f} ({spread(fl)})" if fl else ""
        print(f"{label:26} native {med(n):6.2f} ({spread(n)})  migtop {med(m):6.2f} ({spread(m)})  ratio {med(m) / med(n):5.2f}{floor}")
print("goals: slot lag p50 <= 1.5x and p99 <= 2x native's, applied lag <= 1x; drain time <= 0.67x (rate >= 1.5x); big transaction <= 1.0x")
PY
