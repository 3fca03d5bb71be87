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
#   bench/init-data.sh [SCALE] [WIDE_ROWS] [ROUNDS]   (defaults 30, 400000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-30}
wide_rows=${2:-400000}
rounds=${3:-3}
command -v pgcopydb >/dev/null || scripts/install-deps.sh pgcopydb
# MIGTOP_BIN: a migtop already built (else scripts/build.sh builds build/).
if [ -z "${MIGTOP_BIN:-}" ]; then scripts/build.sh >/dev/null; fi
bin=${MIGTOP_BIN:-$PWD/build/bin/migtop}
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

# One run of each tool per data set and round, interleaved, so load from
# elsewhere on the machine falls on all of them alike; the medians and
# the best runs are compared.
declare -A times
add_time() { times[$1]="${times[$1]:-} $2"; }
median() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
best() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | head -1; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

# The largest table's COPY: migtop's (its status: first part's start to
# last part's finish) and the raw pipe into the same empty table
# (structure only, as migtop copies before building indexes).
copy_migtop() {
  python3 - "$state/tasks/mt-pgbench/status.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
t = next(t for t in st["tables"] if t["name"] == "pgbench_accounts")
print("%.2f" % (t["bytes"] / t["bytesPerSecond"]), t["rows"])
PY
}
copy_raw() {
  fresh_sink pgbench
  pg_dump --section=pre-data -h 127.0.0.1 -p "$sp" -U postgres pgbench | pgc_psql sink -d pgbench >/dev/null
  local t0 t1
  t0=$(now)
  psql -X -h 127.0.0.1 -p "$sp" -U postgres -d pgbench -c "COPY pgbench_accounts TO STDOUT" \
    | psql -X -q -h 127.0.0.1 -p "$kp" -U postgres -d pgbench -c "COPY pgbench_accounts FROM STDIN"
  t1=$(now)
  add_time copy-raw "$(secs "$t0" "$t1")"
  raw_rows=$(pgc_psql sink -d pgbench -Atc "SELECT count(*) FROM pgbench_accounts")
}

for round in $(seq "$rounds"); do
  for db in pgbench wide; do
    echo "== round $round: $db"
    fresh_sink "$db"
    t0=$(now); run_migtop "$db"; t1=$(now)
    add_time "migtop-$db" "$(secs "$t0" "$t1")"
    check_rows "$db" migtop
    grep -E 'copied [0-9]+ rows' "$state/tasks/mt-$db/init-data.log" | sed 's/^[^ ]* INFO /  migtop COPY phase: /'
    echo "  migtop    $(secs "$t0" "$t1") s"
    if [ "$db" = pgbench ]; then
      read -r s rows < <(copy_migtop)
      add_time copy-migtop "$s"
    fi
    rm -rf "$state/tasks/mt-$db"

    fresh_sink "$db"
    rm -rf "$work/pgcopydb"
    t0=$(now)
    pgcopydb clone --source "$(uri "$sp" "$db")" --target "$(uri "$kp" "$db")" \
      --table-jobs 2 --index-jobs 2 --dir "$work/pgcopydb" --no-owner >"$work/pgcopydb-$db.log" 2>&1 \
      || { tail -20 "$work/pgcopydb-$db.log" >&2; exit 1; }
    t1=$(now)
    add_time "pgcopydb-$db" "$(secs "$t0" "$t1")"
    check_rows "$db" pgcopydb
    echo "  pgcopydb  $(secs "$t0" "$t1") s"

    fresh_sink "$db"
    t0=$(now)
    pg_dump -Fc -h 127.0.0.1 -p "$sp" -U postgres "$db" \
      | pg_restore --no-owner -h 127.0.0.1 -p "$kp" -U postgres -d "$db"
    t1=$(now)
    add_time "pgdump-$db" "$(secs "$t0" "$t1")"
    check_rows "$db" pg_dump
    echo "  pg_dump|pg_restore $(secs "$t0" "$t1") s"
  done
  copy_raw
  [ "$raw_rows" = "$rows" ] || { echo "raw pipe copied $raw_rows rows, migtop $rows" >&2; exit 1; }
  echo "  COPY of pgbench_accounts: migtop $(tr ' ' '\n' <<<"${times[copy-migtop]}" | tail -1) s, raw pipe $(tr ' ' '\n' <<<"${times[copy-raw]}" | tail -1) s"
done

echo
echo "== results over $rounds round(s): median wall seconds (best); ratio = migtop / peer, lower is better"
printf '%-9s %15s %15s %18s %13s %12s\n' "data set" migtop pgcopydb "pg_dump|restore" "vs pgcopydb" "vs pg_dump"
for db in pgbench wide; do
  m=$(median "migtop-$db") c=$(median "pgcopydb-$db") d=$(median "pgdump-$db")
  printf '%-9s %7s (%5s) %7s (%5s) %10s (%5s) %12sx %11sx\n' "$db" "$m" "$(best "migtop-$db")" \
    "$c" "$(best "pgcopydb-$db")" "$d" "$(best "pgdump-$db")" "$(ratio "$m" "$c")" "$(ratio "$m" "$d")"
done
cm=$(median copy-migtop) cr=$(median copy-raw)
printf 'COPY of pgbench_accounts (%d rows): migtop %s s (%.0f rows/s), raw psql pipe %s s (%.0f rows/s)\n' \
  "$rows" "$cm" "$(echo "$rows / $cm" | bc -l)" "$cr" "$(echo "$rows / $cr" | bc -l)"
printf 'goal: migtop COPY >= 90%% of the raw pipe: %.0f%%\n' "$(echo "100 * $cr / $cm" | bc -l)"
printf 'goal: migtop <= 0.85x pgcopydb: pgbench %sx, wide %sx\n' \
  "$(ratio "$(median migtop-pgbench)" "$(median pgcopydb-pgbench)")" \
  "$(ratio "$(median migtop-wide)" "$(median pgcopydb-wide)")"
