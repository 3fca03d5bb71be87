#!/usr/bin/env bash
# `migtop demo` through to CDC: the task reaches Running with the CDC
# figures on screen, and under the demo's write load the position moves
# while the lag stays near zero (every sample of the status over 10 s
# under 2 s, the last one under 1 s).
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
source "$src/tests/support/demo.sh"
trap demo_cleanup EXIT

demo_start 120 100 --scale 2 --copy-rate 0 # quick: the copy is not what this looks at
base=$DEMO_BASE
status=$base/state/tasks/demo/status.json
tmux_wait 'Status: Running' 120
metric() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cdc"].get("metrics",{}).get(sys.argv[2],""))' \
    "$status" "$1" 2>/dev/null || true
}
for _ in $(seq 50); do [ "$(metric state)" = streaming ] && break; sleep 0.2; done
[ "$(metric state)" = streaming ] || fail "CDC is not streaming: $(cat "$status")"
first=$(metric transactions_applied)
worst=0
for _ in $(seq 10); do
  sleep 1
  lag=$(metric lag_seconds)
  worst=$(python3 -c "print(max($worst, $lag))")
done
last=$(metric transactions_applied)
echo "lag: worst $worst s over 10 s, last $lag s; transactions applied $first -> $last"
python3 -c "import sys; sys.exit(0 if $worst < 2 and $lag < 1 else 1)" || fail "lag too high"
[ "$last" -gt "$first" ] || fail "CDC applied nothing of the demo's load in 10 s"
tmux_snap | grep -Eq 'source_position +[0-9A-F]+/[0-9A-F]+' || fail "the CDC position is not on screen"

tmux_keys q
tmux_wait 'migtop exited with 0' 60
for _ in $(seq 50); do [ -d "$base" ] || break; sleep 0.2; done
[ -d "$base" ] && fail "the demo left $base behind"
echo "PASS"
