#!/usr/bin/env bash
# The source goes away in the middle of init-data: the step and the task
# fail with a reason that names the table (and its part, when the table is
# copied in parts) and how far its copy got, the
# log says the same, and the runner exits (nothing left hanging).
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

pgc_start src
pgc_start sink
# About 200 MB of rows: long enough to be stopped in the middle.
pgc_psql src -d postgres -c "CREATE TABLE big (id bigint PRIMARY KEY, pad text);
  INSERT INTO big SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 800000) g; ANALYZE big"
"$tool" create "$state" gone "$(et_endpoint src postgres x)" "$(et_endpoint sink postgres x)" \
  '"public.big"' 'precheck=false,init-struct=true,init-data=true,cdc=false'
# Wait until the copy is under way on the source, then stop it (the
# status, written every second, may come too late for a copy this fast).
for _ in $(seq 600); do
  [ -n "$(pgc_psql src -d postgres -Atc "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'COPY%big%TO STDOUT%' AND pid <> pg_backend_pid()" 2>/dev/null)" ] && break
  sleep 0.02
done
sleep 0.1
runner=$(cat "$state/tasks/gone/runner.lock")
pgc_stop src
et_wait_status gone 'status=(Failed|Done)' 60
line=$(et_show gone)
echo "$line"
grep -Eq 'status=Failed .*init-data=Failed' <<<"$line" \
  || fail "the copy did not fail (the source stopped too late?)"
grep -Eq 'init_failed="init-data: table public.big( \(part [0-9]+/[0-9]+\))?: copy failed after [0-9]+ rows \([0-9]+ bytes\) of the table: source: ' <<<"$line" \
  || fail "the reason does not name the table, how far it got and the side"
grep -Eq 'ERROR table public.big( \(part [0-9]+/[0-9]+\))?: copy failed after [0-9]+ rows' "$state/tasks/gone/init-data.log"
for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
kill -0 "$runner" 2>/dev/null && fail "the runner is still running after the failure"
echo "PASS"
