# Shared by the CDC tests: the engine tests' helpers (two clusters,
# engine_tool, fingerprints), plus a source with the sample's types, a
# TOAST table, a table for truncates and pgbench's tables; the workloads
# that write to them; and waiting until the sink has caught up.
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

# CDC sets up a replication origin and session_replication_role on the
# sink, and the publication on the source needs the tables' owner: both
# accounts are superusers here, with passwords (tested for real).
cdc_setup() {
  local scale=${1:-1}
  pgc_start src "wal_sender_timeout = 10s" "max_wal_size = 1GB"
  pgc_start sink "max_wal_size = 1GB"
  et_load_sample src
  pgc_psql src -d postgres <<'SQL' >/dev/null
CREATE TABLE public.toasty (id int PRIMARY KEY, big text, small int);
ALTER TABLE public.toasty ALTER big SET STORAGE EXTERNAL;
INSERT INTO public.toasty SELECT g, repeat(md5(g::text), 200), g FROM generate_series(1, 50) g;
CREATE TABLE public.trunc_me (id int PRIMARY KEY, v text);
INSERT INTO public.trunc_me SELECT g, 'v' || g FROM generate_series(1, 100) g;
CREATE ROLE mig LOGIN SUPERUSER REPLICATION PASSWORD 'src:pw';
SQL
  pgbench -q -i -s "$scale" -h 127.0.0.1 -p "$(pgc_port src)" -U postgres postgres >/dev/null 2>&1
  # pgbench's history has no key: precheck wants a replica identity for CDC.
  pgc_psql src -d postgres -c "ALTER TABLE pgbench_history REPLICA IDENTITY FULL" >/dev/null
  pgc_psql sink -d postgres -c "CREATE ROLE loader LOGIN SUPERUSER PASSWORD 'sink:pw'" >/dev/null
  CDC_TABLES=("${ET_SAMPLE_TABLES[@]}" public.toasty public.trunc_me public.pgbench_accounts
    public.pgbench_branches public.pgbench_tellers public.pgbench_history)
}

# cdc_create NAME: the task (every step, CDC included), detached.
cdc_create() {
  "$tool" create "$state" "$1" "$(et_endpoint src mig 'src:pw')" "$(et_endpoint sink loader 'sink:pw')" \
    '"public","Sales Dept"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
}

# cdc_pgbench SECONDS [CLIENTS]: TPC-B on the source, in the background.
cdc_pgbench() {
  pgbench -n -T "$1" -c "${2:-2}" -h 127.0.0.1 -p "$(pgc_port src)" -U postgres postgres \
    >"$work/pgbench.$BASHPID.out" 2>&1 &
  ET_PIDS+=($!)
  CDC_LOAD_PIDS+=($!)
}

# The custom workload, ROUNDS rounds of every operation, each statement its
# own transaction: insert, update, update of the primary key, delete,
# truncate, TOAST values updated and left unchanged, a REPLICA IDENTITY
# FULL table without a key (duplicates included), arrays, jsonb, enum,
# composite and, with PostGIS, geometry.
cdc_custom_sql() {
  local rounds=$1 i
  for ((i = 1; i <= rounds; i++)); do
    cat <<SQL
INSERT INTO public.customers (name, feeling, age, home, scores, labels, moods, doc)
  VALUES ('new $i ''q''', 'happy', 30, ROW('st $i', '12345', ARRAY['t,{$i}'])::"Address",
          ARRAY[$i, NULL], ARRAY['a"b', 'c\\d'], ARRAY['ok']::mood[], '{"i": $i, "ü": [1, 2.50]}');
UPDATE public.customers SET doc = doc || '{"u": $i}', scores = scores || $i, feeling = 'sad',
  home.zip = '$((10000 + i))' WHERE id = $((i * 7 % 2000 + 1));
UPDATE "Sales Dept"."Order ""Lines""" SET amount = amount + 1, "Tier" = 'gold' WHERE "Line ID" = $((i * 13 % 5000 + 1));
DELETE FROM "Sales Dept"."Order ""Lines""" WHERE "Line ID" = $((i * 17 % 5000 + 1));
UPDATE public.toasty SET small = small + 1 WHERE id = $((i % 50 + 1));
UPDATE public.toasty SET big = repeat(md5('$i'), 250) WHERE id = $(((i + 25) % 50 + 1));
UPDATE public.toasty SET id = id + 1000 WHERE id = $((i % 50 + 1));
UPDATE public.toasty SET id = id - 1000 WHERE id = $((i % 50 + 1001));
INSERT INTO public.toasty VALUES ($((100 + i)), repeat('x$i', 3000), $i);
DELETE FROM public.toasty WHERE id = $((100 + i - 1));
INSERT INTO public."MixedCase" VALUES ('dup', '\\x01'), ('dup', '\\x01'), ('r$i', NULL);
UPDATE public."MixedCase" SET v = '\\x02' WHERE k = 'r$((i - 1))';
DELETE FROM public."MixedCase" WHERE ctid = (SELECT ctid FROM public."MixedCase" WHERE k = 'dup' LIMIT 1);
BEGIN; INSERT INTO public.trunc_me VALUES ($((1000 + i)), 'in txn'); UPDATE public.trunc_me SET v = 'upd' WHERE id = $((1000 + i)); COMMIT;
SQL
    if [ "${ET_POSTGIS:-0}" = 1 ]; then
      echo "UPDATE public.places SET geom = ST_Translate(geom, 1, 1) WHERE id = $((i % 10 + 1));"
    fi
    if ((i % 10 == 0)); then
      echo "TRUNCATE public.trunc_me; INSERT INTO public.trunc_me SELECT g, 'after $i' FROM generate_series(1, 20) g;"
    fi
  done
}

# cdc_custom ROUNDS: the custom workload in the background.
cdc_custom() {
  cdc_custom_sql "$1" >"$work/custom.sql"
  pgc_psql src -d postgres -f "$work/custom.sql" >"$work/custom.out" 2>&1 &
  ET_PIDS+=($!)
  CDC_LOAD_PIDS+=($!)
}

cdc_wait_load() {
  local p
  for p in "${CDC_LOAD_PIDS[@]}"; do wait "$p" || fail "a workload failed: $(cat "$work"/custom.out "$work"/pgbench.*.out 2>/dev/null | tail -5)"; done
  CDC_LOAD_PIDS=()
}

# cdc_metric NAME KEY: a CDC metric from the task's status.json.
cdc_metric() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cdc"].get("metrics",{}).get(sys.argv[2],""))' \
    "$state/tasks/$1/status.json" "$2" 2>/dev/null || true
}

# cdc_wait_running NAME SECS: CDC streaming (its position in the status).
cdc_wait_running() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    [ "$(cdc_metric "$1" state)" = streaming ] && [ -n "$(cdc_metric "$1" source_position)" ] && return 0
    sleep 0.2
  done
  et_show "$1" >&2 || true
  tail -20 "$state/tasks/$1/"*.log >&2 || true
  fail "CDC of $1 not streaming after $2 s"
}

# cdc_same_tables NAME SECS TABLE...: once writes stopped, the sink's rows
# equal the source's for every table given (retried while CDC catches up).
cdc_same_tables() {
  local name=$1 secs=$2 t a b i pending
  shift 2
  for ((i = 0; i < secs; i++)); do
    pending=""
    for t in "$@"; do
      a=$(et_fingerprint src "$t")
      b=$(et_fingerprint sink "$t" 2>&1 || true)
      [ "$a" = "$b" ] || { pending="$t: source $a, sink $b"; break; }
    done
    if [ -z "$pending" ]; then
      echo "same rows in $# tables after ${i}s (lag $(cdc_metric "$name" lag_seconds) s)"
      return 0
    fi
    sleep 1
  done
  tail -30 "$state/tasks/$name/cdc.log" >&2 || true
  fail "not equal after ${secs}s: $pending"
}

# cdc_wait_same NAME SECS: cdc_same_tables over the tables cdc_setup made.
cdc_wait_same() { cdc_same_tables "$1" "$2" "${CDC_TABLES[@]}"; }

# cdc_runner_pid NAME: the pid holding the task's lock, if alive.
cdc_runner_pid() {
  local p
  p=$(cat "$state/tasks/$1/runner.lock" 2>/dev/null || true)
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}

# cdc_start_runner NAME: a runner again, detached like `create` starts it.
cdc_start_runner() {
  (setsid "$bin" run "$1" --state-dir "$state" --quiet >>"$work/runner.out" 2>&1 </dev/null &)
}
