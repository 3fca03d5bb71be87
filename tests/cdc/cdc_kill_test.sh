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
echo "PASS"
