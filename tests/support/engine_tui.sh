# The start of a test that drives the dashboard in tmux on local tasks
# between two real servers: engine.sh's helpers, then the tmux helpers
# with every screen kept in $work/screens, and see (wait for a regex on
# the screen, keep it). Source it after `set -euo pipefail`; it replaces
# engine.sh's EXIT trap with one that also ends tmux. With
# ENGINE_TUI_STATE=default the dashboard's own state dir is used
# ($XDG_STATE_HOME/migtop under $work), as a user without flags has.
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"
if [ "${ENGINE_TUI_STATE:-}" = default ]; then
  export XDG_STATE_HOME=$work/xdg
  state=$XDG_STATE_HOME/migtop
fi
export TMUX_SCREENS=$work/screens
mkdir -p "$TMUX_SCREENS"
source "$MIGTOP_SOURCE_DIR/tests/support/tmux.sh"
trap 'tmux_cleanup; et_cleanup' EXIT

# see REGEX [SECS]: waits for it on the screen (10 s), keeps the screen.
see() { tmux_wait "$1" "${2:-10}"; tmux_snap >/dev/null; }
