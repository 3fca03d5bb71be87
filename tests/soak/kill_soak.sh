#!/usr/bin/env bash
# Soak: SIGKILL of the runner (now and then of the supervisor first) at
# random moments of init-data and CDC under pgbench and the custom
# workload, TRIALS times (default 30), with nobody restarting anything by
# hand. Prints, per trial, where it was killed and how long until a new
# runner held the task; then the figures: trials, slowest and mean
# recovery, and rows lost or duplicated (every table compared by count and
# digest of every row once the writes stop).
#   tests/soak/kill_soak.sh [TRIALS]     (from a build: MIGTOP_* as ctest sets them,
#                                         or run it from the source tree after scripts/build.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
export MIGTOP_SOURCE_DIR=${MIGTOP_SOURCE_DIR:-$here}
export MIGTOP_BUILD_DIR=${MIGTOP_BUILD_DIR:-$here/build}
export MIGTOP_BIN=${MIGTOP_BIN:-$MIGTOP_BUILD_DIR/bin/migtop}
source "$MIGTOP_SOURCE_DIR/tests/cdc/lib.sh"
trials=${1:-30}
seed=${SOAK_SEED:-$RANDOM}
RANDOM=$seed
echo "soak: $trials trials, seed $seed (SOAK_SEED=$seed to repeat)"

cdc_setup 5
dur=$((trials * 4 + 30))
cdc_pgbench "$dur" 2
cdc_custom $((trials * 40))
cdc_create soak
lock_pid() {
  local p
  p=$(cat "$state/tasks/soak/$1" 2>/dev/null || true)
  [ -n "$p" ] && [ "$(ps -o comm= -p "$p" 2>/dev/null)" = migtop ] && echo "$p"
}
times=()
for n in $(seq 1 "$trials"); do
  sleep "$((RANDOM % 4)).$((RANDOM % 10))"
  pid=""
  for ((i = 0; i < 200; i++)); do pid=$(cdc_runner_pid soak || true); [ -n "$pid" ] && break; sleep 0.05; done
  [ -n "$pid" ] || fail "trial $n: no runner to kill"
  where=$(et_show soak | sed 's/cdc_reason=.*//')
  if ((RANDOM % 6 == 0)); then
    # One fault at a time: the supervised runner starts a new supervisor,
    # then the runner is killed. (Both at the same instant leave no
    # process to start anything: that is what the systemd unit is for.)
    sup=$(lock_pid supervisor.lock || true)
    [ -n "$sup" ] && kill -9 "$sup" 2>/dev/null || true
    for ((i = 0; i < 160; i++)); do
      s2=$(lock_pid supervisor.lock || true)
      [ -n "$s2" ] && [ "$s2" != "$sup" ] && break
      sleep 0.05
    done
    [ -n "$s2" ] && [ "$s2" != "$sup" ] || fail "trial $n: no new supervisor 8 s after killing $sup"
    where="$where (supervisor killed first, a new one in place)"
    pid=$(cdc_runner_pid soak || true)
    [ -n "$pid" ] || fail "trial $n: the runner went with its supervisor"
  fi
  t0=$(date +%s.%N)
  kill -9 "$pid"
  back=""
  for ((i = 0; i < 400; i++)); do
    p=$(cdc_runner_pid soak || true)
    if [ -n "$p" ] && [ "$p" != "$pid" ]; then back=$(date +%s.%N); break; fi
    sleep 0.025
  done
  [ -n "$back" ] || fail "trial $n: no runner 10 s after the kill ($where)"
  s=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$back")
  times+=("$s")
  echo "trial $n: killed at $where; back in ${s}s"
done
cdc_wait_running soak 120
cdc_wait_load
cdc_wait_same soak 120
python3 - "${times[@]}" <<'PY'
import sys
t = [float(x) for x in sys.argv[1:]]
print(f"soak: {len(t)} trials, recovery slowest {max(t):.2f}s, mean {sum(t)/len(t):.2f}s, rows lost or duplicated: 0 (every table equal)")
PY
