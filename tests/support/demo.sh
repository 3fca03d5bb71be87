# `migtop demo` started in tmux for a test, and cleaned up even when the
# test fails before the demo could clean up after itself. Source this after
# tests/support/tmux.sh (needs MIGTOP_BIN).
#   demo_start W H [ARGS...]  start the demo in a W x H terminal (ARGS to
#                       migtop demo: --scale 2 --copy-rate 0 for a quick one);
#                       sets DEMO_BASE (its directory, read off the screen)
#   fail MESSAGE        print FAIL: MESSAGE and exit 1
DEMO_BASE=""

demo_cleanup() {
  tmux_cleanup
  if [ -n "$DEMO_BASE" ] && [ -d "$DEMO_BASE" ]; then
    for d in "$DEMO_BASE/source" "$DEMO_BASE/sink"; do
      [ -f "$d/postmaster.pid" ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$d" -m immediate stop >/dev/null 2>&1 || true
    done
    rm -rf "$DEMO_BASE"
  fi
  rm -rf "${TMUX_SCREENS:?}"
}

# On a failure, what the demo's task left (its runner's and supervisor's
# words, its status): the reason is in there, and the directory goes.
demo_task_logs() {
  local d f
  for d in "$DEMO_BASE"/state/tasks/*/; do
    [ -d "$d" ] || continue
    for f in supervisor.log supervisor.out runner.out status.json precheck.log init-struct.log \
             init-data.log cdc.log; do
      [ -s "$d$f" ] && { echo "--- $d$f (last 30 lines)"; tail -n 30 "$d$f"; }
    done
  done
}

fail() {
  echo "FAIL: $*" >&2
  [ -n "$DEMO_BASE" ] && demo_task_logs >&2
  exit 1
}

demo_start() {
  local w=$1 h=$2
  shift 2
  tmux_start "$w" "$h" "${MIGTOP_BIN:?}" demo "$@"
  tmux_wait 'task demo' 90
  DEMO_BASE=$(tmux_screen | sed -nE 's|.*local (/tmp/migtop-demo-[A-Za-z0-9]+)/state.*|\1|p' | head -1)
  [ -n "$DEMO_BASE" ] && [ -d "$DEMO_BASE/source" ] || fail "cannot find the demo's directory on screen"
}
