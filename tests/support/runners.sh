# Local tasks' supervisors and runners a test started (detached, so they
# outlive it unless stopped): runners_stop STATE_DIR stops each supervisor
# (it stops its runner), then any runner still holding its lock, each by
# the pid in its lock file; a few rounds, since a supervised runner left
# alone starts a new supervisor. Source this file.
_runners_kill() {
  local l p n=0
  for l in "$1"/tasks/*/"$2"; do
    [ -f "$l" ] || continue
    p=$(cat "$l" 2>/dev/null || true)
    if [ -n "$p" ] && [ "$(ps -o comm= -p "$p" 2>/dev/null)" = migtop ]; then
      kill "$p" 2>/dev/null && n=$((n + 1))
    fi
  done
  echo "$n"
}
runners_stop() {
  local round n
  for round in 1 2 3 4 5; do
    n=$(_runners_kill "$1" supervisor.lock)
    sleep 0.3
    n=$((n + $(_runners_kill "$1" runner.lock)))
    [ "$n" = 0 ] && break
    sleep 0.5
  done
  return 0
}
