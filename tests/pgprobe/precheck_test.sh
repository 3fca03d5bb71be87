#!/usr/bin/env bash
# migtop precheck against two real PostgreSQL 15 clusters: a passing
# migration, then each failing check produced for real (no replica
# identity, no REPLICATION, no pg_hba line for the walsender, a PostGIS column
# the sink cannot create, an extension the sink does not have at all, a
# leftover slot and publication, wal_level=replica, sink privileges), and
# the connection errors each with its own kind (wrong password, no pg_hba
# entry, refused port, missing database, TLS required by a server without
# it, a server that never answers, a server older than PostgreSQL 10).
set -euo pipefail
. "$MIGTOP_SOURCE_DIR/tests/support/pgcluster.sh"
TOOL="$MIGTOP_BUILD_DIR/tests/pgprobe/pgprobe_tool"
WORK=$(mktemp -d)
HANG_PID=
OLD_PID=
cleanup() {
  [ -z "$HANG_PID" ] || kill "$HANG_PID" 2>/dev/null || true
  [ -z "$OLD_PID" ] || kill "$OLD_PID" 2>/dev/null || true
  pgc_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

pgc_start src
pgc_start sink
SP=$(pgc_port src)
KP=$(pgc_port sink)

# Source: database shop owned by mig (a password with '@' and ':' in it),
# tables with upper case and spaces in their names, PostGIS, an enum, an array.
pgc_psql src <<'SQL'
CREATE ROLE mig LOGIN REPLICATION PASSWORD 'p@ss:w0rd';
CREATE ROLE norep LOGIN PASSWORD 'norep-pw';
CREATE DATABASE shop OWNER mig;
SQL
pgc_psql src -d shop <<'SQL'
CREATE EXTENSION postgis;
CREATE EXTENSION hstore;
SET ROLE mig;
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Order Items" (id serial PRIMARY KEY, "Note" text);
CREATE TABLE public.nopk (a int, b text);
CREATE TABLE public.uniq (a int NOT NULL UNIQUE, b text);
CREATE TABLE public.places (id int PRIMARY KEY, geom geometry(Point, 4326));
CREATE TYPE public.mood AS ENUM ('ok', 'sad');
CREATE TABLE public.moods (id int PRIMARY KEY, m public.mood, tags text[]);
CREATE TABLE public.kv (id int PRIMARY KEY, h hstore);
RESET ROLE;
GRANT SELECT ON ALL TABLES IN SCHEMA public, "Sales" TO norep;
GRANT USAGE ON SCHEMA "Sales" TO norep;
SQL
# Sink: database shopdst owned by sinker (not a superuser); weak has no rights.
pgc_psql sink <<'SQL'
CREATE ROLE sinker LOGIN PASSWORD 'sink-pw';
CREATE ROLE weak LOGIN PASSWORD 'weak-pw';
CREATE DATABASE shopdst OWNER sinker;
SQL

SRC="mig:p@ss:w0rd@127.0.0.1:$SP/shop"
SINK="sinker:sink-pw@127.0.0.1:$KP/shopdst"

# precheck NAME [args...]: runs it (JSON), keeps the exit code in
# $WORK/NAME.rc and each check's status, found and fix in $WORK/NAME.d/
# (one python call per run: the checks below read plain files).
precheck() {
  local name=$1; shift
  local rc=0
  "$MIGTOP_BIN" precheck "$@" -o json >"$WORK/$name.json" 2>"$WORK/$name.err" || rc=$?
  echo "$rc" >"$WORK/$name.rc"
  if grep -q -e 'p@ss:w0rd' -e 'sink-pw' -e 'wrong-pw' "$WORK/$name.json" "$WORK/$name.err"; then
    fail "$name: a password was printed"
  fi
  mkdir -p "$WORK/$name.d"
  [ -s "$WORK/$name.json" ] || return 0
  python3 - "$WORK/$name.json" "$WORK/$name.d" <<'PY'
import json, os, sys
for c in json.load(open(sys.argv[1]))["checks"]:
    for k in ("status", "found", "fix"):
        with open(os.path.join(sys.argv[2], c["id"] + "." + k), "w") as f:
            f.write(c[k])
PY
}
# status NAME ID -> ok|warn|fail|absent ; field NAME ID found|fix
status() { cat "$WORK/$1.d/$2.status" 2>/dev/null || echo absent; }
field() { cat "$WORK/$1.d/$2.$3" 2>/dev/null || true; }
expect() { # NAME ID STATUS
  local got
  got=$(status "$1" "$2")
  [ "$got" = "$3" ] || { cat "$WORK/$1.json" >&2; fail "$1: $2 is $got, expected $3"; }
}
expect_rc() {
  [ "$(cat "$WORK/$1.rc")" = "$2" ] || { cat "$WORK/$1.json" "$WORK/$1.err" >&2; fail "$1: exit $(cat "$WORK/$1.rc"), expected $2"; }
}
expect_in() { # NAME ID found|fix TEXT
  local text
  text=$(field "$1" "$2" "$3")
  case "$text" in *"$4"*) ;; *) echo "$text" >&2; fail "$1: $2 $3 lacks '$4'" ;; esac
}

echo "== a migration that can go"
precheck good --source "$SRC" --sink "$SINK" --migration-object '"Sales.Order Items"' --task t-1
expect_rc good 0
for id in source.connect sink.connect versions source.wal_level source.replication_slots \
          source.wal_senders source.login source.replication_role source.select \
          source.replication_connection source.objects source.replica_identity \
          sink.extensions sink.create sink.schemas sink.tables leftover.slot leftover.publication; do
  expect good "$id" ok
done
expect good source.max_slot_wal_keep_size warn      # -1 by default: unbounded
expect good source.publication warn                 # not superuser: FOR TABLE only
expect_in good source.replication_connection found "timeline 1"
expect_in good source.objects found '"Sales"."Order Items"'
# The text form says the same, one check a line.
"$MIGTOP_BIN" precheck --source "$SRC" --sink "$SINK" --migration-object '"Sales.Order Items"' \
  >"$WORK/good.txt"
grep -q '^OK  *source.wal_level' "$WORK/good.txt" || fail "text form"
grep -q 'failed$' "$WORK/good.txt" || fail "text summary"

echo "== a table without primary key, a table with only a unique index"
precheck nopk --source "$SRC" --sink "$SINK" --migration-object 'public.nopk,public.uniq'
expect_rc nopk 1
expect nopk source.replica_identity fail
expect_in nopk source.replica_identity found "public.nopk: no primary key"
expect_in nopk source.replica_identity fix "ALTER TABLE public.nopk ADD PRIMARY KEY"
expect_in nopk source.replica_identity fix "ALTER TABLE public.uniq REPLICA IDENTITY USING INDEX uniq_a_key"
# Without CDC a missing key does not matter.
precheck nopk_init --source "$SRC" --sink "$SINK" --migration-object 'public.nopk' --init-only
expect_rc nopk_init 0
expect nopk_init source.replica_identity absent

echo "== missing objects"
precheck missing --source "$SRC" --sink "$SINK" --migration-object '"Sales.Nope",nosuch'
expect_rc missing 1
expect missing source.objects fail
expect_in missing source.objects found "Sales.Nope"
expect_in missing source.objects found "nosuch"

echo "== geometry: PostGIS installable on the sink, but the sink account cannot create it"
precheck gis --source "$SRC" --sink "$SINK" --migration-object 'public.places'
expect_rc gis 1
expect gis sink.extension.postgis fail
expect_in gis sink.extension.postgis found "available to install"
expect_in gis sink.extension.postgis found "public.places.geom geometry(Point,4326)"
expect_in gis sink.extension.postgis fix "CREATE EXTENSION postgis;"
# The sink's superuser may create it: a warning, init-struct creates it.
precheck gis_su --source "$SRC" --sink "postgres:x@127.0.0.1:$KP/shopdst" --migration-object 'public.places'
expect gis_su sink.extension.postgis warn
# Installed on the sink: ok (hstore: quicker to install than PostGIS).
pgc_psql sink -d shopdst -c "CREATE EXTENSION hstore"
precheck ext_ok --source "$SRC" --sink "$SINK" --migration-object 'public.kv'
expect ext_ok sink.extension.hstore ok
expect_in ext_ok sink.extension.hstore found "public.kv.h hstore"

echo "== an extension the sink does not have at all"
# Both clusters run from one installation, so every extension the source
# has is installable on the sink. To give the source one the sink lacks,
# the source's catalog renames hstore: the column's type now belongs to an
# extension no sink control file provides, exactly as PostGIS looks to a
# sink without the postgis package.
pgc_psql src -d shop -c "UPDATE pg_extension SET extname = 'migtop_absent_ext' WHERE extname = 'hstore'"
precheck absent --source "$SRC" --sink "$SINK" --migration-object 'public.kv'
expect_rc absent 1
expect absent sink.extension.migtop_absent_ext fail
expect_in absent sink.extension.migtop_absent_ext found "not available on the sink at all"
expect_in absent sink.extension.migtop_absent_ext fix "install the package"
pgc_psql src -d shop -c "UPDATE pg_extension SET extname = 'hstore' WHERE extname = 'migtop_absent_ext'"

echo "== what the KubeBlocks template refuses: warnings"
precheck tmpl --source "$SRC" --sink "$SINK" --migration-object 'public.moods'
expect_rc tmpl 0
expect tmpl template.user_types warn
expect_in tmpl template.user_types found "public.moods.m mood (enum)"
expect tmpl template.arrays warn
expect_in tmpl template.arrays found "public.moods.tags text[]"
precheck tmpl_local --source "$SRC" --sink "$SINK" --migration-object 'public.moods' --template local
expect tmpl_local template.arrays absent

echo "== a source account without REPLICATION"
precheck norep --source "norep:norep-pw@127.0.0.1:$SP/shop" --sink "$SINK" --migration-object '"Sales.Order Items"'
expect_rc norep 1
expect norep source.replication_role fail
expect_in norep source.replication_role fix 'ALTER ROLE norep REPLICATION;'
expect norep source.replication_connection fail
expect_in norep source.replication_connection found "no-replication-privilege"
expect norep source.publication fail

echo "== no pg_hba.conf line that lets the replication connection in"
# A "replication" line is there, but PostgreSQL matches a logical
# replication connection (replication=database) against the database
# column: with no line for database shop, neither connection gets in.
pgc_hba src "local all all trust" "host all postgres 127.0.0.1/32 trust" \
  "host all ghost 127.0.0.1/32 trust" "host postgres all 127.0.0.1/32 scram-sha-256" \
  "host replication all 127.0.0.1/32 scram-sha-256"
precheck nohba --source "$SRC" --sink "$SINK" --migration-object '"Sales.Order Items"'
expect_rc nohba 1
expect nohba source.connect fail
expect_in nohba source.connect found "no-hba-entry"
expect_in nohba source.connect fix "host  shop  mig  127.0.0.1/32  scram-sha-256"
expect nohba source.replication_connection fail
expect_in nohba source.replication_connection found "no-hba-entry"
expect_in nohba source.replication_connection fix "host  shop  mig  127.0.0.1/32  scram-sha-256"
expect nohba sink.connect ok
echo "-- connection errors, each its own kind"
conn_kind() { # EXPECTED_KIND ENDPOINT
  local out
  out=$("$TOOL" connect "$2" || true)
  case "$out" in "error $1:"*) ;; *) fail "connect $2: expected $1, got: $out" ;; esac
  case "$out" in *wrong-pw*|*p@ss:w0rd*) fail "password in: $out" ;; esac
  echo "   $1: ${out#error $1: }"
}
conn_kind no-hba-entry "mig:p@ss:w0rd@127.0.0.1:$SP/shop"
conn_kind wrong-password "mig:wrong-pw@127.0.0.1:$SP/postgres"
conn_kind no-role "host=127.0.0.1 port=$SP user=ghost dbname=postgres"
pgc_hba src "${PGC_DEFAULT_HBA[@]}"
conn_kind no-database "mig:p@ss:w0rd@127.0.0.1:$SP/nosuchdb"
FREE_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
conn_kind unreachable "mig:p@ss:w0rd@127.0.0.1:$FREE_PORT/shop"
conn_kind tls "postgresql://mig:p%40ss%3Aw0rd@127.0.0.1:$SP/shop?sslmode=require"   # the server has no SSL
# A server that accepts TCP and never answers: the deadline (3 s) holds.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$WORK/hang.port" &
HANG_PID=$!
for _ in $(seq 50); do [ -s "$WORK/hang.port" ] && break; sleep 0.1; done
t0=$(date +%s%N)
conn_kind timeout "mig:p@ss:w0rd@127.0.0.1:$(cat "$WORK/hang.port")/shop"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 2500 ] && [ "$ms" -lt 6000 ] || fail "timeout took $ms ms, expected about 3000"
# A PostgreSQL 9.6 server, as far as the protocol goes: it accepts any
# login and reports server_version 9.6.24 (a few lines of the v3 protocol;
# there is no 9.6 package to run). The connect refuses it, naming the version.
python3 -c '
import socket, struct
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
def msg(t, body): return t + struct.pack("!I", len(body) + 4) + body
while True:
    c, _ = s.accept()
    while True:
        n = struct.unpack("!I", c.recv(4))[0]
        body = c.recv(n - 4)
        if struct.unpack("!I", body[:4])[0] in (80877103, 80877104):  # SSL / GSS request
            c.sendall(b"N"); continue
        break
    c.sendall(msg(b"R", struct.pack("!I", 0)) +
              msg(b"S", b"server_version\x009.6.24\x00") +
              msg(b"S", b"client_encoding\x00UTF8\x00") +
              msg(b"K", struct.pack("!II", 1, 2)) + msg(b"Z", b"I"))
    c.recv(1024); c.close()' >"$WORK/old.port" &
OLD_PID=$!
for _ in $(seq 50); do [ -s "$WORK/old.port" ] && break; sleep 0.1; done
conn_kind server-too-old "mig:p@ss:w0rd@127.0.0.1:$(cat "$WORK/old.port")/shop"
old_out=$("$TOOL" connect "mig:p@ss:w0rd@127.0.0.1:$(cat "$WORK/old.port")/shop" || true)
case "$old_out" in *"server version 9.6 is too old"*) ;; *) fail "the old version is not named: $old_out" ;; esac
# The precheck reports an unreachable side as its failing connect check.
precheck badpw --source "mig:wrong-pw@127.0.0.1:$SP/shop" --sink "$SINK" --migration-object public.uniq
expect_rc badpw 1
expect badpw source.connect fail
expect_in badpw source.connect found "wrong-password"
expect badpw sink.connect ok

echo "== sink account without rights on an existing schema and table"
pgc_psql sink -d shopdst <<'SQL'
CREATE SCHEMA "Sales";
CREATE TABLE "Sales"."Order Items" (id int PRIMARY KEY, "Note" text);
SQL
precheck weak --source "$SRC" --sink "weak:weak-pw@127.0.0.1:$KP/shopdst" --migration-object '"Sales.Order Items"'
expect_rc weak 1
expect weak sink.create fail
expect_in weak sink.create fix 'GRANT CREATE ON DATABASE shopdst TO weak;'
expect weak sink.schemas fail
expect_in weak sink.schemas fix 'GRANT USAGE, CREATE ON SCHEMA "Sales" TO weak;'
expect weak sink.tables fail
expect_in weak sink.tables fix 'ON "Sales"."Order Items" TO weak;'
pgc_psql sink -d shopdst -c 'DROP SCHEMA "Sales" CASCADE'

echo "== leftovers of an earlier task t-1"
pgc_psql src -d shop <<'SQL'
SELECT pg_create_logical_replication_slot('t_1', 'pgoutput');
CREATE PUBLICATION t_1_publication_for_all_tables FOR TABLE "Sales"."Order Items";
SQL
precheck leftover --source "$SRC" --sink "$SINK" --migration-object '"Sales.Order Items"' --task t-1
expect_rc leftover 1
expect leftover leftover.slot fail
expect_in leftover leftover.slot found "inactive"
expect_in leftover leftover.slot fix "SELECT pg_drop_replication_slot('t_1');"
expect leftover leftover.publication fail
expect_in leftover leftover.publication fix "DROP PUBLICATION t_1_publication_for_all_tables;"
pgc_psql src -d shop -c "SELECT pg_drop_replication_slot('t_1')" -c "DROP PUBLICATION t_1_publication_for_all_tables"

echo "== wal_level = replica"
pgc_conf src "wal_level = replica"
pgc_restart src
precheck replica --source "$SRC" --sink "$SINK" --migration-object '"Sales.Order Items"'
expect_rc replica 1
expect replica source.wal_level fail
expect_in replica source.wal_level found "wal_level = replica"
expect_in replica source.wal_level fix "wal_level = logical"
precheck replica_init --source "$SRC" --sink "$SINK" --migration-object '"Sales.Order Items"' --init-only
expect_rc replica_init 0
expect replica_init source.wal_level warn
echo "precheck: all checks behaved"
