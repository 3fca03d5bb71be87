#!/usr/bin/env bash
# The truth about a task, under faults, as list, describe, -o json,
# cutover --check and the dashboard (tmux, 80x24) show it:
#  - runner and supervisor both killed: RunnerDown at once, in every
#    reading, with since when; gate 1 fails; `migtop supervise` brings it
#    back and the readings say Running again;
#  - the sink's apply sessions stopped (SIGSTOP): Stalled within the stall
#    threshold, naming the backend that does not answer; SIGCONT: moving
#    again, rows equal;
#  - a sink session holding a lock the apply needs: Stalled, naming the
#    table and the session holding it (application, idle in transaction);
#  - a change the sink refuses each time: Failing, with the statement;
#    fixed on the sink: streaming again, last_error cleared;
#  - the source's walsender stopped (SIGSTOP) with changes written:
#    Stalled, naming the walsender and not the sink; below the stall
#    threshold the lag grows past 3 s (it said 0 s), and falls once the
#    walsender goes on;
#  - status.json damaged: read from its last good copy; both damaged and
#    the runner killed: the restarted runner resumes CDC from the origin;
#  - a runner that crashes at start: backed off, then Failed with why.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh" # its helpers (engine.sh is in already)
export MIGTOP_STALL_S=4

et_pair "wal_sender_timeout = 10s"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 2000) g;
SQL
et_pair_task tr '"public"'
cdc_wait_running tr 60

m() { "$bin" "$@" --backend local --state-dir "$state"; }
status_of() { m list tr | awk 'NR == 2 {print $3}'; }
wait_list() { # wait_list REGEX SECS
  local i s=""
  for ((i = 0; i < $2 * 5; i++)); do
    s=$(status_of)
    grep -Eq -- "$1" <<<"$s" && return 0
    sleep 0.2
  done
  fail "list shows $s, not /$1/ after $2 s; $(m describe tr | grep -E '^(Health|Name)')"
}
lockpid() { cat "$state/tasks/tr/$1" 2>/dev/null || true; }
# stall_says ERE WHAT: Stalled within 20 s, its reason matching ERE.
stall_says() {
  wait_list '^Stalled$' 20
  reason=$(cdc_metric tr stall_reason)
  echo "stall_reason: $reason"
  grep -Eq -- "$1" <<<"$reason" || fail "the stall does not name $2: $reason"
}
write() { pgc_psql src -d postgres -c "UPDATE acct SET bal = bal + 1 WHERE id <= ${1:-10}" >/dev/null; }
same() { cdc_same_tables tr "${1:-30}" public.acct; }

echo "== runner and supervisor killed: RunnerDown everywhere"
kill -9 "$(lockpid supervisor.lock)" "$(lockpid runner.lock)"
wait_list '^RunnerDown$' 5
m describe tr | grep -E '^Health: RunnerDown since .* ago\): no runner and no supervisor' ||
  fail "describe does not say the runner is down: $(m describe tr | head -5)"
m list tr -o json | python3 -c '
import json, sys
o = json.load(sys.stdin)
a = (o["items"][0] if "items" in o else o)["metadata"]["annotations"]
assert a["migtop.io/health"] == "runner-gone", a
assert "migtop.io/health-since" in a, a' || fail "-o json has no health annotations"
set +e
out=$(MIGTOP_CUTOVER_STABLE_S=1 m cutover tr --check 2>&1)
set -e
grep -Eq '^1 Task healthy +FAIL' <<<"$out" || fail "gate 1 passes with the runner down: $out"
tmux_start 80 24 "$bin --backend local --state-dir $state"
see 'tr +.*RunnerDown' 10
tmux_keys Enter
see '! RunnerDown since' 5
see 'no runner and no supervisor' 5
"$bin" supervise tr --state-dir "$state" >/dev/null 2>&1 &
disown
wait_list '^Running$' 10
see 'tr +.*Running' 10
tmux_gone 'RunnerDown' 5 || fail "the dashboard still shows RunnerDown"
tmux_keys Escape
write; same

echo "== the sink's apply sessions stopped: Stalled, then moving again"
cdc_wait_running tr 30
pids=$(cdc_metric tr sink_backend_pids)
[[ "$pids" =~ ^[0-9]+,\ [0-9]+$ ]] || fail "sink_backend_pids does not list the two apply sessions: $pids"
apply=${pids//,/}
kill -STOP $apply
write 50
t0=$(date +%s)
wait_list '^Stalled$' 20
echo "stalled shown $(($(date +%s) - t0)) s after the write (threshold ${MIGTOP_STALL_S} s)"
reason=$(cdc_metric tr stall_reason)
echo "stall_reason: $reason"
grep -Eq "the sink's backend \(pid (${pids/, /|})" <<<"$reason" || fail "the stall does not name a backend of $pids: $reason"
see 'tr +.*Stalled' 10
kill -CONT $apply
wait_list '^Running$' 30
same
grep -q 'CDC moving again after' "$state/tasks/tr/cdc.log" || fail "the recovery is not logged"

echo "== a lock held on the sink: Stalled, naming the session holding it"
lockfifo=$work/lock.fifo
mkfifo "$lockfifo"
(PGAPPNAME=nightly-report pgc_psql sink -d postgres <"$lockfifo" >/dev/null 2>&1) &
ET_PIDS+=($!)
exec 7>"$lockfifo"
echo "BEGIN; LOCK TABLE public.acct IN ACCESS EXCLUSIVE MODE;" >&7
sleep 1
write 5
stall_says 'waits for a lock on (public\.)?acct held by pid [0-9]+ \(nightly-report, user postgres, idle in transaction since' \
  "the lock and its holder"
echo "COMMIT;" >&7
exec 7>&-
wait_list '^Running$' 30
same

echo "== a change the sink refuses each time: Failing with the statement"
pgc_psql sink -d postgres -c "ALTER TABLE public.acct ADD CONSTRAINT small CHECK (bal < 100000) NOT VALID" >/dev/null
pgc_psql src -d postgres -c "UPDATE acct SET bal = 500000 WHERE id = 7" >/dev/null
wait_list '^Failing$' 40
err=$(cdc_metric tr last_error)
echo "last_error: $err"
grep -q 'violates check constraint "small"' <<<"$err" || fail "last_error does not say why: $err"
grep -q 'statement: ' <<<"$err" || fail "last_error does not show the statement: $err"
[ -n "$(cdc_metric tr last_error_at)" ] || fail "last_error has no time"
m describe tr | grep -q '^Health: Failing' || fail "describe does not say Failing"
pgc_psql sink -d postgres -c "ALTER TABLE public.acct DROP CONSTRAINT small" >/dev/null
wait_list '^Running$' 60
same 40
for ((i = 0; i < 25; i++)); do [ "$(cdc_metric tr last_error)" = none ] && break; sleep 0.2; done
[ "$(cdc_metric tr last_error)" = none ] || fail "last_error kept after CDC applied again"

echo "== the source's walsender stopped: Stalled, naming it, not the sink"
walsender() { pgc_psql src -d postgres -Atc "SELECT active_pid FROM pg_replication_slots WHERE active_pid IS NOT NULL"; }
ws=$(walsender)
[ -n "$ws" ] || fail "no walsender holds the task's slot"
kill -STOP "$ws"
write 30
stall_says "the source's walsender has sent nothing for [0-9]+s with nothing of ours pending; it \(pid $ws on the source\)" \
  "the source's walsender"
grep -q "sink's backend" <<<"$reason" && fail "the stall blames the sink: $reason"
kill -CONT "$ws"
wait_list '^Running$' 30
same

echo "== the walsender stopped halfway, below the stall threshold: the lag grows, not 0 s"
# The runner again with the default threshold (30 s): the lag alone must
# tell that the changes written are not on the sink.
kill "$(lockpid supervisor.lock)"
for ((i = 0; i < 50; i++)); do [ -z "$(cdc_runner_pid tr || true)" ] && break; sleep 0.1; done
(MIGTOP_STALL_S=60 "$bin" supervise tr --state-dir "$state" >/dev/null 2>&1 &)
wait_list '^Running$' 20
cdc_wait_running tr 30
write; same
ws=$(walsender)
kill -STOP "$ws"
write 40
lag=0
for ((i = 0; i < 50; i++)); do
  lag=$(cdc_metric tr lag_seconds)
  awk -v l="${lag:-0}" 'BEGIN { exit !(l >= 3) }' && break
  sleep 0.2
done
state_now=$(cdc_metric tr state)
kill -CONT "$ws"
echo "lag with the walsender stopped: $lag s (state $state_now)"
awk -v l="${lag:-0}" 'BEGIN { exit !(l >= 3) }' || fail "the lag stayed at $lag s with the walsender stopped"
[ "$state_now" = streaming ] || fail "CDC is $state_now, not streaming, below the stall threshold"
same
for ((i = 0; i < 50; i++)); do
  lag=$(cdc_metric tr lag_seconds)
  awk -v l="${lag:-9}" 'BEGIN { exit !(l < 1) }' && break
  sleep 0.2
done
awk -v l="${lag:-9}" 'BEGIN { exit !(l < 1) }' || fail "the lag is still $lag s once caught up"
# Back to the test's threshold for what follows.
kill "$(lockpid supervisor.lock)"
for ((i = 0; i < 50; i++)); do [ -z "$(cdc_runner_pid tr || true)" ] && break; sleep 0.1; done
("$bin" supervise tr --state-dir "$state" >/dev/null 2>&1 &)
wait_list '^Running$' 20
cdc_wait_running tr 30

echo "== status.json damaged: its last good copy; both damaged: CDC resumes from the origin"
kill -STOP "$(lockpid supervisor.lock)" "$(lockpid runner.lock)" # nobody rewrites them meanwhile
sleep 1.2
printf '{"taskStatus": "Runn' >"$state/tasks/tr/status.json"
m list tr -o json | python3 -c '
import json, sys
o = json.load(sys.stdin)
o = o["items"][0] if "items" in o else o
assert o["status"]["taskStatus"] == "Running", o["status"].get("taskStatus")
assert o["metadata"]["annotations"]["migtop.io/status-from"] == "status.prev.json", o["metadata"]["annotations"]' ||
  fail "a damaged status.json is not read from its last good copy"
printf 'garbage' >"$state/tasks/tr/status.prev.json"
wait_list '^StatusLost$' 5
m describe tr | grep -q '^Health: StatusLost' || fail "describe does not say the status is lost"
write 20
sup=$(lockpid supervisor.lock); run=$(lockpid runner.lock)
kill -9 "$run"
kill -CONT "$sup"
wait_list '^Running$' 20
grep -q 'the replication origin is on the sink, so CDC resumes from it' "$state/tasks/tr/cdc.log" ||
  fail "the restarted runner did not resume from the origin: $(tail -5 "$state/tasks/tr/cdc.log")"
same 40
[ "$(grep -c 'step precheck started' "$state/tasks/tr/precheck.log")" = 1 ] ||
  fail "the precheck ran again (it would fail on the task's own slot)"

echo "== a runner that crashes at start: backed off, then Failed with why"
crasher=$work/crasher.sh
printf '#!/bin/sh\nkill -SEGV $$\n' >"$crasher"
chmod +x "$crasher"
kill "$(lockpid supervisor.lock)"
for ((i = 0; i < 50; i++)); do [ -z "$(cdc_runner_pid tr || true)" ] && break; sleep 0.1; done
MIGTOP_BIN=$crasher MIGTOP_CRASH_LIMIT=3 "$bin" supervise tr --state-dir "$state" && fail "supervise exited 0"
m describe tr | grep -E 'crashed 3 times in 10 minutes without getting anywhere \(last: killed by signal 11' ||
  fail "the crash loop is not the task's failure: $(m describe tr | head -8)"
[ "$(status_of)" = Failed ] || fail "list shows $(status_of) after the crash loop"
tmux_keys q
see 'migtop exited with 0' 30
echo PASS
