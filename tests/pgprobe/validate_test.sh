#!/usr/bin/env bash
# migtop validate against two real PostgreSQL 15 servers: a million rows
# where one row is changed on the sink (found, its range and its key
# named), a composite text key with a row missing on the sink, a table
# without a primary key, sampled mode, a table missing on the sink, and
# identifiers with quotes, spaces and upper case throughout. The sink is
# reached with a password role in kbcli's user:password@host:port/db form.
set -euo pipefail
. "$MIGTOP_SOURCE_DIR/tests/support/pgcluster.sh"
cleanup() { pgc_cleanup; }
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

pgc_start src
pgc_start snk

load='CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Big ""T"" able" ("Id" bigint PRIMARY KEY, "Note Text" text, v int,
                                            at timestamptz, f float8);
INSERT INTO "My Schema"."Big ""T"" able"
  SELECT g, $$row $$ || g, g % 1000, timestamptz $$2024-01-01 00:00:00+00$$ + g * interval $$1 s$$,
         g / 7.0
  FROM generate_series(1, 1000000) g;
CREATE TABLE "My Schema"."Pairs" ("K ey" text, n int, "Val" numeric, PRIMARY KEY ("K ey", n));
INSERT INTO "My Schema"."Pairs" SELECT $$k$$ || (g % 997), g, g * 1.5 FROM generate_series(1, 50000) g;
CREATE TABLE "My Schema"."Shuffled" (k int PRIMARY KEY, v text);
INSERT INTO "My Schema"."Shuffled" SELECT g, $$v$$ || g FROM generate_series(1, 100000) g ORDER BY md5(g::text);
CREATE TABLE public.nopk (a int, b text);
INSERT INTO public.nopk SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
ANALYZE;'
# Different output settings on the sink must not matter.
# Both loads at once: two servers, two cores.
pgc_psql src -c "$load" -c 'CREATE TABLE "My Schema"."Only Source" (id int PRIMARY KEY)' >/dev/null &
load_src=$!
pgc_psql snk -c "ALTER DATABASE postgres SET timezone = 'Asia/Tokyo'" \
  -c "ALTER DATABASE postgres SET datestyle = 'SQL, DMY'" -c "$load" >/dev/null
wait $load_src
pgc_psql snk -c "CREATE ROLE \"Check er\" LOGIN PASSWORD 'pa:ss@w'" \
  -c 'GRANT USAGE ON SCHEMA "My Schema" TO "Check er"' \
  -c 'GRANT SELECT ON ALL TABLES IN SCHEMA "My Schema", public TO "Check er"' >/dev/null

SRC="postgresql://postgres@127.0.0.1:$(pgc_port src)/postgres"
SNK="Check er:pa:ss@w@127.0.0.1:$(pgc_port snk)/postgres"
OBJ='"My Schema.Big ""T"" able","My Schema.Pairs","My Schema.Shuffled","public.nopk"'
run() { "$MIGTOP_BIN" validate --source "$SRC" --sink "$SNK" --migration-object "$OBJ" "$@"; }

# Identical data: full mode matches, counts exact, ~10 ranges for 1M rows.
start=$(date +%s.%N)
run --full -o json >same.json || { cat same.json; fail "identical data should exit 0"; }
echo "full, identical: $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s"
python3 - same.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] and r["mode"] == "full" and r["snapshot"], r
t = {x["name"]: x for x in r["tables"]}
big = t['Big "T" able']
assert big["source_rows"] == 1000000 == big["sink_rows"], big
assert 5 <= big["ranges"] <= 20 and big["ranges_checked"] == big["ranges"], big
assert big["key"] == ["Id"]
assert t["Pairs"]["key"] == ["K ey", "n"] and t["Pairs"]["source_rows"] == 50000
assert t["nopk"]["key"] == [] and t["nopk"]["ranges"] == 1 and t["nopk"]["match"]
assert not big["one_scan"] and t["Shuffled"]["match"] and t["Shuffled"]["source_rows"] == 100000
EOF

# The API the cutover wizard uses: a progress call per range, false from
# it stops the run; a cancel flag set from another thread stops running
# queries within about 100 ms (a 1M-row whole-table query each side).
# The stop is seen after the third comparison; one already running on the
# other connection may finish too (checked 3 or 4).
tool="$MIGTOP_BUILD_DIR/tests/pgprobe/validate_tool"
out=$("$tool" progress "$SRC" "$SNK" "$OBJ" 50000 3); echo "progress: $out"
[[ "$out" =~ ^calls=3\ cancelled=1\ checked=[34]\ total=(2[0-9])$ ]] || fail "progress callback: $out"
out=$("$tool" cancel "$SRC" "$SNK" "$OBJ" 300); echo "cancel: $out"
python3 -c "
import sys; kv = dict(x.split('=') for x in sys.argv[1].split())
assert kv['cancelled'] == '1' and 0 <= float(kv['late_ms']) < 1000, kv" "$out" || fail "cancel flag: $out"

# Ctrl-C stops the command: running queries cancelled, exit 130. A lock
# held on the sink keeps its query waiting, so the signal surely lands
# while a query runs.
big='"My Schema"."Big ""T"" able"'
pgc_psql snk -c "BEGIN; LOCK TABLE $big; SELECT pg_sleep(60)" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 100); do
  [ "$(pgc_psql snk -At -c "SELECT count(*) FROM pg_locks WHERE granted
        AND relation = '$(sed "s/'/''/g" <<<"$big")'::regclass AND mode = 'AccessExclusiveLock'")" = 1 ] && break
  sleep 0.1
done
"$MIGTOP_BIN" validate --source "$SRC" --sink "$SNK" --migration-object "$OBJ" --full >int.txt 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ "$(pgc_psql snk -At -c "SELECT count(*) FROM pg_stat_activity
        WHERE application_name = 'migtop validate' AND wait_event_type = 'Lock'")" -gt 0 ] && break
  sleep 0.1
done
kill -INT $pid
set +e
wait $pid; rc=$?
set -e
pgc_psql snk -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
  WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
wait $locker || true
[ $rc = 130 ] || { cat int.txt; fail "interrupted validate should exit 130, got $rc"; }
grep -q "interrupted" int.txt || fail "says it was interrupted"

# One changed row in a million, one row deleted from the composite key
# table, one changed in the table without a key.
pgc_psql snk -c "UPDATE \"My Schema\".\"Big \"\"T\"\" able\" SET \"Note Text\" = 'changed' WHERE \"Id\" = 654321" \
  -c "DELETE FROM \"My Schema\".\"Pairs\" WHERE \"K ey\" = 'k5' AND n = 5" \
  -c "UPDATE public.nopk SET b = 'x' WHERE a = 7" \
  -c "UPDATE \"My Schema\".\"Shuffled\" SET v = 'y' WHERE k = 4242" >/dev/null
set +e
run --full --range-rows 10000 -o json >diff.json; rc=$?
run --full >diff.txt; rc2=$?
set -e
cat diff.txt
[ $rc = 1 ] && [ $rc2 = 1 ] || fail "a mismatch should exit 1 (got $rc, $rc2)"
python3 - diff.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["ok"], r
t = {x["name"]: x for x in r["tables"]}
big = t['Big "T" able']
assert big["source_rows"] == big["sink_rows"] == 1000000
assert big["ranges"] >= 50 and big["ranges_mismatched"] == 1, big
m = big["mismatches"][0]
lo, hi = int(m["from"][0]), int(m["to"][0])
assert lo <= 654321 < hi and hi - lo < 40000, m
assert m["rows"] == [{"key": "654321", "kind": "changed"}], m
p = t["Pairs"]
assert p["source_rows"] == 50000 and p["sink_rows"] == 49999, p
assert p["ranges_mismatched"] == 1, p
assert p["mismatches"][0]["rows"] == [{"key": '(k5,5)', "kind": "missing"}], p
n = t["nopk"]
assert not n["match"] and n["ranges_mismatched"] == 1 and n["mismatches"][0]["where"] == "whole table"
# Keys in random physical order: one grouped scan a side, same ranges.
s = t["Shuffled"]
assert s["one_scan"] and s["ranges"] >= 5 and s["ranges_checked"] == s["ranges"], s
assert s["ranges_mismatched"] == 1 and s["mismatches"][0]["rows"] == [{"key": "4242", "kind": "changed"}], s
m = s["mismatches"][0]
lo = int(m["from"][0]) if m["from"] else 0
hi = int(m["to"][0]) if m["to"] else 10**9
assert lo <= 4242 < hi, s
EOF
grep -qE '^"My Schema"\."Big ""T"" able": range "Id" >= [0-9]+ AND "Id" < [0-9]+: 100000 rows|^"My Schema"\."Big ""T"" able": range "Id" >= [0-9]+ AND "Id" < [0-9]+: [0-9]+ rows on the source, [0-9]+ on the sink, checksums differ' diff.txt \
  || fail "text report names the range of the changed row"
grep -qx '    654321 changed' diff.txt || fail "text report names the changed row"
grep -q "MISMATCH" diff.txt || fail "text verdict"

# Sampled mode: exact counts still, two ranges of the big table; the small
# table has a single range, so it is checked whole and its row named.
set +e
run --sample 2 --seed 7 -o json >sample.json; rc=$?
set -e
[ $rc = 1 ] || fail "the sampled run sees the row missing from Pairs (got $rc)"
python3 - sample.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["mode"] == "sample"
t = {x["name"]: x for x in r["tables"]}
big = t['Big "T" able']
assert big["ranges_checked"] == 2 and big["source_rows"] == 1000000 == big["sink_rows"], big
p = t["Pairs"]
assert p["sink_rows"] == 49999 and p["mismatches"][0]["rows"][0]["kind"] == "missing", p
EOF

# No SELECT on one table for the sink role: that table reports the
# server's error; the tables after it on the same connection still compare.
pgc_psql snk -c 'REVOKE SELECT ON "My Schema"."Pairs" FROM "Check er"' >/dev/null
set +e
run --full --jobs 1 -o json >denied.json; rc=$?
set -e
[ $rc = 1 ] || fail "a denied table is a mismatch (got $rc)"
python3 - denied.json <<'EOF'
import json, sys
t = {x["name"]: x for x in json.load(open(sys.argv[1]))["tables"]}
p = t["Pairs"]["mismatches"][0]
assert p["error"].startswith("sink: permission denied for table Pairs"), p
n = t["nopk"]["mismatches"][0]
assert "error" not in n and n["source_rows"] == n["sink_rows"] == 2000, n
assert t['Big "T" able']["ranges_mismatched"] == 1
EOF
pgc_psql snk -c 'GRANT SELECT ON "My Schema"."Pairs" TO "Check er"' >/dev/null

# A table missing on the sink, and a name that does not exist anywhere.
set +e
"$MIGTOP_BIN" validate --source "$SRC" --sink "$SNK" --no-rows \
  --migration-object '"My Schema.Only Source","My Schema.Nope"' >missing.txt 2>&1; rc=$?
set -e
cat missing.txt
[ $rc = 1 ] || fail "a table missing on the sink should exit 1, got $rc"
grep -qE '^"My Schema"\."Only Source" .*missing on the sink' missing.txt || fail "missing table reported"
grep -qF 'My Schema.Nope: named in --migration-object but not found on the source' missing.txt \
  || fail "unknown object reported"

# A sink database that sorts text differently (ICU en-US against the
# source's C.UTF-8): text key ranges must still hold the same rows.
mixed="CREATE TABLE \"Mixed\" (k text PRIMARY KEY, v int);
INSERT INTO \"Mixed\" SELECT CASE WHEN g % 3 = 0 THEN upper(md5(g::text)) ELSE '_' || md5(g::text) END, g
  FROM generate_series(1, 30000) g; ANALYZE \"Mixed\";"
pgc_psql src -c "$mixed" >/dev/null
pgc_psql snk -c "CREATE DATABASE icu TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" >/dev/null
pgc_psql snk -d icu -c "$mixed" >/dev/null
[ "$(pgc_psql src -At -c "SELECT k FROM \"Mixed\" ORDER BY k LIMIT 1")" != \
  "$(pgc_psql snk -d icu -At -c "SELECT k FROM \"Mixed\" ORDER BY k LIMIT 1")" ] \
  || fail "the two databases should sort text differently"
"$MIGTOP_BIN" validate --source "$SRC" --sink "postgresql://postgres@127.0.0.1:$(pgc_port snk)/icu" \
  --migration-object public.Mixed --full --range-rows 3000 -o json >icu.json \
  || { cat icu.json; fail "same rows under different collations should match"; }
python3 - icu.json <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["tables"][0]
assert t["match"] and t["source_rows"] == 30000 and 2 <= t["ranges"] <= 8, t
EOF

# The password never shows, even in an error.
set +e
"$MIGTOP_BIN" validate --source "$SRC" --sink "Check er:wrong@127.0.0.1:$(pgc_port snk)/postgres" \
  --migration-object "$OBJ" >bad.txt 2>&1; rc=$?
set -e
[ $rc = 3 ] || fail "wrong password should exit 3, got $rc"
grep -q "pa:ss@w\|wrong@" bad.txt && fail "password shown"
grep -qi "password" bad.txt || fail "the error says it is the password: $(cat bad.txt)"
echo ok
