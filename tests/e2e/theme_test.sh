#!/usr/bin/env bash
# Themes as a person meets them: status colours in the default theme,
# :theme light, :theme with a name that does not exist (a clear error, the
# dashboard goes on), a broken theme file and a broken config file at start
# (the error with line:column, the default theme), the config's theme and
# --theme over it, a theme of one's own, NO_COLOR and an 8-colour terminal.
# Colours are read from the screen with tmux capture-pane -e.
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
trap 'tmux_cleanup; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/cfg # nothing from the machine's own config
mkdir -p "$XDG_CONFIG_HOME/migtop/themes"
python3 "$src/tests/data/make-sample.py" --now "$(date +%s)" >"$work/snap.json"

# The screen with its colours as SGR sequences, one line per row.
colours() { _t capture-pane -e -p -t t; }
# has_colour SGR TEXT: TEXT is drawn right after an SGR sequence ending in
# SGR (only other SGR sequences between), i.e. in that colour.
sgr=$'\e''\[[0-9;]*m'
has_colour() {
  colours | grep -Eq -- "($1)($sgr)*$2" || {
    echo "FAIL: \"$2\" is not drawn with /$1/; the screen was:" >&2
    colours | cat -v >&2
    exit 1
  }
}
run() { tmux_start 100 24 "$@"; tmux_wait 'orders-running +prod'; }
command() { tmux_keys :; tmux_type "$1"; tmux_keys Enter; }
quit() { tmux_keys q; tmux_wait 'migtop exited with 0' 5; tmux_cleanup; }

echo "== default theme: failed in the error colour, Running in the ok colour"
run "$bin" --file "$work/snap.json"
has_colour '38;5;203m' 'Init \(failed\)'
has_colour '38;5;76m' 'Running'
has_colour '48;5;74m' ' migtop'

echo "== :theme light, then :theme nosuch"
command 'theme light'
tmux_wait 'theme light' 5
has_colour '48;5;255m' 'orders-init'
has_colour '38;5;160m' 'Init \(failed\)'
command 'theme nosuch'
tmux_wait 'no theme "nosuch" \(themes: default, light, high-contrast, mono' 5
tmux_snap >/dev/null
# Still running, still light: the filter works and the colours stayed.
tmux_keys /
tmux_type orders-running
tmux_keys Enter
tmux_wait 'tasks /orders-running' 5
tmux_gone 'orders-init' 5
has_colour '48;5;25m' ' migtop' # the light title
quit

echo "== --theme broken.yaml: the error with line:column, the default theme"
printf 'name: broken\nroles:\n  ok: {fg: green\n  error: {fg: red}\n' >"$work/broken.yaml"
run "$bin" --file "$work/snap.json" --theme "$work/broken.yaml"
tmux_wait "$work/broken.yaml:4:8: did not find expected" 5
tmux_snap >/dev/null
has_colour '38;5;203m' 'Init \(failed\)'
quit
printf 'roles:\n  ok: {fg: purple}\n' >"$work/purple.yaml"
run "$bin" --file "$work/snap.json" --theme "$work/purple.yaml"
tmux_wait "purple.yaml:2:12: unknown colour \"purple\" for ok.fg" 5
quit

echo "== the config's theme; --theme over it; a theme of one's own"
printf 'theme: high-contrast\n' >"$XDG_CONFIG_HOME/migtop/config.yaml"
run "$bin" --file "$work/snap.json"
has_colour '48;5;226m' ' migtop'
has_colour '48;5;196m' 'Init \(failed\)'
quit
run "$bin" --file "$work/snap.json" --theme light
has_colour '48;5;255m' 'orders-init'
printf 'roles:\n  ok: {fg: 201, attrs: [underline]}\n' >"$XDG_CONFIG_HOME/migtop/themes/mine.yaml"
command 'theme mine'
tmux_wait 'theme mine' 5
has_colour '38;5;201m' 'Running'
has_colour '38;5;203m' 'Init \(failed\)' # the rest: the default theme's
quit

echo "== a broken config: the error with line:column, the defaults"
printf 'theme: light\nlag_threshold: [\n' >"$XDG_CONFIG_HOME/migtop/config.yaml"
run "$bin" --file "$work/snap.json"
tmux_wait "$XDG_CONFIG_HOME/migtop/config.yaml:3:1: did not find expected node" 5
tmux_snap >/dev/null
has_colour '48;5;74m' ' migtop'
quit
rm "$XDG_CONFIG_HOME/migtop/config.yaml"

echo "== NO_COLOR: mono, failed in reverse bold, no colour at all"
run env NO_COLOR=1 "$bin" --file "$work/snap.json" --theme light
has_colour '\[1;7m|\[7;1m' 'Init \(failed\)'
if colours | grep -Eq '\[(3|4)[0-7]m|[34]8;5;'; then
  echo "FAIL: colours on screen under NO_COLOR" >&2
  colours | cat -v >&2
  exit 1
fi
command theme
tmux_wait 'theme: light \(mono: NO_COLOR is set\)' 5
quit

echo "== an 8-colour terminal: 256-colour values become the nearest of the 8"
run env TERM=xterm "$bin" --file "$work/snap.json"
has_colour '\[31m' 'Init \(failed\)' # 203 -> red
has_colour '\[32m' 'Running'         # 76 -> green
if colours | grep -q '8;5;'; then
  echo "FAIL: 256-colour codes on an 8-colour terminal" >&2
  exit 1
fi
quit

echo "theme_test: ok"
