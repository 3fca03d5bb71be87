#!/usr/bin/env bash
# CDC through restarts and a structure change:
# - the sink down for a while under load (the status says CDC is
#   reconnecting, and why), then the source restarted while CDC catches
#   up: CDC reconnects with backoff (the status counts the attempts and
#   keeps the last error) and the sink ends equal;
# - a column added on the source: CDC pauses with a reason naming the
#   table and the column, applies nothing of that table meanwhile, and
#   resumes once the sink has the column.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"

cdc_setup 1
cdc_create rs
cdc_wait_running rs 90

echo "== sink down for a while under load, then back"
cdc_pgbench 12 2
sleep 3
pgc_stop sink
et_wait_status rs 'cdc_reason="CDC reconnecting in [0-9]+ s \(attempt [0-9]+\): ' 20
et_show rs
sleep 2
pgc_start_again sink
cdc_wait_load
# no_reason NAME: the status (written every second) drops the CDC reason within 5 s.
no_reason() {
  local i
  for ((i = 0; i < 25; i++)); do et_show "$1" | grep -q cdc_reason || return 0; sleep 0.2; done
  return 1
}

echo "== source restarted while CDC catches up"
cdc_custom_sql 150 >"$work/custom.sql"
pgc_psql src -d postgres -f "$work/custom.sql" >/dev/null
pgc_restart src
cdc_pgbench 5 2
cdc_wait_load
cdc_wait_same rs 60
r=$(cdc_metric rs reconnects)
echo "reconnects: $r, last error: $(cdc_metric rs last_error)"
[ "$r" -ge 2 ] || fail "expected at least 2 reconnects, status says $r"
grep -q 'reconnecting in' "$state/tasks/rs/cdc.log" || fail "no reconnect in cdc.log"
# Applying again: the error is history (cdc.log keeps it), the reason gone.
no_reason rs || fail "the reason stayed after CDC reconnected: $(et_show rs)"
[ "$(cdc_metric rs last_error)" = none ] || fail "last_error kept after CDC applied again: $(cdc_metric rs last_error)"

echo "== a column added on the source"
pgc_psql src -d postgres -c "ALTER TABLE public.trunc_me ADD COLUMN extra int DEFAULT 7" \
  -c "INSERT INTO public.trunc_me VALUES (5001, 'with extra', 42)" >/dev/null
et_wait_status rs 'cdc_reason=".*trunc_me.*\"extra\".*missing on the sink' 30
et_show rs
pgc_psql src -d postgres -c "UPDATE public.pgbench_branches SET bbalance = bbalance + 1" >/dev/null
sleep 2
[ -z "$(pgc_psql sink -d postgres -Atc "SELECT 1 FROM public.trunc_me WHERE id = 5001")" ] \
  || fail "a row of the changed table was applied while paused"
[ "$(cdc_metric rs state)" = paused ] || fail "state is $(cdc_metric rs state), not paused"
pgc_psql sink -d postgres -c "ALTER TABLE public.trunc_me ADD COLUMN extra int DEFAULT 7" >/dev/null
cdc_wait_same rs 30
et_wait_status rs 'status=Running' 10
no_reason rs || fail "the reason stayed after CDC resumed: $(et_show rs)"
grep -q 'CDC resumed' "$state/tasks/rs/cdc.log" || fail "no resume in cdc.log"
echo "PASS"
