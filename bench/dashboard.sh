#!/usr/bin/env bash
# Dashboard cost on a snapshot of 100 tasks: time from exec to the first
# frame and to the first frame with data, CPU over 60 idle seconds, peak
# RSS. Targets (issue 2): < 100 ms, < 0.5% of a core, < 20 MB.
#   bench/dashboard.sh [IDLE_SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-60}
scripts/build.sh >/dev/null
bin=$PWD/build/bin/migtop
work=$(mktemp -d)
export TMUX_SCREENS=$work
source tests/support/tmux.sh
trap 'tmux_cleanup; rm -rf "$work"' EXIT
python3 tests/data/make-sample.py --now "$(date +%s)" --tasks 100 >"$work/snap.json"
echo "snapshot: $(grep -c '"kind": "MigrationTask"' "$work/snap.json") tasks, $(wc -c <"$work/snap.json") bytes"

starts=()
for run in 1 2 3 4 5; do
  log=$work/frames-$run
  # The clock starts just before exec, so tmux's own start-up is not counted.
  tmux_start 200 50 sh -c "'date +%s%N >$log.start; exec env MIGTOP_BENCH_FRAME_LOG=$log $bin --file $work/snap.json'"
  for _ in $(seq 100); do grep -q first_data_frame "$log" 2>/dev/null && break; sleep 0.05; done
  start=$(cat "$log.start")
  first=$(awk '/^first_frame/ {print $2}' "$log")
  data=$(awk '/^first_data_frame/ {print $2}' "$log")
  printf 'run %d: first frame %6.1f ms, first frame with data %6.1f ms\n' "$run" \
    "$(echo "($first - $start) / 1000000" | bc -l)" "$(echo "($data - $start) / 1000000" | bc -l)"
  starts+=("$(( (data - start) / 1000 ))")
  [ "$run" -lt 5 ] && tmux_cleanup
done
median=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)
pid=$(pgrep -n -f "migtop --file $work/snap.json")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$idle"
t1=$(ticks)
cpu=$(echo "($t1 - $t0) / $hz / $idle * 100" | bc -l)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo
printf '%-34s %12s %12s\n' "figure" "migtop" "target"
printf '%-34s %9.1f ms %9s ms\n' "start to first frame with data" "$(echo "$median / 1000" | bc -l)" "< 100"
printf '%-34s %10.2f %% %10s %%\n' "CPU over ${idle} idle seconds" "$cpu" "< 0.5"
printf '%-34s %9.1f MB %9s MB\n' "peak RSS" "$(echo "$rss / 1024" | bc -l)" "< 20"
