#!/usr/bin/env bash
# Builds migtop into build/ (and, with --asan, the sanitizer build into
# build-asan/; with --program, only the program: no tests, no tools).
# Usage: scripts/build.sh [--asan | --program]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ "${1:-}" = "--program" ]; then
  cmake --build build -j"$jobs" --target migtop
  exit 0
fi
cmake --build build -j"$jobs"
if [ "${1:-}" = "--asan" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMIGTOP_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
fi
