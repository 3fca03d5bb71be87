#!/usr/bin/env bash
# A full local task (precheck, init-struct, init-data, post-data) between
# two real PostgreSQL servers, started detached as `migtop create --local`
# does, on a source with every kind of type (arrays, jsonb, enum, domain,
# composite, PostGIS geometry when installed) and names with quotes,
# spaces and upper case, through accounts with passwords:
# - the sink's rows equal the source's (by SQL and by `migtop validate
#   --full`), indexes, constraints and triggers too;
# - the task directory is 0700, its files 0600, no password in the spec,
#   the status or the logs;
# - a second task on the same sink (which now has every table) succeeds;
# - a COPY the sink refuses fails the task with the table and how far it got.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

pgc_start src
pgc_start sink
et_load_sample src
# Passwords with the characters pgpass must escape.
src_pw='S3cr:et\pw'
sink_pw='Si:nk\pw'
pgc_psql src -d postgres <<SQL
CREATE ROLE mig LOGIN REPLICATION PASSWORD \$\$${src_pw}\$\$;
GRANT USAGE ON SCHEMA public, "Sales Dept" TO mig;
GRANT SELECT ON ALL TABLES IN SCHEMA public, "Sales Dept" TO mig;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, "Sales Dept" TO mig;
SQL
# PostGIS needs a superuser to be created on the sink.
pgc_psql sink -d postgres -c "CREATE ROLE loader LOGIN SUPERUSER PASSWORD \$\$${sink_pw}\$\$"
source_ep=$(et_endpoint src mig "$src_pw")
sink_ep=$(et_endpoint sink loader "$sink_pw")
objects='"public","Sales Dept"'
steps='precheck=true,init-struct=true,init-data=true,cdc=false'

echo "== the task, detached"
"$tool" create "$state" full-1 "$source_ep" "$sink_ep" "$objects" "$steps"
et_wait_status full-1 'status=(Done|Failed)' 90
et_show full-1
et_show full-1 | grep -q 'status=Done' || fail "the task failed"
et_show full-1 | grep -Eq 'precheck=Complete init-struct=Complete init-data=Complete' \
  || fail "steps not all Complete"
et_same_rows "${ET_SAMPLE_TABLES[@]}"
# pgprobe's validation in full mode agrees (every range of every table).
"$bin" validate --source "$source_ep" --sink "$sink_ep" --migration-object "$objects" --full \
  >"$work/validate.txt" 2>&1 || { cat "$work/validate.txt" >&2; fail "migtop validate --full"; }
tail -3 "$work/validate.txt"
et_same_structure "'public', 'Sales Dept'"
# The identity column's and serial's sequences exist on the sink.
pgc_psql sink -d postgres -Atc "SELECT count(*) FROM pg_sequences WHERE schemaname IN ('public', 'Sales Dept')" \
  | grep -qx 2 || fail "sequences missing on the sink"

echo "== post-data: indexes first, then constraints"
grep -q 'pg_restore post-data (post-data-indexes.list)' "$state/tasks/full-1/init-struct.log"
grep -q 'pg_restore post-data (post-data-constraints.list)' "$state/tasks/full-1/init-struct.log"
grep -q 'FK CONSTRAINT' "$state/tasks/full-1/post-data-constraints.list"
grep -q ' INDEX ' "$state/tasks/full-1/post-data-indexes.list"
grep -q "FK CONSTRAINT" "$state/tasks/full-1/post-data-indexes.list" && fail "a foreign key among the indexes"

echo "== per-table progress in the status"
python3 - "$state/tasks/full-1/status.json" "${#ET_SAMPLE_TABLES[@]}" <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
tables = st["tables"]
assert len(tables) == int(sys.argv[2]), tables
for t in tables:
    assert t["status"] == "Complete" and t["percent"] == 100, t
    assert (t["rows"] > 0) == (t["name"] != "empty_one"), t
    assert t["bytes"] > 0 and "bytesPerSecond" in t, t
names = {(t["schema"], t["name"]) for t in tables}
assert ("Sales Dept", 'Order "Lines"') in names, names
assert st["progress"]["tablesDone"] == len(tables), st["progress"]
assert st["initialization"]["metrics"]["progress"] == "100.0%", st["initialization"]
PY
# The rows counted (text or binary COPY) are the rows copied.
python3 - "$state/tasks/full-1/status.json" <<'PY' | while IFS=$'\t' read -r schema name rows; do
import json, sys
for t in json.load(open(sys.argv[1]))["tables"]:
    print(t["schema"], t["name"], t["rows"], sep="\t")
PY
  n=$(pgc_psql sink -d postgres -Atc "SELECT count(*) FROM $(pgc_psql sink -d postgres -Atc "SELECT format('%I.%I', \$\$$schema\$\$, \$\$$name\$\$)")")
  [ "$n" = "$rows" ] || fail "status counts $rows rows for $schema.$name, the sink has $n"
done
grep -Eq 'part\(s\) in binary format' "$state/tasks/full-1/init-data.log"

echo "== files: 0700 directory, 0600 files, no password anywhere"
d=$state/tasks/full-1
[ "$(stat -c %a "$d")" = 700 ] || fail "task directory mode $(stat -c %a "$d")"
for f in "$d"/*; do
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
done
for pw in 'S3cr' 'Si:nk' 'Si\\:nk'; do
  if grep -rl -- "$pw" "$d" | grep -v '/pgpass$'; then fail "a password is stored outside pgpass"; fi
done
grep -q '"password"' "$d/spec.json" && fail "spec.json has a password field"
grep -q 'S3cr\\:et\\\\pw' "$d/pgpass" || fail "pgpass does not hold the escaped source password"

echo "== the same again on a sink whose tables hold rows: refused, nothing changed"
before=$(et_fingerprint sink public.customers)
"$tool" create "$state" full-r "$source_ep" "$sink_ep" "$objects" "$steps"
et_wait_status full-r 'status=(Done|Failed)' 90
# The precheck refuses it (init-data would too, naming the row counts).
et_show full-r | grep -q 'precheck=Failed' || fail "a sink with rows was not refused: $(et_show full-r)"
et_show full-r | grep -q 'check sink.rows failed: .*public.customers' ||
  fail "the refusal does not name the table: $(et_show full-r)"
[ "$(et_fingerprint sink public.customers)" = "$before" ] || fail "the refused run changed the sink"
"$tool" terminate "$state" full-r
echo "== migtop create itself refuses it, naming the table and its rows"
pgc_psql sink -d postgres -c "ANALYZE public.customers" >/dev/null
set +e
"$bin" create full-c --backend local --state-dir "$state" --source "$source_ep" --sink "$sink_ep" \
  --migration-object '"public"' --steps precheck=false >"$work/create-c.out" 2>&1
rc=$?
set -e
cat "$work/create-c.out"
[ "$rc" = 1 ] || fail "create on a sink with rows exited $rc"
grep -q 'refused: .* already hold rows on the sink.*public.customers (~2000 rows).*--sink-tables truncate' \
  "$work/create-c.out" || fail "create does not name the table, its rows and the choice"
[ ! -d "$state/tasks/full-c" ] || fail "a refused create left a task behind"
echo "== with --sink-tables append: the sink's rows kept, the source's added"
pgc_psql src -d postgres -c "CREATE TABLE public.appendme (id int PRIMARY KEY, v text); INSERT INTO public.appendme SELECT g, 'src' FROM generate_series(1, 10) g; GRANT SELECT ON public.appendme TO mig" >/dev/null
pgc_psql sink -d postgres -c "CREATE TABLE public.appendme (id int PRIMARY KEY, v text); INSERT INTO public.appendme SELECT g, 'sink' FROM generate_series(100, 104) g" >/dev/null
"$tool" create "$state" full-a "$source_ep" "$sink_ep" '"public.appendme"' \
  'precheck=true,init-struct=false,init-data=true,cdc=false' append
et_wait_status full-a 'status=(Done|Failed)' 60
et_show full-a | grep -q 'status=Done' || fail "append: $(et_show full-a)"
[ "$(pgc_psql sink -d postgres -Atc "SELECT v, count(*) FROM public.appendme GROUP BY v ORDER BY v")" = $'sink|5\nsrc|10' ] ||
  fail "append did not keep the sink's rows beside the source's"
grep -q 'check sink.rows: warn' "$state/tasks/full-a/precheck.log" || fail "append is not a warning at precheck"
"$tool" terminate "$state" full-a
pgc_psql src -d postgres -c "DROP TABLE public.appendme" >/dev/null
pgc_psql sink -d postgres -c "DROP TABLE public.appendme" >/dev/null
echo "== with --sink-tables truncate: emptied (logged), then copied again"
"$tool" create "$state" full-2 "$source_ep" "$sink_ep" "$objects" "$steps" truncate
et_wait_status full-2 'status=(Done|Failed)' 90
grep -q 'emptying sink table "public"."customers": 2000 rows' "$state/tasks/full-2/init-data.log" ||
  fail "the truncate is not logged with its row count"
et_show full-2 | grep -q 'status=Done' || fail "re-run: $(et_show full-2)"
grep -q 'already existed on the sink and were kept' "$state/tasks/full-2/init-struct.log"
et_same_rows "${ET_SAMPLE_TABLES[@]}"
et_same_structure "'public', 'Sales Dept'"

echo "== a COPY the sink refuses: the table and how far it got"
pgc_psql src -d postgres -c "CREATE TABLE public.checked (v int); INSERT INTO public.checked SELECT generate_series(1, 20000)"
pgc_psql sink -d postgres -c "CREATE TABLE public.checked (v int CHECK (v < 15000))"
"$tool" create "$state" refused "$(et_endpoint src postgres x)" "$(et_endpoint sink postgres x)" \
  '"public.checked"' 'precheck=false,init-struct=false,init-data=true,cdc=false'
et_wait_status refused 'status=(Failed|Done)' 60
line=$(et_show refused)
echo "$line"
grep -q 'status=Failed' <<<"$line" || fail "the refused copy did not fail the task"
grep -Eq 'init_failed="init-data: table public.checked: copy failed after [0-9]+ rows \([0-9]+ bytes\) of the table: sink: .*check constraint' <<<"$line" \
  || fail "failedReason does not name the table and how far it got"
grep -q 'ERROR table public.checked: copy failed after' "$state/tasks/refused/init-data.log"
echo "== a failing precheck fails the task, naming the check"
pgc_psql src -d postgres -c "CREATE TABLE public.nokey (v int)"
"$tool" create "$state" nokey "$(et_endpoint src postgres x)" "$(et_endpoint sink postgres x)" \
  '"public.nokey"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
et_wait_status nokey 'status=(Failed|Done|InitFinished|Running)' 60
line=$(et_show nokey)
echo "$line"
grep -Eq 'status=Failed precheck=Failed .*init_failed="precheck: check source.replica_identity failed: .*nokey' <<<"$line" \
  || fail "precheck failure not reported with the check's name"
grep -q 'ERROR check source.replica_identity: fail' "$state/tasks/nokey/precheck.log"
grep -q 'fix: ' "$state/tasks/nokey/precheck.log"
et_no_slot src nokey
echo "PASS"
