#!/usr/bin/env bash
# Parallel apply (engine/apply_lanes.h) keeps serial apply's result under
# the writes that break a naive one, written by several clients at once
# so the stream never pauses and groups run beside the commit before:
# - a value of a unique column moved from a row deleted to a row inserted
#   in the next transaction (a sink applying the insert first refuses it:
#   a table with unique indexes besides its key waits as a whole);
# - rows inserted, updated, deleted and inserted again in consecutive
#   transactions by key (a change sent before the insert it follows is
#   committed finds no row);
# - a REPLICA IDENTITY FULL table whose rows are found by a value left
#   out as unchanged TOAST (through the index on another column), and one
#   whose rows are equal numbers told apart by their text (1.0, 1.00);
# - a TRUNCATE amid it all;
# then rows no two transactions share, as fast as the source writes them.
# With two lanes, a TRUNCATE held up on the sink (a lock on a table its
# group writes first) while the next group writes the truncated table: no
# deadlock inside migtop (that group must wait for the TRUNCATE's, not
# take the table's lock before it), both applied once the lock goes.
# Then: every table equal, no session failed (no reconnect, no error),
# the CDC metrics' parallel_apply figure shows groups applied side by side
# and changes that waited on a key (in the dashboard's detail, at 80x24,
# too), and the same load with one lane agrees.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh" # its helpers (engine.sh is in already)

pgc_start src "max_wal_size = 1GB" # wal_sender_timeout at its default: a group may take seconds under load
pgc_start sink "max_wal_size = 1GB"
pgc_psql src -d postgres <<'SQL' >/dev/null
CREATE ROLE mig LOGIN SUPERUSER REPLICATION PASSWORD 'src:pw';
CREATE TABLE public.uniq (id bigserial PRIMARY KEY, v int NOT NULL UNIQUE, n int NOT NULL DEFAULT 0);
INSERT INTO public.uniq (v) SELECT g FROM generate_series(1, 200) g;
CREATE TABLE public.churn (id int PRIMARY KEY, n int NOT NULL);
CREATE TABLE public.fullrow (k int, big text, n int);
ALTER TABLE public.fullrow REPLICA IDENTITY FULL;
ALTER TABLE public.fullrow ALTER big SET STORAGE EXTERNAL;
CREATE INDEX ON public.fullrow (k);
CREATE TABLE public.fullnum (v numeric NOT NULL, note text NOT NULL);
ALTER TABLE public.fullnum REPLICA IDENTITY FULL;
CREATE INDEX ON public.fullnum (v);
INSERT INTO public.fullnum VALUES (1.0, 'n'), (1.00, 'n'), (1.000, 'n');
CREATE TABLE public.trunc (id int PRIMARY KEY, v text);
CREATE TABLE public.spread (id bigint PRIMARY KEY, v int NOT NULL);
CREATE TABLE public.held (id int PRIMARY KEY);
CREATE TABLE public.trunc_held (id int PRIMARY KEY, v text);
INSERT INTO public.trunc_held SELECT g, 'before' FROM generate_series(1, 50) g;
SQL
pgc_psql sink -d postgres -c "CREATE ROLE loader LOGIN SUPERUSER PASSWORD 'sink:pw'" >/dev/null
tables=(public.uniq public.churn public.fullrow public.fullnum public.trunc public.spread
        public.held public.trunc_held)

cat >"$work/moves.sql" <<'SQL'
\set v random(1, 200)
DELETE FROM public.uniq WHERE v = :v;
INSERT INTO public.uniq (v) VALUES (:v) ON CONFLICT (v) DO NOTHING;
UPDATE public.uniq SET n = n + 1 WHERE v = :v;
SQL
cat >"$work/churn.sql" <<'SQL'
\set k random(1, 30)
INSERT INTO public.churn VALUES (:k, 0) ON CONFLICT (id) DO UPDATE SET n = public.churn.n + 1;
UPDATE public.churn SET n = n + 10 WHERE id = :k;
DELETE FROM public.churn WHERE id = :k AND n % 3 = 0;
INSERT INTO public.churn VALUES (:k, 1) ON CONFLICT (id) DO NOTHING;
SQL
cat >"$work/full.sql" <<'SQL'
\set k random(1, 5)
INSERT INTO public.fullrow SELECT :k, string_agg(md5(random()::text), ''), 0 FROM generate_series(1, 80);
UPDATE public.fullrow SET n = n + 1 WHERE k = :k;
DELETE FROM public.fullrow WHERE k = :k AND n > 2;
UPDATE public.fullnum SET v = 1.00, note = 'n' WHERE v::text = '1.00';
SQL
cat >"$work/trunc.sql" <<'SQL'
\set k random(1, 1000)
INSERT INTO public.trunc VALUES (:k, 'x') ON CONFLICT (id) DO UPDATE SET v = public.trunc.v || 'y';
SQL

cat >"$work/spread.sql" <<'SQL'
\set k random(1, 1000000000)
INSERT INTO public.spread VALUES (:k, 1) ON CONFLICT (id) DO UPDATE SET v = public.spread.v + 1;
SQL

# load SECONDS: every script at once, 5 clients, on the source.
load() {
  pgbench -n -T "$1" -R 250 -c 5 -j 2 -h 127.0.0.1 -p "$(pgc_port src)" -U postgres postgres \
    -f "$work/moves.sql@8" -f "$work/churn.sql@8" -f "$work/full.sql@1" -f "$work/trunc.sql@4" \
    >"$work/load.out" 2>&1 &
  local p=$!
  sleep $(($1 / 2))
  pgc_psql src -d postgres -c "TRUNCATE public.trunc" >/dev/null
  wait "$p" || { cat "$work/load.out"; fail "the load failed"; }
  grep -E '^number of transactions actually processed' "$work/load.out"
}

# run NAME LANES: a task applying with LANES sink sessions, under the load.
run() {
  local name=$1
  export MIGTOP_APPLY_LANES=$2
  "$tool" create "$state" "$name" "$(et_endpoint src mig 'src:pw')" \
    "$(et_endpoint sink loader 'sink:pw')" '"public"' \
    'precheck=true,init-struct=true,init-data=true,cdc=true'
  cdc_wait_running "$name" 90
  load 10
  # Then rows nobody else writes, as fast as the source takes them: groups
  # that do not depend on the one before (the hot rows above chain them).
  pgbench -n -T 4 -c 2 -j 2 -h 127.0.0.1 -p "$(pgc_port src)" -U postgres postgres \
    -f "$work/spread.sql" >"$work/spread.out" 2>&1 || { cat "$work/spread.out"; fail "the load failed"; }
  cdc_same_tables "$name" 150 "${tables[@]}"
  sleep 1.5 # the next second's figures
  par=$(cdc_metric "$name" parallel_apply)
  echo "parallel_apply ($2 lane(s)): $par"
  [ "$(cdc_metric "$name" reconnects)" = 0 ] || {
    grep -E 'ERROR|WARN' "$state/tasks/$name/cdc.log" | tail -5
    fail "a sink session failed under the load ($(cdc_metric "$name" reconnects) reconnects)"
  }
  [ "$(cdc_metric "$name" last_error)" = none ] || fail "CDC error: $(cdc_metric "$name" last_error)"
  # The FULL identity rows were found through their index on the sink (a
  # scan that reads every row's TOAST value held the apply at ~10 changes
  # a second), and fullnum's 1.00 row, not its equal 1.0 or 1.000 (found
  # first by the index), changed: the tables' rows equal above.
  sleep 1 # statistics reach the view once a backend is idle a second
  local idx
  idx=$(pgc_psql sink -d postgres -Atc "SELECT idx_scan FROM pg_stat_user_tables WHERE relid = 'public.fullrow'::regclass")
  echo "fullrow on the sink: $idx index scans"
  [ "${idx:-0}" -gt 0 ] || fail "the FULL identity rows were not found through their index"
}

echo "== two lanes"
run ln 2
[[ "$par" =~ ^2\ sink\ sessions,\ ([0-9]+)\ of\ ([0-9]+)\ groups\ overlapped\ \(([0-9]+)%\),\ ([0-9]+)\ key\ waits$ ]] \
  || fail "no parallel_apply figure for two lanes: $par"
[ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no group was applied beside the commit before: $par"
[ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] || fail "more groups overlapped than committed: $par"
[ "${BASH_REMATCH[4]}" -gt 0 ] || fail "no change waited on a key in flight: $par"
echo "== a TRUNCATE held up on the sink, the next group on its table"
# Groups one by one, none waiting on a key: lanes taking turns again
# (not chained behind each other after the hot rows). Then both lanes
# know held and trunc_held (resolved on the sink: a TRUNCATE of a table
# its lane has not met asks the sink first, behind what waits there), and
# trunc_held by its UPDATEs only: the next group's INSERT into it is
# prepared when its batch starts, which takes the table's lock.
for i in $(seq 20); do
  pgc_psql src -d postgres -c "INSERT INTO public.spread VALUES (-$i, 0)" >/dev/null
  sleep 0.05
done
for i in $(seq 8); do
  pgc_psql src -d postgres -c "BEGIN" -c "UPDATE public.trunc_held SET v = 'u$i' WHERE id = $i" \
    -c "INSERT INTO public.held VALUES (-$i)" -c "COMMIT" >/dev/null
  sleep 0.1
done
sleep 1
# The sink's held stays locked 4 s: the first group's INSERT waits there,
# its TRUNCATE behind it, not yet run.
pgc_psql sink -d postgres -c "BEGIN" -c "LOCK TABLE public.held IN ACCESS EXCLUSIVE MODE" \
  -c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null &
holder=$!
for ((i = 0; i < 50; i++)); do
  [ "$(pgc_psql sink -d postgres -Atc "SELECT count(*) FROM pg_locks WHERE relation = 'public.held'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
  sleep 0.1
done
pgc_psql src -d postgres -c "BEGIN" -c "INSERT INTO public.held VALUES (1)" \
  -c "TRUNCATE public.trunc_held" -c "COMMIT" >/dev/null
sleep 0.7
# The next group: a change of its own first (its session's transaction
# open), then the truncated table.
pgc_psql src -d postgres -c "BEGIN" -c "INSERT INTO public.spread VALUES (-100, 0)" \
  -c "INSERT INTO public.trunc_held VALUES (7, 'after')" -c "COMMIT" >/dev/null
wait "$holder"
t0=$(date +%s)
cdc_same_tables ln 12 public.held public.trunc_held public.spread
echo "applied $(($(date +%s) - t0)) s after the lock went"
[ "$(cdc_metric ln reconnects)" = 0 ] || fail "the apply reconnected: $(cdc_metric ln reconnects)"
[ "$(cdc_metric ln last_error)" = none ] || fail "CDC error: $(cdc_metric ln last_error)"

echo "== the dashboard's CDC metrics say so, at 80x24"
tmux_start 80 24 "$bin --backend local --state-dir $state"
see 'ln +.*Running' 15
tmux_keys Enter
see 'CDC Metrics' 10
for ((i = 0; i < 40; i++)); do
  tmux_screen | grep -q 'parallel_apply' && break
  tmux_keys j
  sleep 0.1
done
see 'parallel_apply +2 sink sessions, [0-9]+ of [0-9]+ groups' 5
tmux_keys q
see 'migtop exited with 0' 30 # under ASan: its leak check done, no leak
tmux_cleanup
"$tool" terminate "$state" ln
for ((i = 0; i < 150; i++)); do [ -d "$state/tasks/ln" ] || break; sleep 0.2; done

echo "== one lane, the same load, on a sink emptied again"
for t in "${tables[@]}"; do pgc_psql sink -d postgres -c "DROP TABLE $t" >/dev/null; done
run l1 1
[ "$par" = "1 sink session" ] || fail "one lane shows: $par"
echo "PASS"
