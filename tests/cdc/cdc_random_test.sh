#!/usr/bin/env bash
# A randomised workload through CDC (issue: every change a real database
# makes reaches the sink): a schema with composite keys, GENERATED ALWAYS
# identities, partitions two levels deep, generated columns, arrays, enums,
# domains, TOAST-sized values and a key-less REPLICA IDENTITY FULL table
# holding duplicates (tests/cdc/random_workload.py). Each round, from its
# seed: a reset (every table truncated in one statement and refilled), then
# random INSERT/UPDATE/DELETE/TRUNCATE in transactions of one or several
# statements, some rolled back, some with a savepoint rolled back, a few
# streamed for their size; then every table equal on both sides by count
# and digest of every row; the hot rows, changed by most transactions,
# with fewer updates on the sink than on the source (they coalesce in the
# sink's groups). CDC_RANDOM_COUNT seeds (20 alone; ctest runs it twice
# with 10, as cdc_random and cdc_random_2), new ones each run, printed; a
# failing one replays alone:
#   CDC_RANDOM_SEEDS="1234" ctest -R cdc_random --output-on-failure
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"
gen=$MIGTOP_SOURCE_DIR/tests/cdc/random_workload.py

if [ -n "${CDC_RANDOM_SEEDS:-}" ]; then
  read -ra seeds <<<"$CDC_RANDOM_SEEDS"
else
  first=$(( ($(date +%s) * 7919 + $$) % 1000000 ))
  seeds=()
  for ((i = 0; i < ${CDC_RANDOM_COUNT:-20}; i++)); do seeds+=($((first + i * 104729))); done
fi
echo "seeds: ${seeds[*]}"

et_pair "wal_sender_timeout = 10s" "logical_decoding_work_mem = 64kB"
python3 "$gen" schema | pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null
read -ra tables <<<"$(python3 "$gen" tables)"
# The rows init-data copies: the first round's reset.
python3 "$gen" round "${seeds[0]}" | pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null

"$tool" create "$state" rnd "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"rnd"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
et_wait_status rnd 'status=Running' 120
cdc_wait_running rnd 60
cdc_same_tables rnd 30 "${tables[@]}"

for seed in "${seeds[@]}"; do
  python3 "$gen" round "$seed" >"$work/round.sql"
  pgc_psql src -d postgres -v ON_ERROR_STOP=1 -f "$work/round.sql" >"$work/round.out" 2>&1 ||
    { tail -5 "$work/round.out" >&2; fail "seed $seed: the workload itself failed on the source"; }
  echo "seed $seed: $(grep -c '^BEGIN' "$work/round.sql") transactions (replay alone: CDC_RANDOM_SEEDS=$seed)"
  cdc_same_tables rnd 60 "${tables[@]}"
done
[ "$(cdc_metric rnd state)" = streaming ] || fail "CDC is $(cdc_metric rnd state) after the rounds"
grep -q 'pgoutput protocol 3, large transactions streamed' "$state/tasks/rnd/cdc.log" ||
  fail "large transactions were not streamed"
# ... and applied as they streamed (cdc_live.h), savepoints and rollbacks
# among them, the sink equal after every round.
live=$(grep -c 'applied as it streamed' "$state/tasks/rnd/cdc.log" || true)
echo "streamed transactions applied as they streamed: $live; let go: $(grep -c 'as it streams stopped' "$state/tasks/rnd/cdc.log" || true)"
[ "$live" -gt 0 ] || fail "no streamed transaction was applied as it streamed"
# The hot rows' updates coalesced inside the sink's groups (apply_batch.c):
# fewer row versions written on the sink than on the source, and the rows
# equal all the same (above). Statistics reach the view within a second
# or two of a backend going idle.
sleep 3
hot_upd() { pgc_psql "$1" -d postgres -Atc "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relid = 'rnd.hot'::regclass"; }
src_upd=$(hot_upd src) sink_upd=$(hot_upd sink)
echo "hot rows: $src_upd updates on the source, $sink_upd on the sink"
[ "$sink_upd" -lt "$src_upd" ] || fail "the hot rows' updates did not coalesce on the sink"
echo "PASS: ${#seeds[@]} seeds equal"
