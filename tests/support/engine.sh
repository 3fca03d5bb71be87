# Shared by the engine, CDC, wizard and cutover shell tests: two real PostgreSQL clusters
# (tests/support/pgcluster.sh), the engine_tool driver, waiting on a local
# task's status, and comparing the sink with the source. Source this file
# after `set -euo pipefail`; it installs its own EXIT trap (et_cleanup).
# Sourced once per test (cdc/lib.sh and engine_tui.sh both bring it).
[ -n "${ET_SOURCED:-}" ] && return 0
ET_SOURCED=1
src=${MIGTOP_SOURCE_DIR:?}
bin=${MIGTOP_BIN:?}
build=${MIGTOP_BUILD_DIR:?}
tool=$build/tests/engine/engine_tool
work=$(mktemp -d)
chmod 0755 "$work"
state=$work/state
export PGC_ROOT=$work/pgc
mkdir -p "$PGC_ROOT"
source "$src/tests/support/pgcluster.sh"
source "$src/tests/support/runners.sh"

ET_PIDS=()
et_cleanup() {
  local p
  for p in "${ET_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  runners_stop "$state"
  pgc_cleanup
  if [ "${ET_KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap et_cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# capture CMD...: runs it, its output (both streams) in $out and printed,
# its exit code in $rc, without set -e ending the test.
capture() {
  set +e
  out=$("$@" 2>&1)
  rc=$?
  set -e
  echo "$out"
}

# et_endpoint NAME USER PASSWORD -> user:password@127.0.0.1:PORT/postgres
et_endpoint() { echo "$2:$3@127.0.0.1:$(pgc_port "$1")/postgres"; }

# One line: status=... precheck=... init-struct=... init-data=... [init_failed=...]
et_show() { "$tool" show "$state" "$1"; }

# et_wait_status NAME REGEX SECS: waits until `show` matches.
et_wait_status() {
  local name=$1 re=$2 secs=${3:-60} i line=""
  for ((i = 0; i < secs * 5; i++)); do
    line=$(et_show "$name" 2>&1 || true)
    if grep -Eq -- "$re" <<<"$line"; then return 0; fi
    sleep 0.2
  done
  echo "--- timed out after ${secs}s waiting for /$re/; last: $line" >&2
  for f in "$state/tasks/$name"/*.log "$state/tasks/$name"/runner.out; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
  done
  return 1
}

# Tables of the sample (tests/engine/sample.sql [+ sample_postgis.sql]).
ET_SAMPLE_TABLES=('public.customers' '"Sales Dept"."Order ""Lines"""' 'public."MixedCase"' 'public.empty_one' 'public.catalog_refs')

# et_load_sample CLUSTER: loads the sample; adds PostGIS when installed.
# Sets ET_POSTGIS=1 when it did.
et_load_sample() {
  pgc_psql "$1" -d postgres -f "$src/tests/engine/sample.sql" >/dev/null
  ET_POSTGIS=0
  if [ -n "$(pgc_psql "$1" -d postgres -Atc "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")" ]; then
    pgc_psql "$1" -d postgres -f "$src/tests/engine/sample_postgis.sql" >/dev/null
    ET_SAMPLE_TABLES+=('public.places')
    ET_POSTGIS=1
  fi
}

# et_fingerprint CLUSTER TABLE: row count and a digest of every row's text,
# in a fixed order, so two sides compare equal only with the same rows.
et_fingerprint() {
  pgc_psql "$1" -d postgres -Atc \
    "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '-') FROM $2 t"
}

# et_same_rows TABLE...: the sink's rows equal the source's.
et_same_rows() {
  local t a b
  for t in "$@"; do
    a=$(et_fingerprint src "$t")
    b=$(et_fingerprint sink "$t")
    [ "$a" = "$b" ] || fail "$t: source has $a, sink has $b"
    echo "same rows: $t ($a)"
  done
}

# The structure the steps must recreate: indexes, constraints, triggers
# of the given schemas, by definition.
et_structure() {
  pgc_psql "$1" -d postgres -At <<SQL
SELECT 'index ' || schemaname || '.' || tablename || ' ' || indexdef FROM pg_indexes
 WHERE schemaname IN ($2)
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
 FROM pg_constraint WHERE connamespace::regnamespace::text IN ($2) AND conrelid <> 0
UNION ALL
SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger
 WHERE NOT tgisinternal AND tgrelid::regclass::text NOT LIKE 'pg_%'
ORDER BY 1
SQL
}

# et_same_structure "'public', 'Sales Dept'"
et_same_structure() {
  et_structure src "$1" >"$work/struct.src"
  et_structure sink "$1" >"$work/struct.sink"
  diff -u "$work/struct.src" "$work/struct.sink" || fail "the sink's indexes/constraints/triggers differ"
  echo "same structure: $(wc -l <"$work/struct.src") indexes, constraints and triggers"
}

# et_no_slot CLUSTER NAME: neither the slot nor the publication exist.
et_no_slot() {
  local slot=${2//-/_}
  local n
  n=$(pgc_psql "$1" -d postgres -Atc "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$slot') + (SELECT count(*) FROM pg_publication WHERE pubname = '${slot}_publication_for_all_tables')")
  [ "$n" = 0 ] || fail "slot or publication of $2 still on the source"
}

# et_pair [SRC_CONF_LINE...]: the two clusters "src" and "sink" with the
# migration role mig on each, a superuser with a password (src-pw,
# sink-pw), REPLICATION on the source. Extra lines go to the source's
# postgresql.conf.
et_pair() {
  pgc_start src "$@"
  pgc_start sink
  pgc_psql src -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER REPLICATION PASSWORD 'src-pw'" >/dev/null
  pgc_psql sink -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER PASSWORD 'sink-pw'" >/dev/null
}

# et_pair_task NAME [OBJECTS]: a local task between the pair's clusters
# (every step, CDC included) created, and waited for until it is Running.
et_pair_task() {
  "$tool" create "$state" "$1" "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
    "${2:-\"public\"}" 'precheck=true,init-struct=true,init-data=true,cdc=true'
  et_wait_status "$1" 'status=Running' 90
}
