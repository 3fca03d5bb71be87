#!/usr/bin/env bash
# CDC on schemas other applications have (issue: every change a real
# database makes reaches the sink): a composite-type key, GENERATED ALWAYS
# identities (inserted, updated, their key moved by DEFAULT), a TRUNCATE
# of two tables that reference each other and of a partitioned root, rows
# moving across partitions two levels deep, tables without columns or with
# only a generated one, names with dots, quotes and spaces, a transaction
# far bigger than logical_decoding_work_mem (streamed, with a savepoint
# rolled back, and another rolled back whole), a column type changed on
# the source (CDC pauses naming it, resumes when the sink matches), a sink
# partitioned differently from the source (init-struct off), and a table
# without a replica identity refused. Each side compared by an
# independent count + digest of every row of every table.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"

et_pair "wal_sender_timeout = 10s" "logical_decoding_work_mem = 64kB"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA fid;
CREATE TYPE fid.ct AS (a float8, b text, c int);
CREATE TABLE fid.ck (k fid.ct PRIMARY KEY, v int);
INSERT INTO fid.ck SELECT ROW(g / 3.0, 'k' || g, g)::fid.ct, g FROM generate_series(1, 200) g;
CREATE TABLE fid.ida (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text, note text);
INSERT INTO fid.ida (v, note) SELECT 'v' || g, repeat('n', g) FROM generate_series(1, 100) g;
CREATE TABLE fid.idb (k int PRIMARY KEY, seq int GENERATED ALWAYS AS IDENTITY, v text);
INSERT INTO fid.idb (k, v) SELECT g, 'b' || g FROM generate_series(1, 50) g;
CREATE TABLE fid.tab3 (id int PRIMARY KEY, v text);
CREATE TABLE fid.tab4 (id int PRIMARY KEY, r int REFERENCES fid.tab3);
INSERT INTO fid.tab3 SELECT g, 'x' FROM generate_series(1, 30) g;
INSERT INTO fid.tab4 SELECT g, g FROM generate_series(1, 30) g;
CREATE TABLE fid.pt (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE fid.pt1 PARTITION OF fid.pt FOR VALUES FROM (0) TO (100);
CREATE TABLE fid.pt2 PARTITION OF fid.pt FOR VALUES FROM (100) TO (300) PARTITION BY HASH (id);
CREATE TABLE fid.pt2a PARTITION OF fid.pt2 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE fid.pt2b PARTITION OF fid.pt2 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO fid.pt SELECT g, g % 250, 'p' || g FROM generate_series(1, 500) g;
CREATE TABLE fid.nocol ();
ALTER TABLE fid.nocol REPLICA IDENTITY FULL;
INSERT INTO fid.nocol SELECT FROM generate_series(1, 7);
CREATE TABLE fid.gen (a int GENERATED ALWAYS AS (1) STORED);
ALTER TABLE fid.gen REPLICA IDENTITY FULL;
INSERT INTO fid.gen SELECT FROM generate_series(1, 5);
CREATE TABLE fid.big (id int PRIMARY KEY, v text);
CREATE TABLE fid.typ (id int PRIMARY KEY, n int);
INSERT INTO fid.typ SELECT g, g FROM generate_series(1, 10) g;
CREATE SCHEMA "Sp1eCial .Char";
CREATE TABLE "Sp1eCial .Char"."t.1 ""q""" (id int PRIMARY KEY, "a b" text);
INSERT INTO "Sp1eCial .Char"."t.1 ""q""" SELECT g, 'v' || g FROM generate_series(1, 20) g;
SQL
TABLES=(fid.ck fid.ida fid.idb fid.tab3 fid.tab4 fid.pt fid.pt1 fid.pt2a fid.pt2b fid.nocol fid.gen
        fid.big fid.typ '"Sp1eCial .Char"."t.1 ""q"""')

# --- A: init-struct on, the whole schema and the special one ---------------
"$tool" create "$state" fid "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"fid","""Sp1eCial .Char"""' 'precheck=true,init-struct=true,init-data=true,cdc=true'
et_wait_status fid 'status=Running' 120
cdc_wait_running fid 60
cdc_same_tables fid 30 "${TABLES[@]}"
grep -q 'pgoutput protocol 3, large transactions streamed' "$state/tasks/fid/cdc.log" ||
  fail "the stream does not use protocol 3 with streaming: $(grep streaming "$state/tasks/fid/cdc.log")"

pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
UPDATE fid.ck SET v = v * 10 WHERE (k).c % 3 = 0;
DELETE FROM fid.ck WHERE (k).c % 7 = 0;
UPDATE fid.ck SET k = ROW((k).a, (k).b || '!', (k).c)::fid.ct WHERE (k).c % 11 = 0;
INSERT INTO fid.ida (v, note) VALUES ('new', repeat('t', 5000));
UPDATE fid.ida SET v = v || '+' WHERE id % 4 = 0;
UPDATE fid.ida SET id = DEFAULT WHERE id % 10 = 0;
UPDATE fid.ida SET v = 'toast kept' WHERE id = 101;
DELETE FROM fid.ida WHERE id % 9 = 0;
INSERT INTO fid.idb (k, v) VALUES (1000, 'n');
UPDATE fid.idb SET seq = DEFAULT WHERE k % 5 = 0;
UPDATE fid.idb SET v = 'w' WHERE k % 3 = 0;
TRUNCATE fid.tab3, fid.tab4;
INSERT INTO fid.tab3 SELECT g, 'again' FROM generate_series(1, 10) g;
INSERT INTO fid.tab4 SELECT g, g FROM generate_series(1, 10) g;
UPDATE fid.pt SET k = k + 120 WHERE k < 60;
UPDATE fid.pt SET id = id + 1 WHERE k BETWEEN 200 AND 210;
DELETE FROM fid.pt WHERE id % 13 = 0;
INSERT INTO fid.nocol DEFAULT VALUES;
DELETE FROM fid.nocol WHERE ctid = (SELECT ctid FROM fid.nocol LIMIT 1);
INSERT INTO fid.gen DEFAULT VALUES;
DELETE FROM fid.gen WHERE ctid = (SELECT ctid FROM fid.gen LIMIT 1);
UPDATE "Sp1eCial .Char"."t.1 ""q""" SET "a b" = 'changed' WHERE id % 2 = 0;
BEGIN;
INSERT INTO fid.big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;
SAVEPOINT s1;
INSERT INTO fid.big SELECT g, 'rolled back' FROM generate_series(20001, 25000) g;
ROLLBACK TO SAVEPOINT s1;
UPDATE fid.big SET v = 'kept' WHERE id % 1000 = 0;
COMMIT;
BEGIN;
INSERT INTO fid.big SELECT g, 'never' FROM generate_series(30001, 50000) g;
ROLLBACK;
SQL
cdc_same_tables fid 60 "${TABLES[@]}"
n=$(pgc_psql sink -d postgres -Atc "SELECT count(*) FROM fid.big")
[ "$n" = 20000 ] || fail "fid.big on the sink has $n rows, not 20000"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
TRUNCATE fid.pt;
INSERT INTO fid.pt SELECT g, g % 250, 'after truncate' FROM generate_series(1, 50) g;
SQL
cdc_same_tables fid 30 "${TABLES[@]}"

# A column type changed on the source only: CDC pauses and names it.
pgc_psql src -d postgres -c "ALTER TABLE fid.typ ALTER COLUMN n TYPE bigint" >/dev/null
pgc_psql src -d postgres -c "UPDATE fid.typ SET n = n + 5000000000" >/dev/null
for ((i = 0; i < 60; i++)); do
  et_show fid | grep -q 'column types of fid.typ differ: "n" is bigint on the source, integer on the sink' && break
  sleep 0.5
done
et_show fid | grep -q 'CDC paused: column types of fid.typ differ: "n" is bigint on the source, integer on the sink' ||
  fail "no pause naming fid.typ's column n: $(et_show fid)"
[ "$(cdc_metric fid state)" = paused ] || fail "CDC is $(cdc_metric fid state), not paused"
pgc_psql sink -d postgres -c "ALTER TABLE fid.typ ALTER COLUMN n TYPE bigint" >/dev/null
cdc_same_tables fid 40 fid.typ fid.ck
for ((i = 0; i < 20; i++)); do [ "$(cdc_metric fid state)" = streaming ] && break; sleep 0.5; done
[ "$(cdc_metric fid state)" = streaming ] || fail "CDC did not resume: $(cdc_metric fid state)"
echo "A: fidelity cases equal"

# --- B: init-struct off, the sink partitioned the other way ----------------
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA shp;
CREATE TABLE shp.flat (id int PRIMARY KEY, k int);
INSERT INTO shp.flat SELECT g, g % 10 FROM generate_series(1, 300) g;
CREATE TABLE shp.parted (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE shp.parted_p1 PARTITION OF shp.parted FOR VALUES FROM (0) TO (50);
CREATE TABLE shp.parted_p2 PARTITION OF shp.parted FOR VALUES FROM (50) TO (100);
INSERT INTO shp.parted SELECT g, g % 100 FROM generate_series(1, 400) g;
SQL
pgc_psql sink -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA shp;
CREATE TABLE shp.flat (id int PRIMARY KEY, k int) PARTITION BY RANGE (id);
CREATE TABLE shp.flat_lo PARTITION OF shp.flat FOR VALUES FROM (MINVALUE) TO (150);
CREATE TABLE shp.flat_hi PARTITION OF shp.flat FOR VALUES FROM (150) TO (MAXVALUE);
CREATE TABLE shp.parted (id int, k int, PRIMARY KEY (id, k));
SQL
"$tool" create "$state" shp "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"shp"' 'precheck=false,init-struct=false,init-data=true,cdc=true'
et_wait_status shp 'status=Running' 90
cdc_wait_running shp 60
cdc_same_tables shp 30 shp.flat shp.parted
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
UPDATE shp.flat SET id = id + 1000 WHERE id < 20;
DELETE FROM shp.flat WHERE id % 7 = 0;
UPDATE shp.parted SET k = k + 50 WHERE k < 10;
TRUNCATE shp.parted_p1;
INSERT INTO shp.parted SELECT g, g % 50 FROM generate_series(1000, 1040) g;
TRUNCATE shp.flat;
INSERT INTO shp.flat SELECT g, 1 FROM generate_series(100, 200) g;
SQL
cdc_same_tables shp 40 shp.flat shp.parted
echo "B: differently partitioned sink equal"

# --- C: a table without a replica identity is never published -------------
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA nok;
CREATE TABLE nok.t (a int, b text);
INSERT INTO nok.t VALUES (1, 'x');
SQL
set +e
out=$("$bin" create nok --local --state-dir "$state" --template migtop-local-pg2pg \
  --source "$(et_endpoint src mig src-pw)" --sink "$(et_endpoint sink mig sink-pw)" \
  --migration-object '"nok"' --steps precheck=false,init-struct=true,init-data=true,cdc=true 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] || fail "create of a task with a table without replica identity exited $rc: $out"
grep -q 'nok.t: no primary key' <<<"$out" && grep -q 'REPLICA IDENTITY FULL' <<<"$out" ||
  fail "the refusal does not name nok.t and the fix: $out"
[ ! -d "$state/tasks/nok" ] || fail "the refused task was created"
# Written without the CLI's check, the runner refuses before publishing.
"$tool" create "$state" nok2 "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"nok"' 'precheck=false,init-struct=true,init-data=true,cdc=true'
et_wait_status nok2 'init-data=Failed' 60
et_show nok2 | grep -q 'no primary key or replica identity' || fail "no reason: $(et_show nok2)"
pub=$(pgc_psql src -d postgres -Atc "SELECT count(*) FROM pg_publication WHERE pubname LIKE 'nok2%'")
[ "$pub" = 0 ] || fail "a publication was created for nok2"
pgc_psql src -d postgres -c "UPDATE nok.t SET b = 'still writable'" >/dev/null ||
  fail "the source's application can no longer update nok.t"
echo "C: refused before anything was published"
echo "cdc schemas: ok"
