#!/usr/bin/env bash
# Structure + data initialization, migtop's local engine against its peers,
# in one run on the same two throwaway servers (tests/support/pgcluster.sh):
#   migtop     a local task: precheck=false,init-struct=true,init-data=true,cdc=false
#              (pre-data, parallel COPY with `--jobs` = cores, indexes, constraints)
#   pgcopydb   clone --table-jobs 2 --index-jobs 2 (Debian's pgcopydb)
#   pg_dump    pg_dump -Fc | pg_restore
# on two data sets: pgbench at scale 30, and wide rows with several indexes.
# Then the COPY phase alone on the largest table: migtop's copy of it (its
# parts, start to finish) against a raw `psql COPY TO | psql COPY FROM`
# pipe into the same empty table.
# Goals (issue 5): migtop <= 0.85x pgcopydb's wall time; its COPY >= 90%
# of the raw pipe's throughput.
#   bench/init-data.sh [SCALE] [WIDE_ROWS]     (defaults 30 and 400000)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-30}
wide_rows=${2:-400000}
command -v pgcopydb >/dev/null || scripts/install-deps.sh pgcopydb
# MIGTOP_BIN: a migtop already built (else scripts/build.sh builds build/).
if [ -z "${MIGTOP_BIN:-}" ]; then scripts/build.sh >/dev/null; fi
bin=${MIGTOP_BIN:-$PWD/build/tui/migtop}
work=$(mktemp -d)
chmod 0755 "$work"
export PGC_ROOT=$work/pgc
mkdir -p "$PGC_ROOT"
source tests/support/pgcluster.sh
trap 'pgc_cleanup; rm -rf "$work"' EXIT

# Both servers alike, sized for a bulk load on a small machine.
conf=("shared_buffers = 256MB" "maintenance_work_mem = 256MB" "max_wal_size = 4GB"
      "checkpoint_timeout = 30min" "wal_level = logical")
pgc_start src "${conf[@]}"
pgc_start sink "${conf[@]}"
sp=$(pgc_port src)
kp=$(pgc_port sink)
uri() { echo "postgres://postgres@127.0.0.1:$1/$2"; }
now() { date +%s.%N; }
secs() { printf '%.1f' "$(echo "$2 - $1" | bc -l)"; }

echo "== data sets"
pgc_psql src -d postgres -c "CREATE DATABASE pgbench" -c "CREATE DATABASE wide"
pgbench -q -i -s "$scale" -I dtgvp -h 127.0.0.1 -p "$sp" -U postgres pgbench >/dev/null 2>&1
pgc_psql src -d wide <<SQL
CREATE TABLE events (
  id bigint PRIMARY KEY, created timestamptz NOT NULL, user_id int NOT NULL,
  kind text NOT NULL, amount numeric(14, 2), payload jsonb,
  a text, b text, c text, d text, note text);
INSERT INTO events
SELECT g, timestamptz '2026-01-01' + g * interval '1 second', g % 50000, 'kind-' || (g % 37),
       (g % 100000) / 100.0,
       jsonb_build_object('g', g, 'tags', jsonb_build_array('x' || g % 7, 'y' || g % 11), 'ok', g % 2 = 0),
       md5(g::text) || md5((g + 1)::text), md5((g * 3)::text) || md5((g * 5)::text),
       md5((g * 7)::text) || md5((g * 9)::text), repeat(md5((g * 11)::text), 3),
       repeat('note ' || g || ' ', 12)
FROM generate_series(1, $wide_rows) g;
CREATE INDEX events_created ON events (created);
CREATE INDEX events_user ON events (user_id, created);
CREATE INDEX events_kind ON events (kind);
CREATE INDEX events_a ON events (a);
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL UNIQUE, since date);
INSERT INTO users SELECT g, 'user ' || g, date '2020-01-01' + g % 1500 FROM generate_series(0, 49999) g;
ALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
VACUUM ANALYZE;
SQL
for db in pgbench wide; do
  echo "$db: $(pgc_psql src -d "$db" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")," \
    "largest table $(pgc_psql src -d "$db" -Atc "SELECT relname || ' ' || pg_size_pretty(pg_table_size(oid)) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY pg_table_size(oid) DESC LIMIT 1")"
done

fresh_sink() {
  PGOPTIONS="-c client_min_messages=warning" pgc_psql sink -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
  pgc_psql sink -d postgres -c "CHECKPOINT"
  pgc_psql src -d postgres -c "CHECKPOINT"
}

# Sanity after each run: the same row count as the source in every table.
check_rows() {
  local db=$1 t a b
  for t in $(pgc_psql src -d "$db" -Atc "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"); do
    a=$(pgc_psql src -d "$db" -Atc "SELECT count(*) FROM $t")
    b=$(pgc_psql sink -d "$db" -Atc "SELECT count(*) FROM $t" 2>/dev/null || echo missing)
    [ "$a" = "$b" ] || { echo "MISMATCH in $2: $db.$t source $a sink $b" >&2; exit 1; }
  done
  a=$(pgc_psql src -d "$db" -Atc "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
  b=$(pgc_psql sink -d "$db" -Atc "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")
  [ "$a" = "$b" ] || { echo "MISMATCH in $2: $db has $a indexes, the sink $b" >&2; exit 1; }
}

state=$work/state
run_migtop() {
  local db=$1 name=mt-$1
  "$bin" create "$name" --local --state-dir "$state" \
    --source "postgres:x@127.0.0.1:$sp/$db" --sink "postgres:x@127.0.0.1:$kp/$db" \
    --migration-object '"public"' \
    --steps precheck=false,init-struct=true,init-data=true,cdc=false >/dev/null
  local st=$state/tasks/$name/status.json
  for _ in $(seq 36000); do
    grep -Eq '"taskStatus":[[:space:]]*"(Done|Failed)"' "$st" 2>/dev/null && break
    sleep 0.1
  done
  grep -Eq '"taskStatus":[[:space:]]*"Done"' "$st" || { cat "$state/tasks/$name"/*.log >&2; exit 1; }
}

declare -A wall
for db in pgbench wide; do
  echo "== $db"
  fresh_sink "$db"
  t0=$(now); run_migtop "$db"; t1=$(now)
  wall[migtop-$db]=$(secs "$t0" "$t1")
  check_rows "$db" migtop
  grep -E 'copied [0-9]+ rows' "$state/tasks/mt-$db/init-data.log" | sed 's/^[^ ]* INFO /  migtop COPY phase: /'
  cp "$state/tasks/mt-$db/status.json" "$work/status-$db.json"
  echo "  migtop    ${wall[migtop-$db]} s"

  fresh_sink "$db"
  rm -rf "$work/pgcopydb"
  t0=$(now)
  pgcopydb clone --source "$(uri "$sp" "$db")" --target "$(uri "$kp" "$db")" \
    --table-jobs 2 --index-jobs 2 --dir "$work/pgcopydb" --no-owner >"$work/pgcopydb-$db.log" 2>&1 \
    || { tail -20 "$work/pgcopydb-$db.log" >&2; exit 1; }
  t1=$(now)
  wall[pgcopydb-$db]=$(secs "$t0" "$t1")
  check_rows "$db" pgcopydb
  echo "  pgcopydb  ${wall[pgcopydb-$db]} s"

  fresh_sink "$db"
  t0=$(now)
  pg_dump -Fc -h 127.0.0.1 -p "$sp" -U postgres "$db" \
    | pg_restore --no-owner -h 127.0.0.1 -p "$kp" -U postgres -d "$db"
  t1=$(now)
  wall[pgdump-$db]=$(secs "$t0" "$t1")
  check_rows "$db" pg_dump
  echo "  pg_dump|pg_restore ${wall[pgdump-$db]} s"
done

echo "== the COPY phase on the largest table, against a raw pipe"
# pgbench_accounts: migtop's copy of it from its status (first part's
# start to last part's finish), then the raw pipe into the same empty
# table (structure only, as migtop copies before building indexes).
read -r mt_ms mt_bytes mt_rows < <(python3 - "$work/status-pgbench.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
t = next(t for t in st["tables"] if t["name"] == "pgbench_accounts")
print(int(t["bytes"] / t["bytesPerSecond"] * 1000), t["bytes"], t["rows"])
PY
)
fresh_sink pgbench
pg_dump --section=pre-data -h 127.0.0.1 -p "$sp" -U postgres pgbench | pgc_psql sink -d pgbench >/dev/null
t0=$(now)
psql -X -h 127.0.0.1 -p "$sp" -U postgres -d pgbench -c "COPY pgbench_accounts TO STDOUT" \
  | psql -X -q -h 127.0.0.1 -p "$kp" -U postgres -d pgbench -c "COPY pgbench_accounts FROM STDIN"
t1=$(now)
raw_s=$(echo "$t1 - $t0" | bc -l)
raw_rows=$(pgc_psql sink -d pgbench -Atc "SELECT count(*) FROM pgbench_accounts")
[ "$raw_rows" = "$mt_rows" ] || { echo "raw pipe copied $raw_rows rows, migtop $mt_rows" >&2; exit 1; }

echo
echo "== results (wall seconds; ratio = migtop / peer, lower is better)"
printf '%-10s %10s %10s %18s %12s %14s\n' "data set" migtop pgcopydb "pg_dump|restore" "vs pgcopydb" "vs pg_dump"
for db in pgbench wide; do
  printf '%-10s %10s %10s %18s %11.2fx %13.2fx\n' "$db" "${wall[migtop-$db]}" "${wall[pgcopydb-$db]}" \
    "${wall[pgdump-$db]}" "$(echo "${wall[migtop-$db]} / ${wall[pgcopydb-$db]}" | bc -l)" \
    "$(echo "${wall[migtop-$db]} / ${wall[pgdump-$db]}" | bc -l)"
done
mb=$(echo "$mt_bytes / 1048576" | bc -l)
printf 'COPY of pgbench_accounts (%d rows, %.0f MiB of COPY text):\n' "$mt_rows" "$mb"
printf '  migtop    %6.1f s  %6.1f MiB/s\n' "$(echo "$mt_ms / 1000" | bc -l)" "$(echo "$mb * 1000 / $mt_ms" | bc -l)"
printf '  raw pipe  %6.1f s  %6.1f MiB/s\n' "$raw_s" "$(echo "$mb / $raw_s" | bc -l)"
printf '  migtop throughput = %.0f%% of the raw pipe (goal >= 90%%)\n' "$(echo "100 * $raw_s * 1000 / $mt_ms" | bc -l)"
printf 'goal migtop <= 0.85x pgcopydb: pgbench %.2fx, wide %.2fx\n' \
  "$(echo "${wall[migtop-pgbench]} / ${wall[pgcopydb-pgbench]}" | bc -l)" \
  "$(echo "${wall[migtop-wide]} / ${wall[pgcopydb-wide]}" | bc -l)"
