#!/usr/bin/env bash
# create --local --systemd user: the unit template and the instance's
# drop-in are written where systemd looks (here $MIGTOP_SYSTEMD_DIR), the
# unit checked by systemd-analyze, systemctl asked to reload and to enable
# and start migtop-task@NAME (a stand-in records the calls), and the
# drop-in's ExecStart, run as systemd would, supervises the task to
# Running. A systemctl that fails: said, and the task still runs.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

et_pair
pgc_psql src -d postgres -c "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100); CREATE TABLE t2 (id int PRIMARY KEY)" >/dev/null
export MIGTOP_SYSTEMD_DIR=$work/units
calls=$work/systemctl.calls
cat >"$work/systemctl" <<EOF
#!/bin/sh
echo "\$*" >>"$calls"
exit \${FAKE_SYSTEMCTL_RC:-0}
EOF
chmod +x "$work/systemctl"
export MIGTOP_SYSTEMCTL=$work/systemctl

"$bin" create su --local --state-dir "$state" --systemd user --source "$(et_endpoint src mig src-pw)" \
  --sink "$(et_endpoint sink mig sink-pw)" --migration-object '"public.t"' \
  --steps precheck=true,init-struct=true,init-data=true,cdc=true
unit=$MIGTOP_SYSTEMD_DIR/migtop-task@.service
drop=$MIGTOP_SYSTEMD_DIR/migtop-task@su.service.d/migtop.conf
[ -f "$unit" ] && [ -f "$drop" ] || fail "the unit or its drop-in was not written"
cat "$drop"
grep -qx "ExecStart=$bin supervise su --state-dir $state" "$drop" || fail "the drop-in's ExecStart"
grep -q '^RestartPreventExitStatus=0 1 2 3$' "$unit" || fail "the template's restart policy"
[ "$(cat "$calls")" = $'--user daemon-reload\n--user enable --now migtop-task@su.service' ] ||
  fail "systemctl was asked: $(cat "$calls")"
# Nothing started it yet (the stand-in systemctl starts nothing).
[ -z "$(cat "$state/tasks/su/supervisor.lock" 2>/dev/null)" ] || fail "a supervisor was started besides the unit"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/verify"
  sed "s#^ExecStart=/usr/bin/migtop#ExecStart=$bin#" "$unit" >"$work/verify/migtop-task@su.service"
  systemd-analyze verify --man=no "$work/verify/migtop-task@su.service" 2>&1 | tee "$work/verify.out" || true
  grep -qi 'error\|invalid\|unknown' "$work/verify.out" && fail "systemd-analyze finds fault with the unit"
fi
# What systemd would run.
exec_start=$(sed -n 's/^ExecStart=\(.\+\)$/\1/p' "$drop")
(setsid $exec_start >/dev/null 2>&1 &)
et_wait_status su 'status=Running' 90
echo "the unit's command supervises the task: $(et_show su)"

echo "== a systemctl that fails"
: >"$calls"
set +e
out=$(FAKE_SYSTEMCTL_RC=1 "$bin" create su2 --local --state-dir "$state" --systemd user \
  --source "$(et_endpoint src mig src-pw)" --sink "$(et_endpoint sink mig sink-pw)" \
  --migration-object '"public.t2"' 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || fail "create exited $rc with systemctl failing"
grep -q 'daemon-reload failed (exit 1); the task runs under a detached supervisor instead' <<<"$out" ||
  fail "the failure is not said"
et_wait_status su2 'status=(Running|Done)' 90
echo PASS
