#!/usr/bin/env bash
# The dashboard on a saved snapshot, as a person sees it: the task list and
# a Running task's CDC metrics and lag at 80x24 and 200x50, a rewrite of
# the file showing up, a broken file keeping the last good data with a
# banner, resizing down to 30x10 and back, and no password on any screen.
set -euo pipefail
source "${MIGTOP_SOURCE_DIR:?}/tests/support/tui.sh"
trap 'tmux_cleanup; rm -rf "$work"' EXIT
snap=$work/snap.json
write_snapshot() { # atomic, as a tool saving kubectl output would do
  python3 "$src/tests/data/make-sample.py" --now "$(date +%s)" "$@" >"$snap.tmp"
  mv "$snap.tmp" "$snap"
}
no_passwords() {
  if grep -l 'Pa55' "$work"/screen-*.txt; then
    echo "FAIL: a password from the snapshot is on a screen" >&2
    exit 1
  fi
}

write_snapshot --lag 3 --position 0/3000148
for size in "80 24" "200 50"; do
  set -- $size
  echo "== ${1}x${2}"
  tmux_start "$1" "$2" "$bin" --file "$snap"
  tmux_wait 'orders-running +prod +apecloud-pg2pg +Running'
  tmux_snap | grep -E '^NAME +NAMESPACE +TEMPLATE +STATUS +AGE +LAG' >/dev/null
  tmux_screen | grep -Eq 'orders-precheck-failed +staging .*Init \(failed\)'
  tmux_screen | grep -Eq 'legacy-sync +prod .*Terminating'
  tmux_screen | grep -Eq 'updated [0-9.]+s ago'
  # Open the Running task: filter to it, then Enter.
  tmux_keys /
  tmux_type orders-running
  tmux_keys Enter
  tmux_wait 'tasks /orders-running'
  tmux_keys Enter
  tmux_wait 'task prod/orders-running'
  # The lag line: now - the metric's timestamp (about 3 s) and the data age.
  tmux_wait 'CDC lag [0-9.]+s +position 0/3000148 +data [0-9.]+s old'
  tmux_screen | grep -Eq 'lag = now - source_timestamp \(pod zone UTC assumed\)'
  lag=$(tmux_screen | sed -nE 's/.*CDC lag ([0-9]+)(\.[0-9])?s .*/\1/p' | head -1)
  [ "$lag" -ge 3 ] && [ "$lag" -le 15 ] || { echo "FAIL: lag $lag s, expected about 3 s" >&2; exit 1; }
  tmux_screen | grep -Eq 'data [0-9.]+s old'
  # The CDC Metrics pane, sorted by key (scroll to it at 80x24).
  tmux_keys G
  for _ in 1 2 3 4; do tmux_keys j; done
  tmux_wait 'CDC Metrics'
  tmux_wait 'source_position +0/3000148'
  tmux_snap | grep -Eq 'source_timestamp +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}'
  # The file is rewritten: the screen follows within a second or two.
  write_snapshot --lag 1 --position 0/4A00F0
  tmux_wait 'source_position +0/4A00F0' 5
  tmux_snap >/dev/null
  # A broken file: a banner with the error, the last good data stays.
  echo '{"kind":"List","apiVersion":"v1","items":[{"kind":' >"$snap"
  tmux_wait 'failing for .*JSON ends too early' 5
  tmux_snap | grep -q 'source_position'
  # Resize to 30x10 and back.
  tmux_resize 30 10
  tmux_wait 'terminal too small' 5
  tmux_snap >/dev/null
  tmux_resize "$1" "$2"
  tmux_wait 'task prod/orders-running' 5
  # Back to the first snapshot's figures: the next size checks them again.
  write_snapshot --lag 3 --position 0/3000148
  tmux_gone 'failing for' 5
  tmux_snap >/dev/null
  # Help lists keys; q leaves help, q quits.
  tmux_keys '?'
  tmux_wait 'PgDn, Space, Ctrl-F +page down'
  tmux_keys q
  tmux_gone 'PgDn, Space' 5
  tmux_keys q
  tmux_wait 'migtop exited with 0' 5
  tmux_cleanup
done

echo "== ASCII fallback (a locale that is not UTF-8), down to 20x8"
tmux_start 80 24 env LANG=C LC_ALL=C "$bin" --file "$snap"
tmux_wait 'orders-running'
tmux_keys Enter
tmux_wait 'Summary -----'
if tmux_snap | LC_ALL=C grep -q $'\xe2'; then
  echo "FAIL: UTF-8 line drawing in a C locale" >&2
  exit 1
fi
tmux_resize 20 8
tmux_wait 'terminal too' 5
tmux_resize 80 24
tmux_wait 'Summary' 5
tmux_keys q
tmux_wait 'migtop exited with 0' 5
tmux_cleanup

echo "== a file that does not exist yet, then appears"
tmux_start 80 24 "$bin" --file "$work/later.json"
tmux_wait "failing for .*cannot read $work/later.json: No such file or" 5
tmux_screen | grep -q "directory | showing the last good data (no data yet)"
tmux_screen | grep -q 'no data: see the error above'
cp "$snap" "$work/later.json"
tmux_wait 'orders-running' 5
tmux_gone 'failing for' 5
tmux_snap >/dev/null
tmux_keys q
tmux_wait 'migtop exited with 0' 5
tmux_cleanup

no_passwords
echo "dashboard_file_test: ok"
