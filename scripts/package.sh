#!/usr/bin/env bash
# Builds the Debian package (gcc Release, Debian's hardening flags) into
# build-package/, then checks it the way a user gets it: unpacked into a
# scratch root, its program answers --version, its manual opens with man,
# its themes are found beside it and its completion loads in bash; with
# --install it is also installed with apt-get (its libraries pulled in),
# checked, and removed again.
# Usage: scripts/package.sh [--install]
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
export CFLAGS="$CPPFLAGS $CFLAGS"
cmake -S . -B build-package -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build build-package -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
(cd build-package && rm -f migtop_*.deb && cpack -G DEB >/dev/null)
deb=$(ls "$PWD"/build-package/migtop_*.deb)
echo "package: $deb"
fail() { echo "package check failed: $*" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
# libpq and libcurl are loaded on first use (libs/lazy.h): dpkg-shlibdeps
# does not see them, the package must name them.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libpq5 libcurl4; do
  grep -qw "$lib" <<<"$depends" || fail "Depends ($depends) lacks $lib"
done
echo "depends: $depends"
version=$("$root/usr/bin/migtop" --version) || fail "migtop --version"
echo "unpacked: $version"
[ "$version" = "migtop $(sed -n 's/^project(migtop VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)" ] ||
  fail "version \"$version\" is not the project's"
MANPATH="$root/usr/share/man" man -P cat migtop 2>/dev/null | grep -q 'migtop validate' ||
  fail "man migtop does not open from the package"
for t in default light high-contrast mono; do
  [ -f "$root/usr/share/migtop/themes/$t.yaml" ] || fail "theme $t missing"
done
bash -c "source '$root/usr/share/bash-completion/completions/migtop' && complete -p migtop" \
  >/dev/null || fail "the bash completion does not load"

if [ "${1:-}" = "--install" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$deb" >/dev/null || fail "apt-get install $deb"
  [ "$(command -v migtop)" = /usr/bin/migtop ] || fail "migtop is not /usr/bin/migtop"
  migtop --version >/dev/null || fail "installed migtop --version"
  man -P cat migtop 2>/dev/null | grep -q 'COMMON FLAGS' || fail "man migtop (installed)"
  apt-get remove -y -qq migtop >/dev/null
  echo "installed with apt-get, checked, removed"
fi
echo "package checks passed"
