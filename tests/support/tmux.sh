# Driving migtop in tmux as a person would: start it in a terminal of a
# given size, type keys, read the screen. Source this file; it uses a tmux
# server of its own (socket per test) and kills it in tmux_cleanup.
#   tmux_start W H CMD...     start CMD in a W x H terminal
#   tmux_screen               print the screen as text
#   tmux_keys KEY...          send keys (tmux key names: Enter Escape Up ...)
#   tmux_type TEXT            type literal text
#   tmux_wait REGEX [SECS]    wait until the screen matches (extended regex)
#   tmux_gone REGEX [SECS]    wait until the screen no longer matches
#   tmux_resize W H
#   tmux_cleanup

TMUX_SOCK="migtop-test-$$-${RANDOM}"
TMUX_SCREENS="${TMUX_SCREENS:-$(mktemp -d)}"
tmux_n=0

_t() { tmux -L "$TMUX_SOCK" "$@"; }

tmux_start() {
  local w=$1 h=$2; shift 2
  _t -f /dev/null new-session -d -s t -x "$w" -y "$h" \
    "env TERM=xterm-256color LANG=${LANG:-C.UTF-8} $*; echo \"migtop exited with \$?\"; sleep 600"
  _t set-option -t t status off >/dev/null
}

tmux_screen() {
  _t capture-pane -p -t t
}

# Every screen a test looks at is kept, so a failure can be read after.
tmux_snap() {
  tmux_n=$((tmux_n + 1))
  tmux_screen >"$TMUX_SCREENS/screen-$tmux_n.txt"
  cat "$TMUX_SCREENS/screen-$tmux_n.txt"
}

tmux_keys() { _t send-keys -t t "$@"; }
tmux_type() { _t send-keys -t t -l "$1"; }
tmux_resize() { _t resize-window -t t -x "$1" -y "$2"; }

tmux_wait() {
  local re=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    if tmux_screen | grep -Eq -- "$re"; then return 0; fi
    sleep 0.1
  done
  echo "--- timed out after ${secs}s waiting for /$re/; the screen was:" >&2
  tmux_snap >&2
  return 1
}

tmux_gone() {
  local re=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    if ! tmux_screen | grep -Eq -- "$re"; then return 0; fi
    sleep 0.1
  done
  echo "--- timed out after ${secs}s waiting for /$re/ to go; the screen was:" >&2
  tmux_snap >&2
  return 1
}

# The migtop processes a pane runs (the pane's shell runs `env ... migtop`,
# so they are its children).
_tmux_migtops() {
  local pane
  for pane in $(_t list-panes -a -F '#{pane_pid}' 2>/dev/null); do
    pgrep -P "$pane" -x migtop || true
  done
}

# A dashboard must end when its terminal goes. One that is still there some
# seconds after its tmux server was killed is a bug of migtop's (it froze or
# spins): say so with its stacks, which the test's output keeps, kill it and
# fail the test (ctest's FAIL_REGULAR_EXPRESSION matches the LEFTOVER line,
# also when this runs in an EXIT trap, whose status the script keeps).
_tmux_check_gone() {
  local pid i left=""
  for ((i = 0; i < 150; i++)); do # 15 s: an ASan build's leak check at exit is slow
    left=""
    for pid in "$@"; do
      kill -0 "$pid" 2>/dev/null && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = migtop ] && left="$left $pid"
    done
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  for pid in $left; do
    echo "LEFTOVER: migtop pid $pid still runs 15 s after its terminal went:" >&2
    ps -o pid,ppid,stat,etime,wchan:32,cmd --ppid "$pid" -p "$pid" >&2 || true
    if command -v gdb >/dev/null; then
      timeout 60 gdb -batch -p "$pid" -ex 'thread apply all bt' 2>&1 | grep -E '^(Thread|#)' >&2 || true
      local kid
      for kid in $(pgrep -P "$pid"); do
        echo "LEFTOVER: its child $kid:" >&2
        timeout 60 gdb -batch -p "$kid" -ex 'thread apply all bt' 2>&1 | grep -E '^(Thread|#)' >&2 || true
      done
    fi
    pkill -9 -P "$pid" 2>/dev/null || true
    kill -9 "$pid" 2>/dev/null || true
  done
  return 1
}

# Kills the server and waits until its socket is gone, so that a tmux_start
# right after does not reach a dying server ("server exited unexpectedly");
# then checks that the dashboards it ran have ended (see above).
tmux_cleanup() {
  local dash i
  dash=$(_tmux_migtops)
  # A dashboard already on its way out (it left the alternate screen: q was
  # pressed) ends before its terminal goes. Under ASan its leak check at exit
  # stops every thread with ptrace's SIGSTOP, and the SIGHUP + SIGCONT the
  # kernel sends when the pane's shell dies after the hang-up cancels that
  # pending SIGSTOP: the check then waits for ever (CI's stacks once showed
  # its tracer in that wait).
  for ((i = 0; i < 300; i++)); do
    [ -n "$(_tmux_migtops)" ] || break
    [ "$(_t display-message -p -t t '#{alternate_on}' 2>/dev/null)" = 0 ] || break
    sleep 0.1
  done
  _t kill-server 2>/dev/null || true
  local sock="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCK"
  for ((i = 0; i < 50; i++)); do
    [ -S "$sock" ] || break
    _t list-sessions >/dev/null 2>&1 || { rm -f "$sock"; break; }
    sleep 0.05
  done
  # shellcheck disable=SC2086 # one pid per word
  # Never a failing status here: in an EXIT trap that would skip the
  # cleanup after it (servers left running); the LEFTOVER line fails it.
  [ -z "$dash" ] || _tmux_check_gone $dash || true
}
