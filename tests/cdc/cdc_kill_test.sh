#!/usr/bin/env bash
# Exactly once across crashes, and back by itself: the runner is killed
# with SIGKILL at ten random moments while pgbench and the custom
# workload write (whatever step it is in: init-data, post-data, CDC), and
# nobody starts it again: the supervisor does, within 5 s each time. The
# supervisor is killed too, once: the runner starts a new one, and the
# next kill of the runner is still recovered. Once the writes stop, every
# table on the sink equals the source's: nothing lost, and nothing applied
# twice (pgbench_history and the REPLICA IDENTITY FULL table have no key,
# so a replayed insert would show as an extra row).
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"

cdc_setup 2
cdc_pgbench 45 2
cdc_custom 600
cdc_create k9
seed=${CDC_SEED:-$RANDOM}
echo "== random seed $seed (CDC_SEED=$seed to repeat)"
RANDOM=$seed
lock_pid() { # lock_pid FILE: the live migtop holding it
  local p
  p=$(cat "$state/tasks/k9/$1" 2>/dev/null || true)
  [ -n "$p" ] && [ "$(ps -o comm= -p "$p" 2>/dev/null)" = migtop ] && echo "$p"
}
# wait_new FILE OLD SECS: a different live pid holds FILE within SECS; prints the seconds
wait_new() {
  local t0 p
  t0=$(date +%s.%N)
  for ((i = 0; i < $3 * 20; i++)); do
    p=$(lock_pid "$1" || true)
    if [ -n "$p" ] && [ "$p" != "$2" ] && kill -0 "$p" 2>/dev/null &&
       [ -n "$(cdc_runner_pid k9 || true)" ]; then
      python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)"
      return 0
    fi
    sleep 0.05
  done
  return 1
}
worst=0
for n in $(seq 1 10); do
  sleep "$((1 + RANDOM % 4)).$((RANDOM % 10))"
  pid=""
  for ((i = 0; i < 100; i++)); do
    pid=$(cdc_runner_pid k9 || true)
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || fail "no runner to kill (kill $n)"
  if [ "$n" = 5 ]; then
    sup=$(lock_pid supervisor.lock) || fail "no supervisor before kill $n"
    kill -9 "$sup"
    s=$(wait_new supervisor.lock "$sup" 8) || fail "the runner did not start a new supervisor"
    echo "kill -9 of the supervisor $sup: a new one in ${s}s"
  fi
  step=$(et_show k9 || true)
  kill -9 "$pid"
  secs=$(wait_new runner.lock "$pid" 5) || fail "kill -9 #$n of runner $pid at: $step: no runner after 5 s"
  echo "kill -9 #$n of runner $pid at: $step: back in ${secs}s"
  worst=$(python3 -c "import sys; print(max(float(sys.argv[1]), float(sys.argv[2])))" "$worst" "$secs")
done
echo "slowest recovery: ${worst}s"
cdc_wait_running k9 90
cdc_wait_load
cdc_wait_same k9 90
grep -c 'streaming slot' "$state/tasks/k9/cdc.log" | sed 's/^/CDC sessions started: /'
grep -c 'runner started' "$state/tasks/k9/supervisor.log" | sed 's/^/runners started by supervisors: /'

# A kill -9 during terminate (the source down, so it keeps retrying): the
# supervisor starts a runner that carries the terminate on, and once the
# source is back the slot goes and the task with it. No one runs
# terminate again.
pgc_stop src
"$tool" terminate "$state" k9
et_wait_status k9 'status=Terminating .*terminating=".*cannot connect' 40
pid=$(cdc_runner_pid k9) || fail "no runner while terminating"
kill -9 "$pid"
# Retrying with the source down is no progress, so the supervisor's
# backoff may count this crash with any earlier one that made none (1 s,
# 2 s, 4 s...): up to 10 s here.
secs=$(wait_new runner.lock "$pid" 10) || fail "kill -9 during terminate: no runner after 10 s"
echo "kill -9 of runner $pid while terminating: back in ${secs}s"
et_show k9 | grep -q 'status=Terminating' || fail "not Terminating after the kill: $(et_show k9)"
pgc_start_again src
for _ in $(seq 150); do [ -d "$state/tasks/k9" ] || break; sleep 0.2; done
[ ! -d "$state/tasks/k9" ] || fail "the terminate did not finish after the kill: $(et_show k9)"
et_no_slot src k9
echo "PASS"
