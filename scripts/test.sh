#!/usr/bin/env bash
# Installs the dependencies, builds, and runs every test twice: in the
# normal build and under AddressSanitizer + UndefinedBehaviorSanitizer;
# then builds gcc Release and clang with Debian's hardening flags (their
# unit tests run too), runs the libFuzzer harnesses for 20 s each, and
# builds and checks the Debian package. This is
# the README's test command and what CI runs. Arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --asan
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/support/lsan.supp:print_suppressions=0}
status=0
for dir in build build-asan; do
  echo "=== tests in $dir"
  # Most tests wait on servers, not on the CPU: five at a time, each pass
  # takes about 6.5 minutes on a 2-core machine (7.5 for the normal one
  # at three at a time).
  ctest --test-dir "$dir" --output-on-failure --timeout 600 -j "${MIGTOP_TEST_JOBS:-5}" "$@" || status=1
done
echo "=== other compilers and build types (scripts/build-matrix.sh --quick)"
scripts/build-matrix.sh --quick --unit || status=1
echo "=== the fuzzers, 20 s each on their seed corpora (scripts/fuzz.sh)"
scripts/fuzz.sh "${MIGTOP_FUZZ_SECONDS:-20}" || status=1
echo "=== the Debian package (scripts/package.sh)"
if [ "$(id -u)" = 0 ]; then scripts/package.sh --install || status=1; else scripts/package.sh || status=1; fi
exit $status
