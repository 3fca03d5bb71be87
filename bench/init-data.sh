#!/usr/bin/env bash
# Structure + data initialization, migtop's local engine against its peers,
# in one run on the same two throwaway servers (tests/support/pgcluster.sh)
# running PostgreSQL's durable defaults (fsync, full_page_writes and
# synchronous_commit on, as users' servers do):
#   migtop     a local task: precheck=false,init-struct=true,init-data=true,cdc=false
#              (pre-data, parallel COPY with `--jobs` = cores, indexes, constraints)
#   pgcopydb   clone --table-jobs 2 --index-jobs 2 (Debian's pgcopydb)
#   pg_dump    pg_dump -Fc | pg_restore
#   raw pipe   psql COPY ... TO STDOUT (FORMAT binary) | psql COPY ... FROM STDIN,
#              every table one after the other into the bare tables (no
#              index, no constraint): the limit of moving the bytes; then
#              pg_restore -j 2 of the post-data section timed apart, so the
#              table also shows the pipe followed by the index builds
# on pgbench at each of SCALES, a wide-row data set (several indexes) and
# sysbench's tables (SB_TABLES tables of 1 M rows, each with its primary
# key and an index: several big tables, whose index builds can start as
# each one's copy ends, beside the others' copy).
# Each round runs every tool once per data set, interleaved; the table
# shows medians and spreads, the ratios and (for pgbench) the growth of
# migtop's time with the scale (linear: time / scale about constant).
# Goals (issue 16): migtop <= 0.7x pgcopydb and <= 1.2x the raw pipe.
#   bench/init-data.sh [SCALES] [WIDE_ROWS] [ROUNDS] [SB_TABLES]
#     (defaults 10,30,100 3000000 3 4; SCALES "-", WIDE_ROWS 0 or SB_TABLES 0
#     leave that data set out)
#   MIGTOP_BIN=... bench/init-data.sh: that build instead of build/
set -euo pipefail
cd "$(dirname "$0")/.."
IFS=, read -r -a scales <<<"${1:-10,30,100}"
[ "${scales[*]}" = - ] && scales=()
wide_rows=${2:-3000000}
rounds=${3:-3}
sb_tables=${4:-4}
export PGC_DURABLE=1
command -v pgcopydb >/dev/null || scripts/install-deps.sh pgcopydb
command -v sysbench >/dev/null || scripts/install-deps.sh sysbench >/dev/null
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
sets=()
for sc in "${scales[@]}"; do
  pgc_psql src -d postgres -c "CREATE DATABASE pgbench$sc"
  pgbench -q -i -s "$sc" -I dtGvp -h 127.0.0.1 -p "$sp" -U postgres "pgbench$sc" >/dev/null 2>&1
  sets+=("pgbench$sc")
done
if [ "$wide_rows" -gt 0 ]; then
sets+=(wide)
pgc_psql src -d postgres -c "CREATE DATABASE wide"
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
CREATE INDEX events_amount ON events (amount);
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL UNIQUE, since date);
INSERT INTO users SELECT g, 'user ' || g, date '2020-01-01' + g % 1500 FROM generate_series(0, 49999) g;
ALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
VACUUM ANALYZE;
SQL
fi
if [ "$sb_tables" -gt 0 ]; then
  sets+=(sysbench)
  pgc_psql src -d postgres -c "CREATE DATABASE sysbench"
  sysbench oltp_write_only --db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$sp" \
    --pgsql-user=postgres --pgsql-db=sysbench --tables="$sb_tables" --table-size=1000000 \
    prepare >/dev/null
  pgc_psql src -d sysbench -c "VACUUM ANALYZE"
fi
for db in "${sets[@]}"; do
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

# One run of each tool per data set and round, interleaved (in an order
# that turns each round), so load from elsewhere on the machine falls on
# all of them alike; the medians and the spreads are compared.
declare -A times
warming=0
add_time() { [ "$warming" = 1 ] || times[$1]="${times[$1]:-} $2"; }
median() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
best() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | head -1; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

# The raw binary pipe: every table's rows, one table after the other, into
# the bare tables (structure only, no index: nothing but the bytes).
copy_raw() {
  local db=$1 t t0 t1
  fresh_sink "$db"
  pg_dump --section=pre-data -h 127.0.0.1 -p "$sp" -U postgres "$db" | pgc_psql sink -d "$db" >/dev/null
  t0=$(now)
  for t in $(pgc_psql src -d "$db" -Atc "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY pg_table_size(oid) DESC"); do
    "$PGC_PSQL" -X -h 127.0.0.1 -p "$sp" -U postgres -d "$db" -c "COPY $t TO STDOUT (FORMAT binary)" \
      | "$PGC_PSQL" -X -q -h 127.0.0.1 -p "$kp" -U postgres -d "$db" -c "COPY $t FROM STDIN (FORMAT binary)"
  done
  t1=$(now)
  add_time "raw-$db" "$(secs "$t0" "$t1")"
  # Then the same indexes and constraints as the others build, by
  # pg_restore -j 2 (its dump made off the clock): the pipe and the builds
  # one after the other, what a tool costs that overlaps nothing. The
  # raw pipe's own figure leaves the builds out.
  [ -s "$work/post-$db.dump" ] ||
    pg_dump -Fc --section=post-data -h 127.0.0.1 -p "$sp" -U postgres -f "$work/post-$db.dump" "$db"
  local t2 t3
  t2=$(now)
  pg_restore -j 2 --no-owner -h 127.0.0.1 -p "$kp" -U postgres -d "$db" "$work/post-$db.dump"
  t3=$(now)
  add_time "rawidx-$db" "$(echo "$t1 - $t0 + $t3 - $t2" | bc -l | xargs printf '%.1f')"
  check_rows "$db" "raw pipe"
  echo "  raw pipe  $(secs "$t0" "$t1") s, then its indexes $(secs "$t2" "$t3") s"
}

tool_migtop() {
  local db=$1 t0 t1
  fresh_sink "$db"
  t0=$(now); run_migtop "$db"; t1=$(now)
  add_time "migtop-$db" "$(secs "$t0" "$t1")"
  check_rows "$db" migtop
  grep -E 'copying [0-9]+ table|copied [0-9]+ rows' "$state/tasks/mt-$db/init-data.log" | sed 's/^[^ ]* INFO /  migtop: /'
  # Where the time went: each step's own figure, from the task's logs.
  cat "$state/tasks/mt-$db"/init-*.log | grep -Eo 'step [a-z-]+ complete in [0-9]+ ms' |
    awk '{printf "%s%s %.1f s", (NR > 1 ? ", " : "  migtop steps: "), $2, $5 / 1000} END {print ""}'
  echo "  migtop    $(secs "$t0" "$t1") s"
  rm -rf "$state/tasks/mt-$db"
}
tool_pgcopydb() {
  local db=$1 t0 t1
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
}
tool_pgdump() {
  local db=$1 t0 t1
  fresh_sink "$db"
  t0=$(now)
  pg_dump -Fc -h 127.0.0.1 -p "$sp" -U postgres "$db" \
    | pg_restore --no-owner -h 127.0.0.1 -p "$kp" -U postgres -d "$db"
  t1=$(now)
  add_time "pgdump-$db" "$(secs "$t0" "$t1")"
  check_rows "$db" pg_dump
  echo "  pg_dump|pg_restore $(secs "$t0" "$t1") s"
}
tool_raw() { copy_raw "$1"; }

# The tools' order turns by one each round: none always runs first (on a
# sink whose WAL and caches the one before left).
tools=(migtop pgcopydb pgdump raw)
# A new server has no WAL segment to recycle: the first big load writes
# each one twice (created, then filled) and would fall on whichever tool
# runs first. One raw pipe per data set, not counted, first (users'
# servers have theirs).
echo "== warm-up (not counted): the raw pipe once per data set"
warming=1
for db in "${sets[@]}"; do copy_raw "$db" >/dev/null; done
warming=0
for round in $(seq "$rounds"); do
  for db in "${sets[@]}"; do
    echo "== round $round: $db"
    for k in 0 1 2 3; do
      "tool_${tools[$(((k + round - 1) % 4))]}" "$db"
    done
  done
done

spread() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.1f-%.1f", lo, hi}'; }
echo
echo "== results over $rounds round(s), durable servers: median wall seconds (spread); ratio = migtop / peer, lower is better"
printf '%-12s %16s %16s %16s %16s %16s %9s %9s %9s\n' "data set" migtop pgcopydb "pg_dump|restore" \
  "raw pipe" "pipe, then idx" "vs copydb" "vs raw" "vs p+idx"
for db in "${sets[@]}"; do
  m=$(median "migtop-$db") c=$(median "pgcopydb-$db") d=$(median "pgdump-$db") w=$(median "raw-$db")
  wi=$(median "rawidx-$db")
  printf '%-12s %5s (%9s) %5s (%9s) %5s (%9s) %5s (%9s) %5s (%9s) %8sx %8sx %8sx\n' "$db" \
    "$m" "$(spread "migtop-$db")" "$c" "$(spread "pgcopydb-$db")" "$d" "$(spread "pgdump-$db")" \
    "$w" "$(spread "raw-$db")" "$wi" "$(spread "rawidx-$db")" \
    "$(ratio "$m" "$c")" "$(ratio "$m" "$w")" "$(ratio "$m" "$wi")"
done
echo "goals: <= 0.70x pgcopydb, <= 1.20x the raw pipe (which builds no index);"
echo "'pipe, then idx': the raw pipe's time plus pg_restore -j 2 of the same indexes and constraints after it"
echo "growth with the pgbench scale (migtop median seconds per scale unit):"
for sc in "${scales[@]}"; do
  printf '  scale %4s: %6s s, %.3f s per unit\n' "$sc" "$(median "migtop-pgbench$sc")" \
    "$(echo "$(median "migtop-pgbench$sc") / $sc" | bc -l)"
done
