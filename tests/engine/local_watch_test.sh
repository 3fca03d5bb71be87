#!/usr/bin/env bash
# The local feed with many idle tasks, as a person on a bastion host keeps
# them: the dashboard makes next to no system calls while nothing changes
# (inotify, not a stat of every file twice a second), and still shows at
# once a task made, a task removed, a status rewritten, and a runner killed
# (its lock let go: RunnerDown within 3 s, where a timer would take 5).
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
trap 'kill "${holder:-}" 2>/dev/null || true; tmux_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; tmux_snap >&2 || true; exit 1; }
command -v strace >/dev/null || fail "strace is missing (scripts/install-deps.sh installs it)"
lstate=$work/state
export HOME=$work/home
mkdir -p "$HOME"
# One real task (its runner fails at once: nothing listens on port 1),
# copied 300 times.
"$bin" create seed --local --state-dir "$lstate" --template migtop-local-pg2pg \
  --source u:p@127.0.0.1:1/db --sink u:p@127.0.0.1:1/db --migration-object '"public"' >/dev/null 2>&1
for _ in $(seq 100); do grep -q '"Failed"' "$lstate/tasks/seed/status.json" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do pgrep -f "migtop (run|supervise) seed" >/dev/null || break; sleep 0.1; done
mk() {
  mkdir -p "$lstate/tasks/$1"
  local from=$lstate/tasks/seed
  [ -d "$from" ] || from=$work/seed
  cp "$from/spec.json" "$from/status.json" "$lstate/tasks/$1/"
  sed -i "s/\"seed\"/\"$1\"/" "$lstate/tasks/$1/spec.json"
}
for i in $(seq 1 300); do mk "t-$i"; done
cp -r "$lstate/tasks/seed" "$work/seed" && rm -rf "$lstate/tasks/seed" # kept aside for mk

tmux_start 200 50 "$bin" --backend local --state-dir "$lstate"
tmux_wait 't-1 ' 10 || fail "no task list"
pid=$(pgrep -n -f -- "--backend local --state-dir $lstate")
sleep 2
echo "== idle: the system calls of 5 s"
timeout -s INT 5 strace -f -c -p "$pid" -o "$work/strace.out" 2>/dev/null || true
calls=$(awk '/^100.00|total/ {print $4; exit}' "$work/strace.out")
cat "$work/strace.out" | tail -12
echo "system calls in 5 idle seconds with 300 tasks: $calls"
[ -n "$calls" ] && [ "$calls" -lt 1000 ] || fail "the dashboard is busy while nothing changes ($calls calls)"

echo "== one task rewriting its status every second: only that task read again"
# A runner writes its status each second; with 300 tasks, reading them
# all again at each write was ~15000 system calls in 5 s.
busy=$lstate/tasks/t-20
( for _ in 1 2 3 4 5 6; do
    sed 's/"taskStatus":[^,]*/"taskStatus": "Running"/' "$busy/status.json" >"$busy/.s.tmp"
    mv "$busy/.s.tmp" "$busy/status.json"
    sleep 1
  done ) &
writer=$!
timeout -s INT 5 strace -f -c -p "$pid" -o "$work/strace-busy.out" 2>/dev/null || true
wait "$writer"
bcalls=$(awk '/^100.00|total/ {print $4; exit}' "$work/strace-busy.out")
opens=$(awk '$NF == "openat" {print $4}' "$work/strace-busy.out")
tail -12 "$work/strace-busy.out"
echo "system calls in 5 s with one of 300 tasks written each second: $bcalls (openat: ${opens:-0})"
[ -n "$bcalls" ] && [ "$bcalls" -lt 2000 ] && [ "${opens:-0}" -lt 200 ] ||
  fail "one task's status written makes the dashboard read more than that task ($bcalls calls, ${opens:-0} openat)"
tmux_keys /; tmux_type 't-20'; tmux_keys Enter
tmux_wait '^t-20 .*(Running|RunnerDown)' 5 || fail "t-20's rewritten status not shown"
tmux_keys Escape

echo "== a task made, a task removed, a status rewritten"
mk new-task
tmux_keys /; tmux_type new-task; tmux_keys Enter
tmux_wait 'new-task ' 5 || fail "a new task did not show within 5 s"
tmux_keys Escape
rm -rf "$lstate/tasks/t-7"
tmux_keys /; tmux_type 't-7'; tmux_keys Enter
tmux_gone '^t-7 ' 5 || fail "a removed task stayed 5 s"
tmux_keys Escape
tmux_keys /; tmux_type 't-9'; tmux_keys Enter
tmux_wait '^t-9 .*Failed' 3 || fail "t-9 not listed as Failed"
sed 's/"taskStatus":[^,]*/"taskStatus": "Done"/' "$lstate/tasks/t-9/status.json" >"$lstate/tasks/t-9/.s.tmp"
mv "$lstate/tasks/t-9/.s.tmp" "$lstate/tasks/t-9/status.json"
tmux_wait '^t-9 .*Done' 5 || fail "a rewritten status did not show within 5 s"
tmux_keys Escape

echo "== a runner killed: its lock let go"
# A stand-in runner of t-11: the lock held (opened for writing, as the
# runner does) and a fresh heartbeat in a Running status.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
python3 - "$lstate/tasks/t-11" "$now" <<'PY' &
import fcntl, json, os, sys, time
d, now = sys.argv[1], sys.argv[2]
st = json.load(open(f"{d}/status.json"))
st["taskStatus"] = "Running"
st.setdefault("runner", {})["heartbeat"] = now
st["runner"]["pid"] = os.getpid()
fd = os.open(f"{d}/runner.lock", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, str(os.getpid()).encode())
json.dump(st, open(f"{d}/.st.tmp", "w"))
os.rename(f"{d}/.st.tmp", f"{d}/status.json")
while True:
    st["runner"]["heartbeat"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    json.dump(st, open(f"{d}/.st.tmp", "w"))
    os.rename(f"{d}/.st.tmp", f"{d}/status.json")
    time.sleep(1)
PY
holder=$!
tmux_keys /; tmux_type 't-11'; tmux_keys Enter
tmux_wait '^t-11 .*Running' 5 || fail "t-11 not Running with its runner"
kill -9 "$holder"
t0=$(date +%s%N)
tmux_wait '^t-11 .*RunnerDown' 3 || fail "a killed runner was not seen within 3 s"
echo "RunnerDown shown $(( ($(date +%s%N) - t0) / 1000000 )) ms after the kill"
tmux_keys Escape q
tmux_wait 'migtop exited with 0' 5 || fail "q did not quit"
echo PASS
