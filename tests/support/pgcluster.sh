# Throwaway PostgreSQL 15 clusters for tests. Source this file.
# PostgreSQL refuses to run as root, so as root the server programs run as
# the postgres user (runuser); the data lives in a temporary directory that
# user owns. Every cluster listens on 127.0.0.1 on a free port, with
# wal_level=logical, and is stopped (and removed) by pgc_cleanup.
#
#   pgc_start NAME [CONF_LINE...]   initdb + start; sets PGC_PORT_<NAME>
#                                   extra lines go to postgresql.conf;
#                                   PGC_BIN=DIR pgc_start ... uses another
#                                   PostgreSQL (tests/support/pgversions.sh)
#                                   PGC_DURABLE=1: fsync, full_page_writes and
#                                   synchronous_commit on (benchmarks); off
#                                   otherwise (tests, for speed)
#   pgc_port NAME                   print the port
#   pgc_dir NAME                    print the data directory
#   pgc_psql NAME [psql args...]    psql as the superuser postgres (no password)
#   pgc_hba NAME LINE...            replace pg_hba.conf with these lines, reload
#   pgc_conf NAME LINE...           append to postgresql.conf (restart to apply)
#   pgc_stop NAME / pgc_restart NAME / pgc_reload NAME
#   pgc_drop NAME                   stop and remove it (the name can be started again)
#   pgc_cleanup                     stop and remove every cluster started here
#
# Default pg_hba: local socket trust; TCP from 127.0.0.1: the postgres
# superuser trusted, every other role by scram-sha-256 (passwords are tested
# for real), replication connections likewise.

PGC_BIN="${PGC_BIN:-/usr/lib/postgresql/15/bin}"
PGC_ROOT="${PGC_ROOT:-$(mktemp -d /tmp/migtop-pgc.XXXXXX)}"
chmod 0755 "$PGC_ROOT"
PGC_NAMES=()

_pgc_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_pgc_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pgc_dir() { echo "$PGC_ROOT/$1/data"; }
# The server programs a cluster was made with.
_pgc_bin() { cat "$PGC_ROOT/$1/bin" 2>/dev/null || echo "$PGC_BIN"; }
pgc_port() { cat "$PGC_ROOT/$1/port"; }

PGC_DEFAULT_HBA=(
  "local all all trust"
  "local replication all trust"
  "host all postgres 127.0.0.1/32 trust"
  "host replication postgres 127.0.0.1/32 trust"
  "host all all 127.0.0.1/32 scram-sha-256"
  "host replication all 127.0.0.1/32 scram-sha-256"
)

pgc_start() {
  local name=$1; shift
  local d="$PGC_ROOT/$name" port
  port=$(_pgc_free_port)
  mkdir -p "$d"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$d"
  _pgc_as_pg "$PGC_BIN/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$d/initdb.log" 2>&1 \
    || { cat "$d/initdb.log" >&2; return 1; }
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$d'"
    echo "wal_level = logical"
    echo "max_replication_slots = 10"
    echo "max_wal_senders = 10"
    echo "max_connections = 100"
    echo "shared_buffers = 64MB"
    if [ "${PGC_DURABLE:-0}" = 1 ]; then
      # Benchmarks: PostgreSQL's durable defaults, as users' servers run.
      echo "fsync = on"
      echo "synchronous_commit = on"
      echo "full_page_writes = on"
    else
      # Tests: speed; nothing here must survive a power cut.
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
    echo "logging_collector = off"
    for l in "$@"; do echo "$l"; done
  } | _pgc_as_pg tee -a "$d/data/postgresql.conf" >/dev/null
  printf '%s\n' "${PGC_DEFAULT_HBA[@]}" | _pgc_as_pg tee "$d/data/pg_hba.conf" >/dev/null
  echo "$port" >"$d/port"
  echo "$PGC_BIN" >"$d/bin"
  _pgc_as_pg "$PGC_BIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 start >/dev/null \
    || { cat "$d/server.log" >&2; return 1; }
  PGC_NAMES+=("$name")
  printf -v "PGC_PORT_${name}" '%s' "$port"
  export "PGC_PORT_${name}"
}

# psql itself, not Debian's perl wrapper in front of it (/usr/bin/psql):
# the wrapper costs about 30 ms of CPU a call against 7 ms, which the
# tests pay hundreds of times and the benchmarks' pollers pay while the
# tools they time share the machine's cores.
PGC_PSQL=${PGC_PSQL:-$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)}
PGC_PSQL=${PGC_PSQL:-psql}

pgc_psql() {
  local name=$1; shift
  "$PGC_PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pgc_port "$name")" -U postgres "$@"
}

pgc_hba() {
  local name=$1; shift
  printf '%s\n' "$@" | _pgc_as_pg tee "$(pgc_dir "$name")/pg_hba.conf" >/dev/null
  pgc_reload "$name"
}

pgc_conf() {
  local name=$1; shift
  printf '%s\n' "$@" | _pgc_as_pg tee -a "$(pgc_dir "$name")/postgresql.conf" >/dev/null
}

pgc_reload() { _pgc_as_pg "$(_pgc_bin "$1")/pg_ctl" -D "$(pgc_dir "$1")" reload >/dev/null; }
pgc_stop() { _pgc_as_pg "$(_pgc_bin "$1")/pg_ctl" -D "$(pgc_dir "$1")" -m fast -w stop >/dev/null 2>&1 || true; }
pgc_restart() {
  _pgc_as_pg "$(_pgc_bin "$1")/pg_ctl" -D "$(pgc_dir "$1")" -l "$PGC_ROOT/$1/server.log" -m fast -w -t 60 restart >/dev/null
}
pgc_start_again() {
  _pgc_as_pg "$(_pgc_bin "$1")/pg_ctl" -D "$(pgc_dir "$1")" -l "$PGC_ROOT/$1/server.log" -w -t 60 start >/dev/null
}

# pgc_drop NAME: stopped and removed, the name free for another pgc_start.
pgc_drop() {
  local n keep=()
  pgc_stop "$1"
  rm -rf "${PGC_ROOT:?}/$1"
  for n in "${PGC_NAMES[@]}"; do [ "$n" = "$1" ] || keep+=("$n"); done
  PGC_NAMES=("${keep[@]}")
}

pgc_cleanup() {
  local n
  for n in "${PGC_NAMES[@]}"; do pgc_stop "$n"; done
  rm -rf "$PGC_ROOT"
}
