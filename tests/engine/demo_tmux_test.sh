#!/usr/bin/env bash
# `migtop demo` as a person runs it: two throwaway servers, sample data, a
# local task under a write load, the dashboard on it. The task goes
# through its steps to the end of initialization with the copy's progress
# on screen (for about 20 s at the defaults: the copy's limit said, the
# percentage and ETA moving), no password is ever drawn, and quitting stops the servers and
# removes their directory.
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
source "$src/tests/support/demo.sh"
trap demo_cleanup EXIT

demo_start 100 45
base=$DEMO_BASE
echo "demo in $base"
# The first 30 seconds of a first run, at the defaults: the copy happens
# where it can be watched, its limit said, the percentage, throughput and
# ETA moving on every table still copying.
tmux_wait 'Data Copy \(limited to 16MB/s\)' 60 || fail "no copy to watch, or its limit is not said"
tmux_wait '^all [0-9]/7 +[1-9][0-9]?\.[0-9]% .*MiB/s +ETA ([0-9.]+s|[0-9]+m)' 30 || fail "no overall progress with ETA"
first=$(tmux_snap | sed -nE 's/^all [0-9]\/7 +([0-9.]+)%.*/\1/p')
sleep 3
second=$(tmux_snap | sed -nE 's/^all [0-9]\/7 +([0-9.]+)%.*/\1/p')
echo "copy progress: $first% then $second% three seconds later"
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2] or 100); sys.exit(0 if b > a else 1)" \
  "$first" "$second" || fail "the copy's progress did not move ($first% -> $second%)"
tmux_screen | grep -Eq '^public\.pgbench_accounts +[0-9.]+% .*ETA ([0-9.]+s|[0-9]+m)' || fail "no ETA on the big table"
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
# The limit held, and no more than it: the bytes of every table over the
# step's time, within 10% of 16 MB/s above and 40% below (the small
# tables' and the indexes' time counts too).
python3 - "$base/state/tasks/demo/init-data.log" <<'PY' || fail "the copy did not keep to its limit"
import re, sys
log = open(sys.argv[1]).read()
total = sum(int(b) for b in re.findall(r"copied: \d+ rows, (\d+) bytes", log))
ms = int(re.search(r"step init-data complete in (\d+) ms", log).group(1))
rate = total / (ms / 1000) / 1e6
print(f"copied {total / 1e6:.1f} MB in {ms / 1000:.1f} s: {rate:.1f} MB/s (limit 16 MB/s)")
sys.exit(0 if 9.6 <= rate <= 17.6 else 1)
PY

tmux_keys q
tmux_wait 'migtop exited with 0' 60
tmux_snap | grep -q 'stopping: terminating the task, stopping the servers'
for _ in $(seq 50); do [ -d "$base" ] || break; sleep 0.2; done
[ -d "$base" ] && fail "the demo left $base behind"
pgrep -f "$base" >/dev/null && fail "processes of the demo still run"
echo "PASS"
