# Local tasks' runners a test started (detached, so they outlive it unless
# stopped): runners_stop STATE_DIR kills each by the pid in its lock.
# Source this file.
runners_stop() {
  local l p
  for l in "$1"/tasks/*/runner.lock; do
    [ -f "$l" ] || continue
    p=$(cat "$l" 2>/dev/null || true)
    [ -n "$p" ] && [ "$(ps -o comm= -p "$p" 2>/dev/null)" = migtop ] && kill "$p" 2>/dev/null || true
  done
  return 0
}
