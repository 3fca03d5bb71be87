#!/usr/bin/env bash
# The README's first command: installs the dependencies, builds, and runs
# `migtop demo`: two throwaway PostgreSQL servers, sample data under a
# light write load, a local migration task between them, and the
# dashboard on it. Quitting (q) stops and removes everything it started.
# Extra arguments go to `migtop demo` (--scale N, --keep, --no-dashboard).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --program # the demo needs the program only
exec build/bin/migtop demo "$@"
