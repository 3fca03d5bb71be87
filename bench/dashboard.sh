#!/usr/bin/env bash
# Dashboard cost on a snapshot of 100 tasks: time from exec to the first
# frame and to the first frame with data, CPU over 60 idle seconds, peak
# RSS. Targets (issue 2): < 100 ms, < 0.5% of a core, < 20 MB.
#   bench/dashboard.sh [IDLE_SECONDS] [LOCAL_TASKS]   (defaults 60, 1000)
#   MIGTOP_BIN=... bench/dashboard.sh: that build instead of build/
# Then the same for LOCAL_TASKS idle local tasks (the local feed), htop
# measured beside it in the same run (issue 16: idle CPU <= htop's, first
# frame with data <= 20 ms, RSS <= 20 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-60}
if [ -z "${MIGTOP_BIN:-}" ]; then scripts/build.sh >/dev/null; fi
bin=${MIGTOP_BIN:-$PWD/build/bin/migtop}
work=$(mktemp -d)
export TMUX_SCREENS=$work
source tests/support/tmux.sh
trap 'tmux_cleanup; rm -rf "$work"' EXIT
python3 tests/data/make-sample.py --now "$(date +%s)" --tasks 100 >"$work/snap.json"
echo "snapshot: $(grep -c '"kind": "MigrationTask"' "$work/snap.json") tasks, $(wc -c <"$work/snap.json") bytes"

starts=()
for run in 1 2 3 4 5; do
  log=$work/frames-$run
  # The clock starts just before exec (bash's own clock, in ns: no date or
  # env process of the harness's counted), so tmux's start-up is not counted.
  tmux_start 200 50 bash -c "'echo \${EPOCHREALTIME/./}000 >$log.start; MIGTOP_BENCH_FRAME_LOG=$log exec $bin --file $work/snap.json'"
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
pid=$(pgrep -n -f -- "--file $work/snap.json")
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

# ---------------------------------------------------------------------
# Issue 16: the local feed with 1000 idle local tasks (no runner: what a
# bastion host keeps after a month of migrations), htop beside it in the
# same run, on the same machine, over the same idle seconds.
tasks=${2:-1000}
command -v htop >/dev/null || scripts/install-deps.sh htop >/dev/null
lbin=$bin
lstate=$work/local-state
export HOME=$work/home # the seed task's registry entry stays in here
mkdir -p "$HOME"
"$lbin" create seed --local --state-dir "$lstate" --template migtop-local-pg2pg \
  --source u:p@127.0.0.1:1/db --sink u:p@127.0.0.1:1/db --migration-object '"public"' >/dev/null 2>&1
for _ in $(seq 100); do grep -q '"Failed"' "$lstate/tasks/seed/status.json" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do [ -z "$(pgrep -f "migtop (run|supervise) seed")" ] && break; sleep 0.1; done
# Each task with the lag history its runner kept (history.json, 15
# minutes of slots): the last 20 tasks' end now (their CDC stopped a
# moment ago), the others' an hour ago. The dashboard reads them all on
# its feed's thread, never before its first frame, and keeps the recent.
python3 - "$work" <<'PY'
import json, sys, time
now = int(time.time()) // 5
for name, end in (("recent", now), ("old", now - 720)):
    json.dump({"slot_s": 5, "slots": [[end - k, 0.5 + k % 7, 1200.0] for k in range(180)]},
              open(f"{sys.argv[1]}/history-{name}.json", "w"))
PY
# Made over the last month, one every 40 minutes (t-1 the oldest, the
# last one an hour ago), as a month of migrations leaves them: their ages
# read "27d", "5h", not seconds ticking (BENCH_YOUNG=1 keeps the seed's
# creation time, a few minutes ago, for all: then every row's age changes
# each second, and so does the list the dashboard draws).
python3 - "$lstate/tasks" "$work" "$tasks" "${BENCH_YOUNG:-0}" <<'PY'
import json, os, shutil, sys, time
root, work, n, young = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
spec = json.load(open(f"{root}/seed/spec.json"))
status = open(f"{root}/seed/status.json").read()
now = int(time.time())
for i in range(1, n + 1):
    d = f"{root}/t-{i}"
    os.makedirs(d)
    spec["metadata"]["name"] = f"t-{i}"
    if not young:
        made = now - 3600 - (n - i) * 2400
        spec["metadata"]["creationTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(made))
    with open(f"{d}/spec.json", "w") as f:
        json.dump(spec, f, indent=2)
    open(f"{d}/status.json", "w").write(status)
    shutil.copy(f"{work}/history-{'recent' if i > n - 20 else 'old'}.json", f"{d}/history.json")
PY
rm -rf "$lstate/tasks/seed"
echo
echo "== $tasks idle local tasks ($lbin)"
# Five starts (the median and the spread); the last one stays for the
# idle figures.
lstarts=()
for run in 1 2 3 4 5; do
  tmux_cleanup
  log=$work/frames-local-$run
  tmux_start 200 50 bash -c "'echo \${EPOCHREALTIME/./}000 >$log.start; MIGTOP_BENCH_FRAME_LOG=$log exec $lbin --backend local --state-dir $lstate'"
  for _ in $(seq 200); do grep -q first_data_frame "$log" 2>/dev/null && break; sleep 0.05; done
  start=$(cat "$log.start")
  data=$(awk '/^first_data_frame/ {print $2}' "$log")
  lstarts+=("$(( (data - start) / 1000 ))")
  printf 'local run %d: first frame with data %6.1f ms\n' "$run" "$(echo "($data - $start) / 1000000" | bc -l)"
done
lmedian=$(printf '%s\n' "${lstarts[@]}" | sort -n | sed -n 3p)
lspread=$(printf '%s\n' "${lstarts[@]}" | sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.1f-%.1f", lo / 1000, hi / 1000}')
_t new-window -d "env TERM=xterm-256color htop"
sleep 3 # both settled
mpid=$(pgrep -n -f -- "--backend local --state-dir $lstate")
hpid=$(pgrep -n -x htop)
tk() { awk '{print $14 + $15}' "/proc/$1/stat"; }
m0=$(tk "$mpid"); h0=$(tk "$hpid")
sleep "$idle"
m1=$(tk "$mpid"); h1=$(tk "$hpid")
mcpu=$(echo "($m1 - $m0) / $hz / $idle * 100" | bc -l)
hcpu=$(echo "($h1 - $h0) / $hz / $idle * 100" | bc -l)
# The same with one of them at work: its runner replaces its status.json
# every second (as a real one does), the other 999 stay finished.
busy=$lstate/tasks/t-1
m2=$(tk "$mpid"); h2=$(tk "$hpid")
for ((i = 0; i < idle; i++)); do
  sed 's/"taskStatus":[^,]*/"taskStatus": "Running"/' "$busy/status.json" >"$busy/status.tmp"
  mv "$busy/status.tmp" "$busy/status.json"
  sleep 1
done
m3=$(tk "$mpid"); h3=$(tk "$hpid")
bcpu=$(echo "($m3 - $m2) / $hz / $idle * 100" | bc -l)
bhcpu=$(echo "($h3 - $h2) / $hz / $idle * 100" | bc -l)
mrss=$(awk '/VmHWM/ {print $2}' "/proc/$mpid/status")
hrss=$(awk '/VmHWM/ {print $2}' "/proc/$hpid/status")
printf '\n%-34s %12s %12s %8s\n' "figure ($tasks local tasks)" "migtop" "htop" "ratio"
printf '%-34s %9.1f ms %12s %8s  (median of 5, %s ms)\n' "start to first frame with data" "$(echo "$lmedian / 1000" | bc -l)" "-" "(<= 20)" "$lspread"
printf '%-34s %10.2f %% %10.2f %% %8.2f\n' "CPU over ${idle} idle seconds" "$mcpu" "$hcpu" \
  "$(echo "if ($hcpu > 0) $mcpu / $hcpu else 0" | bc -l)"
printf '%-34s %10.2f %% %10.2f %% %8.2f\n' "CPU, one task writing every second" "$bcpu" "$bhcpu" \
  "$(echo "if ($bhcpu > 0) $bcpu / $bhcpu else 0" | bc -l)"
printf '%-34s %9.1f MB %9.1f MB\n' "peak RSS" "$(echo "$mrss / 1024" | bc -l)" "$(echo "$hrss / 1024" | bc -l)"
