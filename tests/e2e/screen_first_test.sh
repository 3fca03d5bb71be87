#!/usr/bin/env bash
# What a person sees first, at 80x24 on a saved snapshot:
#  - a Running task's detail: status, the CDC lag, its chart over the last
#    10 minutes (moving: the lag grows) and the CDC figures on the first
#    screen, above the fixed parts (the config and the template); the list
#    has the lag's sparkline when wide enough;
#  - messages belong to their view: an error made on the task list goes
#    when the templates view opens, and does not come back on return;
#  - a message longer than the width is shown whole, wrapped above the
#    status line; :messages lists the last ones with their times;
#  - k9s habits: N/S/A/L sort the list (again: the other way), y shows the
#    task's YAML (no password), C copies the name or the CDC position to
#    the terminal's clipboard (OSC 52, read back from tmux's buffer); Tab
#    completes `:` commands and theme names; the mouse selects, opens and
#    scrolls (--no-mouse: it does not).
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
trap 'tmux_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; tmux_snap >&2 || true; exit 1; }
snap=$work/snap.json
python3 "$src/tests/data/make-sample.py" --now "$(date +%s)" --lag 3 --position 0/3000148 >"$snap"

tmux_start 80 24 "$bin" --file "$snap"
tmux_wait 'orders-running +prod +apecloud-pg2pg +Running' || fail "no task list"

echo "== the detail: live state on the first screen"
tmux_keys /; tmux_type orders-running; tmux_keys Enter
tmux_wait 'tasks /orders-running' || fail "no filter"
tmux_keys Enter
tmux_wait 'task prod/orders-running' || fail "the detail did not open"
tmux_wait 'CDC lag [0-9.]+s' || fail "no lag line"
screen=$(tmux_snap)
line_of() { grep -n -m1 -E "$1" <<<"$screen" | cut -d: -f1; }
for want in 'lag, last 10 minutes' 'rows/s' 'Status: Running' 'CDC Metrics' 'source_position +0/3000148'; do
  [ -n "$(line_of "$want")" ] || fail "not on the first screen: $want"
done
cfg=$(line_of 'Migration Config' || true)
[ -z "$cfg" ] || [ "$cfg" -gt "$(line_of 'CDC Metrics')" ] || fail "the config comes before the CDC figures"
# The chart moves: this snapshot's CDC timestamp stays put, so the lag
# grows every second, and the newest column with it.
col() { tmux_screen | grep -A3 'lag, last 10 minutes' | sed -n 2,4p | cut -c8- | tr -d ' ' | wc -c; }
sleep 3
[ "$(col)" -gt 3 ] || fail "the lag chart draws nothing: $(tmux_screen)"
tmux_keys G
tmux_wait 'Migration Config' || fail "the config is not further down"
tmux_keys Escape Escape
# Wide, the list has the lag's trend beside LAG.
tmux_resize 130 30
tmux_wait 'LAG 5m' 5 || fail "no trend column at 130 columns"
tmux_snap | grep -E '^orders-running .*[▁▂▃▄▅▆▇█]' >/dev/null || fail "no sparkline on the running task's row"
tmux_resize 80 24

echo "== messages belong to their view"
tmux_keys ':'; tmux_type 'bogus'; tmux_keys Enter
tmux_wait 'unknown command ":bogus"' 3 || fail "no error for :bogus"
tmux_keys t
tmux_wait 'migtop │ templates|migtop \| templates' 5 || fail "the templates view did not open"
tmux_screen | grep -q 'unknown command' && fail "the error from the task list lingers on the templates view"
tmux_keys Escape
tmux_wait 'orders-running' 5
tmux_screen | grep -q 'unknown command' && fail "the error came back"

echo "== a long message whole"
long=$(printf 'x%.0s' $(seq 58))
tmux_keys ':'; tmux_type "no-such-command-$long"; tmux_keys Enter
tmux_wait 'unknown command' 3 || fail "no error for the long command"
tmux_snap | tr -s ' \n' '  ' | grep -q "no-such-command-$long\" (press ? for the commands)" ||
  fail "the long message is not shown whole"

echo "== sort, YAML, copy"
_t set -g set-clipboard on
tmux_keys Escape
tmux_keys N
tmux_wait 'NAME↑' 3 || fail "no sort mark on NAME"
first() { tmux_screen | sed -n 3p | awk '{print $1}'; }
[ "$(first)" = archive-copy ] || fail "sorted by name, first is $(first)"
tmux_keys N
tmux_wait 'NAME↓' 3 || fail "N again does not turn the order"
[ "$(first)" = orders-running ] || fail "sorted by name descending, first is $(first)"
tmux_keys g C
tmux_wait 'copied the name orders-running to the clipboard' 3 || fail "C did not say what it copied"
[ "$(_t show-buffer)" = orders-running ] || fail "the clipboard holds $(_t show-buffer)"
tmux_keys y
tmux_wait 'yaml prod/orders-running' 3 || fail "y did not open the YAML"
tmux_snap | grep -q '^kind: MigrationTask' || fail "no kind in the YAML"
tmux_screen | grep -q 'Pa55' && fail "a password in the YAML"
tmux_keys Escape Enter
tmux_wait 'task prod/orders-running' 3
tmux_keys C
tmux_wait 'copied the position 0/3000148' 3 || fail "C in the detail did not copy the position"
[ "$(_t show-buffer)" = 0/3000148 ] || fail "the clipboard holds $(_t show-buffer)"
tmux_keys Escape

echo "== Tab completes : commands"
tmux_keys ':'; tmux_type t; tmux_keys Tab
tmux_wait '^:t +tasks templates theme' 3 || fail "Tab does not list the choices"
tmux_type h; tmux_keys Tab; tmux_type m; tmux_keys Tab Enter
tmux_wait 'theme mono' 3 || fail ":th<Tab>m<Tab> did not switch to the mono theme"
tmux_keys ':'; tmux_type 'theme default'; tmux_keys Enter

echo "== the mouse: a press selects a row, a second opens it; the wheel scrolls"
# An xterm SGR mouse report (what tmux, xterm and most terminals send
# once the program asks for the mouse): press and release at column;row.
click() { tmux_type $'\e[<0;'"$1;$2"'M'$'\e[<0;'"$1;$2"'m'; }
tmux_keys ':'; tmux_type tasks; tmux_keys Enter
tmux_wait 'legacy-sync' 3 || fail "no task list"
row=$(tmux_screen | grep -n -m1 'legacy-sync' | cut -d: -f1)
click 3 "$row"
sleep 0.3
tmux_screen | grep -q 'task prod/legacy-sync' && fail "one press opened the task (it selects)"
click 3 "$row"
tmux_wait 'task prod/legacy-sync' 3 || fail "a press on the selected row did not open it"
tmux_keys Escape
tmux_wait 'NAME.? +NAMESPACE' 3 || fail "Esc did not return to the list"
tmux_type $'\e[<65;3;'"$row"'M' # the wheel, down a notch: 3 rows
tmux_keys Enter
tmux_wait 'task [a-z]+/' 3 || fail "Enter after the wheel opened nothing"
tmux_screen | grep -q 'task prod/legacy-sync' && fail "the wheel did not move the selection"
tmux_keys Escape

echo "== :messages"
tmux_keys ':'; tmux_type messages; tmux_keys Enter
tmux_wait 'migtop │ messages|migtop \| messages' 5 || fail ":messages did not open"
tmux_snap | grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}  unknown command ":bogus"' || fail ":messages lacks :bogus with its time"
tmux_screen | grep -q 'no-such-command' || fail ":messages lacks the long one"
tmux_keys q
tmux_wait 'migtop exited with 0' 5 || fail "q did not quit"

echo "== --no-mouse leaves the mouse to the terminal"
tmux_cleanup # the last session gone, the server dies: wait for it
tmux_start 80 24 "$bin" --file "$snap" --no-mouse
tmux_wait 'legacy-sync' 5 || fail "no task list with --no-mouse"
row=$(tmux_screen | grep -n -m1 'legacy-sync' | cut -d: -f1)
click 3 "$row"; click 3 "$row"
sleep 0.5
tmux_screen | grep -q 'task prod/legacy-sync' && fail "--no-mouse still takes clicks"
tmux_keys q
tmux_wait 'migtop exited with 0' 5 || fail "q did not quit"
echo PASS
