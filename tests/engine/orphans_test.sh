#!/usr/bin/env bash
# Orphans: a task whose directory was removed by hand leaves its slot
# (keeping WAL), publication and origin. migtop orphans names them with
# the WAL and the SQL, the precheck of another task warns, the dashboard
# shows the slot, and --drop --yes removes them. Objects migtop did not
# make (the add-on's naming without the mark) and a live task of another
# state directory are left alone.
set -euo pipefail
ENGINE_TUI_STATE=default
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"

et_pair "wal_sender_timeout = 10s"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE public.t (id int PRIMARY KEY, v text);
INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(1, 1000) g;
-- The add-on's naming, without migtop's mark: not migtop's to drop.
CREATE PUBLICATION addon_publication_for_all_tables FOR TABLE public.t;
SELECT pg_create_logical_replication_slot('addon', 'pgoutput');
SQL
et_pair_task gone1 '"public"'
# Another state directory's task, alive: its publication's mark names it.
other=$work/other-state
mkdir -p "$other/tasks/alive"
echo '{}' >"$other/tasks/alive/spec.json"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE PUBLICATION alive_publication_for_all_tables FOR TABLE public.t;
COMMENT ON PUBLICATION alive_publication_for_all_tables IS 'migtop task alive in $other on $(hostname)';
SQL

m() { "$bin" "$@" --state-dir "$state"; }
# The tasks' own pgpass goes with them: the user's password file serves.
export PGPASSFILE=$work/pgpass
printf '127.0.0.1:%s:*:mig:src-pw\n127.0.0.1:%s:*:mig:sink-pw\n' "$(pgc_port src)" "$(pgc_port sink)" >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"
# The task's directory removed by hand, its processes killed first.
for l in supervisor.lock runner.lock; do kill -9 "$(cat "$state/tasks/gone1/$l")" 2>/dev/null || true; done
sleep 0.5
rm -rf "$state/tasks/gone1"
pgc_psql src -d postgres -c "UPDATE t SET v = v || '!'" >/dev/null # WAL the slot now keeps

set +e
out=$(m orphans 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || fail "orphans exited $rc with orphans there"
grep -Eq '\(source\): replication slot gone1 of task gone1, retaining [0-9.]+ [KMG]?i?B' <<<"$out" ||
  fail "the orphan slot is not listed with its WAL"
grep -q '(source): publication gone1_publication_for_all_tables of task gone1' <<<"$out" ||
  fail "the orphan publication is not listed"
grep -q "(sink): replication origin migtop_gone1 of task gone1" <<<"$out" ||
  fail "the orphan origin is not listed"
grep -q "pg_drop_replication_slot('gone1')" <<<"$out" || fail "no SQL to drop the slot"
grep -q 'addon' <<<"$out" && fail "an object migtop did not make is listed"
grep -q 'alive' <<<"$out" && fail "another state directory's live task is listed"

echo "== the precheck of another task warns"
"$tool" create "$state" next "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"public.t"' 'precheck=true,init-struct=true,init-data=true,cdc=false' truncate
et_wait_status next 'status=(Done|Failed)' 60
grep -E 'check source.orphans: warn: .*replication slot gone1 \(task gone1, retaining' \
  "$state/tasks/next/precheck.log" || fail "the precheck does not warn about the orphan slot"
"$tool" terminate "$state" next
for _ in $(seq 50); do [ -d "$state/tasks/next" ] || break; sleep 0.2; done

echo "== the dashboard shows it"
tmux_start 100 24 "$bin --backend local"
see '! slot gone1 of task gone1 \(gone\) retains' 20
tmux_keys q
see 'migtop exited with 0' 30

echo "== --drop --yes"
m orphans --drop --yes | tee "$work/drop.out"
[ "$(grep -c '    dropped' "$work/drop.out")" = 3 ] || fail "not every orphan was dropped"
et_no_slot src gone1
[ -z "$(pgc_psql sink -d postgres -Atc "SELECT 1 FROM pg_replication_origin WHERE roname = 'migtop_gone1'")" ] ||
  fail "the origin is still on the sink"
[ -n "$(pgc_psql src -d postgres -Atc "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'addon'")" ] ||
  fail "the add-on's slot was dropped"
m orphans | grep -q '^no orphans' || fail "orphans left after --drop"
pgc_psql src -d postgres -c "SELECT pg_drop_replication_slot('addon')" >/dev/null
echo PASS
