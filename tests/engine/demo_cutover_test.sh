#!/usr/bin/env bash
# The whole cutover checklist in `migtop demo`, at 80x24, as a first-time
# user walks it: the demo's write load (role shop_app, application
# shop-app) makes gate 3 fail and is named; E then y pauses it (the load
# keeps trying and is refused: read-only); the countdown holds; the
# sequences are set if they need it; the validation passes; the switch is
# recorded and the report saved in the demo's state directory. No
# password on any screen.
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
source "$src/tests/support/demo.sh"
trap demo_cleanup EXIT
export MIGTOP_CUTOVER_STABLE_S=3

see() { tmux_wait "$1" "${2:-10}" || fail "not on screen: $1"; tmux_snap >/dev/null; }
source "$src/tests/support/cutover_tui.sh"

demo_start 80 24 --scale 2 --copy-rate 0 # quick: the copy is not what this looks at
base=$DEMO_BASE
list() { "$bin" list --backend local --state-dir "$base/state" 2>/dev/null || true; }
for _ in $(seq 300); do list | grep -Eq '^demo +.*Running' && break; sleep 0.3; done
list | grep -Eq '^demo +.*Running' || fail "the demo's task never Running: $(list)"
# The demo's plain schema arrives whole: nothing "not migrated" (the
# task's own publication, and its comment, stay on the source).
desc=$("$bin" describe demo --backend local --state-dir "$base/state")
grep -q 'not migrated' <<<"$desc" && fail "the demo warns of something not migrated: $desc"

tmux_keys x
see 'Gate 1: Task healthy +pass' 20
tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 40
tmux_keys Enter
see 'Gate 3: Business writes paused +FAIL' 15
flat | grep -q 'shop_app (shop-app)' || fail "gate 3 does not name the demo's load: $(flat)"
cut_pause shop_app
tmux_keys Enter
see 'Gate 4: Stable +pass' 30
tmux_keys Enter
see 'Gate 5: Sequences +(pass|FAIL)' 30
if flat | grep -q 'Gate 5: Sequences FAIL'; then
  tmux_keys A
  see 'Gate 5: Sequences +pass' 20
fi
tmux_keys Enter
see 'Gate 6: Validation +pass' 60
tmux_keys Enter
cut_switch
flat | grep -q 'stays read-only' || fail "the done page does not say the source stays read-only"
tmux_keys Escape
see 'cutover done; report' 5
json=$(ls "$base"/state/cutover/demo-cutover-*.json)
python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["outcome"].startswith("switched to the sink at"), r["outcome"]
assert [g["state"] for g in r["gates"]] == ["pass"] * 7, [g["state"] for g in r["gates"]]
PY
if grep -l ':demo@' "$work"/screen-*.txt; then fail "a password is on screen"; fi

tmux_keys q
tmux_wait 'migtop exited with 0' 60 || fail "the demo did not exit"
echo PASS
