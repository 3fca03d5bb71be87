#!/usr/bin/env bash
# CDC throughput and lag, migtop against PostgreSQL's native logical
# replication, in one run on the same load: one source (pgbench scale 30),
# two sinks with the same data, one fed by CREATE SUBSCRIPTION ... WITH
# (copy_data = false), the other by a migtop local task's CDC; then
# pgbench -c 4 -T 20 on the source, replicated by both at once.
# Figures: the load's tps; per side the lag p50/p99/max during the load
# and the catch-up time after it stops.
#
# Lag is measured the same way for both: every 100 ms a procedure on each
# cluster records clock_timestamp() with the source's WAL position (on the
# source) or the replication origin's applied position (on each sink: the
# subscription's pg_<oid>, the task's migtop_<slot>). A sink's lag at a
# sample is how long ago the source's WAL passed the position it has
# applied (interpolated between source samples). Catch-up is the time from
# the end of the load until a sink's applied position reaches its final
# value. Targets (issue 6): migtop keeps up, p99 lag < 1 s, catch-up at
# most 1.5x native's.
#   bench/cdc.sh [SCALE] [CLIENTS] [SECONDS]   (default 30 4 20)
#   MIGTOP_BUILD_DIR=build-x bench/cdc.sh      (default: scripts/build.sh, build/)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-30}
clients=${2:-4}
secs=${3:-20}
if [ -n "${MIGTOP_BUILD_DIR:-}" ]; then
  build=$(cd "$MIGTOP_BUILD_DIR" && pwd)
else
  scripts/build.sh >/dev/null
  build=$PWD/build
fi
bin=$build/bin/migtop
export MIGTOP_BIN=$bin # the runner engine_tool create starts
tool=$build/tests/engine/engine_tool
[ -x "$tool" ] || { echo "bench/cdc.sh: $tool is missing (build the tests)" >&2; exit 1; }
work=$(mktemp -d)
chmod 0755 "$work"
export PGC_ROOT=$work/pgc
mkdir -p "$PGC_ROOT"
source tests/support/pgcluster.sh
state=$work/state
cleanup() {
  local l p
  for l in "$state"/tasks/*/runner.lock; do
    [ -f "$l" ] || continue
    p=$(cat "$l" 2>/dev/null || true)
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  sleep 1
  pgc_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

conf=("max_wal_size = 4GB" "checkpoint_timeout = 30min")
pgc_start src "${conf[@]}"
pgc_start nat "${conf[@]}"
pgc_start mig "${conf[@]}"
sp=$(pgc_port src)
echo "== pgbench -i -s $scale on the source"
t0=$(date +%s)
pgbench -q -i -s "$scale" -h 127.0.0.1 -p "$sp" -U postgres postgres >"$work/init.out" 2>&1
echo "   $(( $(date +%s) - t0 )) s"
# pgbench's history has no key: CDC (migtop's precheck) wants a replica
# identity; it only gets inserts, so FULL costs neither side anything.
pgc_psql src -d postgres -c "ALTER TABLE pgbench_history REPLICA IDENTITY FULL" >/dev/null
tables='public.pgbench_accounts, public.pgbench_branches, public.pgbench_tellers, public.pgbench_history'

echo "== native sink: pg_dump | pg_restore, then CREATE SUBSCRIPTION (copy_data = false)"
echo "== migtop sink: a local task (init-struct, init-data, then CDC)"
pgc_psql src -d postgres -c "CREATE PUBLICATION bench_pub FOR TABLE $tables" >/dev/null
t0=$(date +%s)
"$tool" create "$state" bench "postgres:x@127.0.0.1:$sp/postgres" \
  "postgres:x@127.0.0.1:$(pgc_port mig)/postgres" \
  '"public.pgbench_accounts","public.pgbench_branches","public.pgbench_tellers","public.pgbench_history"' \
  'precheck=true,init-struct=true,init-data=true,cdc=true'
pg_dump -h 127.0.0.1 -p "$sp" -U postgres -Fc -t 'public.pgbench_*' postgres >"$work/dump"
pg_restore -h 127.0.0.1 -p "$(pgc_port nat)" -U postgres -d postgres -j 2 "$work/dump"
pgc_psql nat -d postgres -c "CREATE SUBSCRIPTION bench_sub CONNECTION 'host=127.0.0.1 port=$sp user=postgres dbname=postgres' PUBLICATION bench_pub WITH (copy_data = false)" >/dev/null
metric() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cdc"].get("metrics",{}).get(sys.argv[2],""))' \
    "$state/tasks/bench/status.json" "$1" 2>/dev/null || true
}
for ((i = 0; i < 600; i++)); do
  [ "$(metric state)" = streaming ] && break
  grep -q '"taskStatus": "Failed"' "$state/tasks/bench/status.json" 2>/dev/null && break
  sleep 1
done
[ "$(metric state)" = streaming ] || { tail "$state"/tasks/bench/*.log; echo "migtop CDC not streaming" >&2; exit 1; }
echo "   both ready after $(( $(date +%s) - t0 )) s"
for ((i = 0; i < 60; i++)); do
  [ -n "$(pgc_psql nat -d postgres -Atc "SELECT pid FROM pg_stat_subscription WHERE subname = 'bench_sub' AND pid IS NOT NULL")" ] && break
  sleep 0.5
done
subid=$(pgc_psql nat -d postgres -Atc "SELECT oid FROM pg_subscription WHERE subname = 'bench_sub'")

echo "== samplers (every 100 ms), then pgbench -c $clients -T $secs"
sampler_sql() { # QUERY
  cat <<SQL
CREATE DATABASE bench;
\c bench
CREATE TABLE s (t timestamptz, lsn pg_lsn);
CREATE PROCEDURE sample(secs float) LANGUAGE plpgsql AS \$p\$
DECLARE stop timestamptz := clock_timestamp() + secs * interval '1 second'; v pg_lsn;
BEGIN
  WHILE clock_timestamp() < stop LOOP
    $1
    INSERT INTO s VALUES (clock_timestamp(), v);
    COMMIT;
    PERFORM pg_sleep(0.1);
  END LOOP;
END \$p\$;
SQL
}
sampler_sql "v := pg_current_wal_lsn();" | pgc_psql src -d postgres >/dev/null
sampler_sql "SELECT remote_lsn INTO v FROM pg_replication_origin_status WHERE external_id = 'pg_$subid';" \
  | pgc_psql nat -d postgres >/dev/null
sampler_sql "SELECT remote_lsn INTO v FROM pg_replication_origin_status WHERE external_id = 'migtop_bench';" \
  | pgc_psql mig -d postgres >/dev/null
total=$((secs + 90))
for c in src nat mig; do
  pgc_psql "$c" -d bench -c "CALL sample($total)" >/dev/null 2>&1 &
done
sleep 1
load_start=$(pgc_psql src -d bench -Atc "SELECT extract(epoch FROM clock_timestamp())")
pgbench -n -c "$clients" -j 2 -T "$secs" -h 127.0.0.1 -p "$sp" -U postgres postgres >"$work/pgbench.out" 2>&1
load_end=$(pgc_psql src -d bench -Atc "SELECT extract(epoch FROM clock_timestamp())")
tps=$(awk '/^tps/ {print $3; exit}' "$work/pgbench.out")
end_lsn=$(pgc_psql src -d postgres -Atc "SELECT pg_current_wal_lsn()")
# Caught up: both origins stable for 3 s.
prev=""
stable=0
for ((i = 0; i < 80; i++)); do
  cur="$(pgc_psql nat -d postgres -Atc "SELECT remote_lsn FROM pg_replication_origin_status WHERE external_id = 'pg_$subid'") $(pgc_psql mig -d postgres -Atc "SELECT remote_lsn FROM pg_replication_origin_status WHERE external_id = 'migtop_bench'")"
  if [ "$cur" = "$prev" ]; then stable=$((stable + 1)); else stable=0; fi
  [ $stable -ge 6 ] && break
  prev=$cur
  sleep 0.5
done
for c in src nat mig; do
  pgc_psql "$c" -d postgres -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = 'bench' AND query LIKE 'CALL sample%'" >/dev/null
  pgc_psql "$c" -d bench -AtF' ' -c "SELECT extract(epoch FROM t), lsn - '0/0' FROM s WHERE lsn IS NOT NULL ORDER BY t" >"$work/$c.samples"
done
wait 2>/dev/null || true

# Equal at the end (count and sum of balances, both sinks).
for c in src nat mig; do
  echo "   $c: $(pgc_psql "$c" -d postgres -Atc "SELECT (SELECT count(*) FROM pgbench_history) || ' history rows, balance ' || (SELECT sum(abalance) FROM pgbench_accounts)")"
done

python3 - "$work" "$load_start" "$load_end" "$tps" "$clients" "$secs" "$scale" <<'PY'
import sys, bisect
work, t0, t1, tps, clients, secs, scale = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
def load(n):
    out = []
    for line in open(f"{work}/{n}.samples"):
        t, l = line.split()
        out.append((float(t), int(float(l))))
    return out
src = load("src")
st = [t for t, _ in src]; sl = [l for _, l in src]
def passed(lsn):
    """When the source's WAL passed lsn (interpolated)."""
    i = bisect.bisect_left(sl, lsn)
    if i == 0: return st[0]
    if i >= len(sl): return None
    l0, l1, a, b = sl[i-1], sl[i], st[i-1], st[i]
    return a if l1 == l0 else a + (b - a) * (lsn - l0) / (l1 - l0)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")
res = {}
for side in ("nat", "mig"):
    s = load(side)
    final = max(l for _, l in s) if s else 0
    lags = []
    for t, l in s:
        if t < t0 or t > t1: continue
        # Lag: since when the source had more than what is applied.
        p = passed(l + 1)
        lags.append(max(0.0, t - p) if p is not None and p <= t else 0.0)
    done = next((t for t, l in s if t >= t1 and l >= final), None)
    res[side] = (lags, (done - t1) if done else float("nan"))
print(f"\npgbench scale {scale}, -c {clients}, {secs} s: {float(tps):.0f} tps on the source (both subscribers running)\n")
print(f"{'':24}{'native':>12}{'migtop':>12}")
for name, f in (("lag p50 (s)", lambda r: pct(r[0], 50)), ("lag p99 (s)", lambda r: pct(r[0], 99)),
                ("lag max (s)", lambda r: max(r[0]) if r[0] else float('nan')),
                ("catch-up after load (s)", lambda r: r[1])):
    print(f"{name:24}{f(res['nat']):>12.3f}{f(res['mig']):>12.3f}")
n, m = res["nat"][1], res["mig"][1]
ratio = m / n if n and n > 0 else float("inf")
p99 = pct(res["mig"][0], 99)
print(f"\ncatch-up ratio migtop/native: {ratio:.2f} (goal <= 1.5); migtop p99 lag {p99:.3f} s (goal < 1 s)")
PY
