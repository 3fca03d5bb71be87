#!/usr/bin/env bash
# The README's first command: installs the dependencies, builds, and runs
# the main job. Until the local engine lands that is the dashboard on the
# bundled sample snapshot, with times made current so the lag reads true.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
snap=$(mktemp --suffix=.json)
trap 'rm -f "$snap"' EXIT
python3 tests/data/make-sample.py --now "$(date +%s)" >"$snap"
build/tui/migtop --file "$snap" "$@"
