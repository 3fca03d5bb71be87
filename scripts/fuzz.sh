#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/) with clang into build-fuzz/
# and runs each for SECONDS (default 30) on a copy of its seed corpus
# (tests/fuzz/corpus/NAME/), two at a time, memory capped at 1 GB each.
# A crash, a leak, a UBSan report or a timeout fails; the input that did
# it is kept in build-fuzz/findings/NAME/ and named in the output.
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(snapshot kubeconfig endpoint objects pgoutput logpos taskdir theme)
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DMIGTOP_FUZZ=ON >/dev/null
targets=()
for n in "${names[@]}"; do targets+=(--target "fuzz_$n"); done
cmake --build build-fuzz -j"$(nproc 2>/dev/null || echo 2)" "${targets[@]}" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_one() {
  local n=$1 work=build-fuzz/corpus-run/$1 found=build-fuzz/findings/$1
  rm -rf "$work"
  mkdir -p "$work" "$found"
  cp -r "tests/fuzz/corpus/$n/." "$work/"
  if build-fuzz/tests/fuzz/"fuzz_$n" "$work" -max_total_time="$secs" -rss_limit_mb=1024 \
       -timeout=10 -artifact_prefix="$found/" -print_final_stats=1 \
       >"build-fuzz/fuzz_$n.log" 2>&1; then
    echo "fuzz_$n: clean ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/fuzz_$n.log" | grep -o '[0-9]*$') runs in ${secs}s)"
  else
    echo "fuzz_$n: FAILED; input kept in $found/:" >&2
    ls "$found" >&2
    tail -n 30 "build-fuzz/fuzz_$n.log" >&2
    return 1
  fi
}
status=0
pids=()
for n in "${names[@]}"; do
  run_one "$n" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
