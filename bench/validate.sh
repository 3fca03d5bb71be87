#!/usr/bin/env bash
# Data validation cost beside the obvious peer, in the same run: pgbench
# scale 30 (3,000,000 rows in pgbench_accounts) loaded on two throwaway
# PostgreSQL 15 servers, then
#   migtop validate --full   on pgbench_accounts (both sides, every range)
#   the peer: SELECT md5(string_agg(a::text, '' ORDER BY aid)) FROM
#             pgbench_accounts a, on the source and on the sink, timed run
#             one after the other (sequential) and both at once (parallel)
#   migtop validate --sample 8
# Goal (issue 4): full mode within 1.5x of the peer. Figures only, no
# pass/fail.
#   bench/validate.sh [SCALE] [RUNS]     (default 30, 3)
#   MIGTOP_BIN=path/to/migtop bench/validate.sh   (default: build, use build/)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-30}
runs=${2:-3}
if [ -z "${MIGTOP_BIN:-}" ]; then
  scripts/build.sh >/dev/null
  MIGTOP_BIN=$PWD/build/bin/migtop
fi
. tests/support/pgcluster.sh
trap pgc_cleanup EXIT
pgbench=/usr/lib/postgresql/15/bin/pgbench

pgc_start src
pgc_start snk
SRC="postgresql://postgres@127.0.0.1:$(pgc_port src)/postgres"
SNK="postgresql://postgres@127.0.0.1:$(pgc_port snk)/postgres"
echo "loading pgbench scale $scale on both servers ..."
"$pgbench" -i -q -s "$scale" "$SRC" >/dev/null 2>&1 &
"$pgbench" -i -q -s "$scale" "$SNK" >/dev/null 2>&1
wait
rows=$(pgc_psql src -At -c "SELECT count(*) FROM pgbench_accounts")
size=$(pgc_psql src -At -c "SELECT pg_size_pretty(pg_relation_size('pgbench_accounts'))")
echo "pgbench_accounts: $rows rows, $size; $(nproc) cores; PostgreSQL $(pgc_psql src -At -c 'SHOW server_version')"

now() { date +%s.%N; }
secs() { python3 -c "print('%.2f' % ($2 - $1))"; }
peer_sql="SELECT md5(string_agg(a::text, '' ORDER BY aid)) FROM pgbench_accounts a"
peer() { psql -X -At "$1" -c "$peer_sql"; }

# Warm both caches the same way for everyone: one pass each.
peer "$SRC" >/dev/null
peer "$SNK" >/dev/null

"$MIGTOP_BIN" validate --source "$SRC" --sink "$SNK" --migration-object public.pgbench_accounts \
  --full -o json | python3 -c '
import json, sys
t = json.load(sys.stdin)["tables"][0]
print("validate --full: %d ranges of about %d rows, %s, 2 connections a side" % (t["ranges"],
      t["source_rows"] // max(t["ranges"], 1),
      "one grouped scan a side" if t["one_scan"] else "one query a range"))'

best() { sort -n | head -1; }
full=() sample=() seq=() par=() one=()
for r in $(seq "$runs"); do
  t0=$(now)
  "$MIGTOP_BIN" validate --source "$SRC" --sink "$SNK" \
    --migration-object public.pgbench_accounts --full >/dev/null
  t1=$(now); full+=("$(secs "$t0" "$t1")")

  t0=$(now)
  a=$(peer "$SRC"); t1=$(now)
  b=$(peer "$SNK"); t2=$(now)
  [ "$a" = "$b" ] || echo "peer: md5 differ?" >&2
  one+=("$(secs "$t0" "$t1")")
  seq+=("$(secs "$t0" "$t2")")

  t0=$(now)
  peer "$SRC" >/dev/null & pid=$!
  peer "$SNK" >/dev/null
  wait $pid
  t1=$(now); par+=("$(secs "$t0" "$t1")")

  t0=$(now)
  "$MIGTOP_BIN" validate --source "$SRC" --sink "$SNK" \
    --migration-object public.pgbench_accounts --sample 8 >/dev/null
  t1=$(now); sample+=("$(secs "$t0" "$t1")")
done

f=$(printf '%s\n' "${full[@]}" | best)
s=$(printf '%s\n' "${sample[@]}" | best)
o=$(printf '%s\n' "${one[@]}" | best)
q=$(printf '%s\n' "${seq[@]}" | best)
p=$(printf '%s\n' "${par[@]}" | best)
echo
echo "best of $runs runs (seconds):"
printf '  %-58s %7s\n' "migtop validate --full (source + sink, every range)" "$f"
printf '  %-58s %7s\n' "migtop validate --sample 8 (8 ranges + exact counts)" "$s"
printf '  %-58s %7s\n' "peer md5(string_agg ORDER BY aid), source only" "$o"
printf '  %-58s %7s\n' "peer on source then sink (sequential)" "$q"
printf '  %-58s %7s\n' "peer on source and sink at once (parallel)" "$p"
echo
python3 - "$f" "$o" "$q" "$p" <<'EOF'
import sys
f, o, q, p = map(float, sys.argv[1:])
print("ratio full / peer, parallel (both sides at once): %.2fx   (goal <= 1.5x)" % (f / p))
print("ratio full / peer, sequential (source then sink): %.2fx" % (f / q))
print("ratio full / peer, one side only:                 %.2fx" % (f / o))
EOF
