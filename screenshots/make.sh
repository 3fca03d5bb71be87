#!/usr/bin/env bash
# Regenerates the README's pictures: migtop in tmux at a given size,
# captured with its colours (capture-pane -e), turned into HTML by aha and
# into PNG by headless Chromium. Passwords never reach a picture: the
# sample's are masked by migtop, and the script checks every capture.
#   screenshots/make.sh            all scenes
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
scripts/install-deps.sh chromium fonts-dejavu-core >/dev/null
scripts/build.sh >/dev/null
work=$(mktemp -d)
export TMUX_SCREENS=$work
source tests/support/tmux.sh
trap 'tmux_cleanup; rm -rf "$work"' EXIT

source screenshots/shot.sh
# shot NAME W H: the current screen to screenshots/NAME.png ("Pa55" is in
# every password of the sample).
shot() { shot_png "$1" "$2" "$3" "$work" "$here/screenshots" Pa55; }

snap=$work/snapshot.json
python3 tests/data/make-sample.py --now "$(date +%s)" --lag 2 >"$snap"

tmux_start 80 24 build/bin/migtop --file "$snap"
tmux_wait 'orders-running'
tmux_keys j j j j
sleep 0.3
shot tasks-80x24 80 24
tmux_keys Enter
tmux_wait 'CDC lag'
shot detail-80x24 80 24
tmux_cleanup

tmux_start 200 50 build/bin/migtop --file "$snap"
tmux_wait 'orders-running'
tmux_keys j j j j Enter
tmux_wait 'CDC Metrics'
shot detail-200x50 200 50
tmux_cleanup

tmux_start 80 24 env NO_COLOR=1 build/bin/migtop --file "$snap"
tmux_wait 'orders-running'
tmux_keys j j j j
sleep 0.3
shot tasks-80x24-mono 80 24
tmux_cleanup

# The main job: `migtop demo` on the local engine, once CDC runs.
MIGTOP_BIN=build/bin/migtop
source tests/support/demo.sh
trap 'demo_cleanup' EXIT
demo_start 100 45
tmux_wait 'Status: Running' 180
tmux_wait 'CDC lag [0-9.]+(ms|s)' 30
sleep 3
shot demo-100x45 100 45
tmux_keys q
tmux_wait 'migtop exited' 60
demo_cleanup
trap - EXIT

# The cutover report (HTML, headless Chromium), from the cutover wizard's
# real run between two throwaway servers.
MIGTOP_SHOT_DIR=$here/screenshots MIGTOP_SOURCE_DIR=$here MIGTOP_BUILD_DIR=$here/build \
  MIGTOP_BIN=$here/build/bin/migtop bash tests/wizard/cutover_wizard_test.sh >/dev/null
echo screenshots/cutover-report.png
