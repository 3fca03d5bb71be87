#!/usr/bin/env bash
# CDC end to end: pgbench TPC-B and the custom workload (every operation,
# TOAST, REPLICA IDENTITY FULL without a key, arrays, jsonb, enum,
# composite, geometry) run on the source while init-data copies and on
# through CDC; once the writes stop, every table on the sink equals the
# source's. Also: the status carries the CDC figures, the log the add-on's
# current_position lines, `migtop validate --full` agrees, and terminate
# drops the origin as well.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"

cdc_setup 2
echo "== load running from before the task: init-data copies under writes"
cdc_pgbench 15 2
cdc_custom 150
cdc_create wl
cdc_wait_running wl 90
et_show wl
cdc_custom_sql 60 | sed 's/new /later /' >"$work/custom2.sql"
pgc_psql src -d postgres -f "$work/custom2.sql" >/dev/null
cdc_wait_load
cdc_wait_same wl 60
echo "== migtop validate --full agrees"
"$bin" validate --source "$(et_endpoint src mig 'src:pw')" --sink "$(et_endpoint sink loader 'sink:pw')" \
  --migration-object '"public","Sales Dept"' --full >"$work/validate.out" 2>&1 \
  || { cat "$work/validate.out"; fail "validate --full found a difference"; }
tail -n 3 "$work/validate.out"

echo "== figures in the status, position lines in the log"
sleep 2
for k in source_position source_timestamp lag_seconds lag_bytes transactions_per_second \
  rows_per_second slot_retained_wal reconnects; do
  v=$(cdc_metric wl "$k")
  [ -n "$v" ] || fail "status has no cdc metric $k"
  echo "  $k = $v"
done
[ "$(cdc_metric wl transactions_applied)" -gt 500 ] || fail "too few transactions applied"
# Idle and caught up: the timestamp keeps up with the clock (no lag shown).
sleep 3
age=$(python3 -c 'import sys,datetime as d; t=d.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")); print(int((d.datetime.now(d.timezone.utc)-t).total_seconds()))' "$(cdc_metric wl source_timestamp)")
echo "  source_timestamp is ${age}s old while the source is idle"
[ "$age" -le 4 ] || fail "source_timestamp is ${age}s old on an idle, caught-up source"
grep -Eq 'current_position: [0-9A-F]+/[0-9A-F]+, timestamp: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC' \
  "$state/tasks/wl/cdc.log" || fail "no current_position line in cdc.log"
# The origin on the sink is where the slot is.
pgc_psql sink -d postgres -Atc "SELECT count(*) FROM pg_replication_origin WHERE roname = 'migtop_wl'" \
  | grep -qx 1 || fail "no replication origin on the sink"

echo "== terminate drops the slot, the publication and the origin"
"$tool" terminate "$state" wl
for ((i = 0; i < 150; i++)); do [ -d "$state/tasks/wl" ] || break; sleep 0.2; done
[ ! -d "$state/tasks/wl" ] || fail "task still there after terminate"
et_no_slot src wl
pgc_psql sink -d postgres -Atc "SELECT count(*) FROM pg_replication_origin WHERE roname = 'migtop_wl'" \
  | grep -qx 0 || fail "the replication origin is still on the sink"
echo "PASS"
