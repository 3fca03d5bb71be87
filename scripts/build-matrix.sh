#!/usr/bin/env bash
# Builds migtop in every build type with gcc and clang, each with
# Debian's hardening flags (dpkg-buildflags, hardening=+all) on top, into
# build-matrix/<compiler>-<type>, and stops at the first warning (they are
# errors). Usage: scripts/build-matrix.sh [--quick] [--unit]
#   --quick  only gcc Release and clang RelWithDebInfo (what CI builds)
#   --unit   also run each build's unit tests (ctest -L unit)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false unit=false
for a in "$@"; do
  case $a in
    --quick) quick=true ;;
    --unit) unit=true ;;
    *) echo "usage: scripts/build-matrix.sh [--quick] [--unit]" >&2; exit 2 ;;
  esac
done
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
export CFLAGS="$CPPFLAGS $CFLAGS"
combos=()
if $quick; then
  combos=("gcc Release" "clang RelWithDebInfo")
else
  for cc in gcc clang; do
    for bt in Debug RelWithDebInfo Release MinSizeRel; do combos+=("$cc $bt"); done
  done
fi
jobs=$(nproc 2>/dev/null || echo 2)
for combo in "${combos[@]}"; do
  read -r cc bt <<<"$combo"
  dir=build-matrix/$cc-$bt
  echo "=== $cc $bt (hardened)"
  CC=$cc cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$bt" >/dev/null
  cmake --build "$dir" -j"$jobs" >/dev/null 2>"$dir.log" || { cat "$dir.log" >&2; exit 1; }
  if $unit; then
    ctest --test-dir "$dir" -L unit --output-on-failure -j"$jobs"
  fi
done
echo "all ${#combos[@]} builds clean"
