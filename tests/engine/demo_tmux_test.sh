#!/usr/bin/env bash
# `migtop demo` as a person runs it: two throwaway servers, sample data, a
# local task under a write load, the dashboard on it. The task goes
# through its steps to the end of initialization with the copy's progress
# on screen, no password is ever drawn, and quitting stops the servers and
# removes their directory.
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
source "$src/tests/support/demo.sh"
trap demo_cleanup EXIT

demo_start 100 45
base=$DEMO_BASE
echo "demo in $base"
# The whole initialization, then CDC (or InitFinished when the build has none).
tmux_wait 'Status: (InitFinished|Running)' 90
tmux_snap
tmux_screen | grep -Eq 'precheck +Complete' || fail "precheck not Complete"
tmux_screen | grep -Eq 'init-struct +Complete' || fail "init-struct not Complete"
tmux_screen | grep -Eq 'init-data +Complete' || fail "init-data not Complete"
# The copy's progress: every table at 100%, the whole copy too.
tmux_screen | grep -q 'Data Copy' || fail "no Data Copy section"
tmux_screen | grep -Eq '^all 7/7 +100\.0%' || fail "the overall progress is not 7/7 100%"
tmux_screen | grep -Eq '^public\.pgbench_accounts +100\.0% .*Complete' || fail "pgbench_accounts not 100%"
tmux_screen | grep -Eq '^public\.customers +100\.0%' || fail "customers not 100%"
if grep -l ':demo@' "$work"/screen-*.txt; then fail "a password is on screen"; fi

tmux_keys q
tmux_wait 'migtop exited with 0' 60
tmux_snap | grep -q 'stopping: terminating the task, stopping the servers'
for _ in $(seq 50); do [ -d "$base" ] || break; sleep 0.2; done
[ -d "$base" ] && fail "the demo left $base behind"
pgrep -f "$base" >/dev/null && fail "processes of the demo still run"
echo "PASS"
