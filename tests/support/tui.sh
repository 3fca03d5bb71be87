# The start of a test that drives migtop in tmux: src (the source tree),
# bin (the migtop binary), work (a temporary directory that also keeps
# every screen the test looked at) and the tmux helpers (tmux.sh).
# Source it after `set -euo pipefail`.
src=${MIGTOP_SOURCE_DIR:?}
bin=${MIGTOP_BIN:?}
work=$(mktemp -d)
export TMUX_SCREENS=$work
source "$src/tests/support/tmux.sh"
