#!/usr/bin/env bash
# The cost of one pgprobe live-readings tick on the source (the slot
# reading + the write-activity reading, two queries on one connection),
# measured as the client sees it, next to a bare SELECT 1 round trip (the
# floor) and the naive way (five whole views, one round trip each).
# Goal (issue 4): a tick under 5 ms. Three situations: an idle source, a
# source with 100 idle sessions, and a source under pgbench write load
# with the slot consumed by pg_recvlogical.
#   bench/pgprobe-tick.sh [TICKS]   (default 300)
#   MIGTOP_BUILD_DIR=... to use an existing build instead of scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
if [ -z "${MIGTOP_BUILD_DIR:-}" ]; then
  scripts/build.sh >/dev/null
  MIGTOP_BUILD_DIR=$PWD/build
fi
tool=$MIGTOP_BUILD_DIR/tests/pgprobe/pgprobe_tool
PGBIN=/usr/lib/postgresql/15/bin
source tests/support/pgcluster.sh
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pgc_cleanup' EXIT
pgc_start src "max_connections = 200" >/dev/null
port=$(pgc_port src)
ep="host=127.0.0.1 port=$port user=postgres dbname=bench"
pgc_psql src -c "CREATE DATABASE bench"
"$PGBIN/pgbench" -q -i -s 5 -h 127.0.0.1 -p "$port" -U postgres bench >/dev/null 2>&1
pg_recvlogical -h 127.0.0.1 -p "$port" -U postgres -d bench --slot bench_slot --create-slot -P test_decoding
pg_recvlogical -h 127.0.0.1 -p "$port" -U postgres -d bench --slot bench_slot --start -f /dev/null &
pids+=("$!")
echo "cpu: $(nproc) core(s), load $(cut -d' ' -f1-3 /proc/loadavg); $n ticks per situation"
echo
run() {
  printf '%s\n' "-- $1"
  "$tool" ticks "$ep" bench_slot "$n"
}
run "idle source"
for _ in $(seq 100); do
  psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d bench -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
  pids+=("$!")
done
sleep 2
run "100 idle sessions"
"$PGBIN/pgbench" -h 127.0.0.1 -p "$port" -U postgres -c 4 -T 600 bench >/dev/null 2>&1 &
pids+=("$!")
sleep 2
run "pgbench -c 4 writing, slot consumed, 100 idle sessions"
echo
echo "goal: tick p50 < 5 ms (select1 = one round trip, the floor; naive = 5 whole views)"
