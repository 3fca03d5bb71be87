#!/usr/bin/env bash
# terminate with the source down: the task stays Terminating with the
# reason while the slot cannot be dropped, its runner (detached in a
# session of its own) holds the task so a second `migtop run` says who
# has it, and once the source is back the slot and the publication go and
# the task is removed. A second terminate of a task that is gone says so.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

pgc_start src
pgc_start sink
pgc_psql src -d postgres -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g"
"$tool" write "$state" gone-src "$(et_endpoint src postgres x)" "$(et_endpoint sink postgres x)" \
  '"public"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
"$bin" run gone-src --state-dir "$state" --until post-data --quiet
[ "$(pgc_psql src -d postgres -Atc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gone_src'")" = 1 ] \
  || fail "init-data left no slot"

pgc_stop src
"$tool" terminate "$state" gone-src
et_wait_status gone-src 'status=Terminating .*terminating=".*cannot connect.*attempt [0-9]+' 30
et_show gone-src

runner=$(cat "$state/tasks/gone-src/runner.lock")
[ "$(ps -o comm= -p "$runner")" = migtop ] || fail "no runner process $runner"
[ "$(ps -o sid= -p "$runner" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] \
  || fail "the runner shares the test's session (not detached)"
[ "$(ps -o tty= -p "$runner" | tr -d ' ')" = "?" ] || fail "the runner has a terminal"

set +e
out=$("$bin" run gone-src --state-dir "$state" --quiet 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 3 ] || fail "a second runner exited $rc, expected 3"
grep -q "already being run by pid $runner" <<<"$out" || fail "the second runner does not name the holder"

# Still Terminating a few seconds later: it keeps retrying.
sleep 3
et_show gone-src | grep -q 'status=Terminating' || fail "gave up while the source is down"
grep -q 'WARN terminate: cannot connect' "$state/tasks/gone-src/cdc.log"

# A signal stops that runner; the task stays Terminating, and the next
# terminate starts a runner that carries on.
kill "$runner"
for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
kill -0 "$runner" 2>/dev/null && fail "the terminating runner ignores SIGTERM"
et_show gone-src | grep -q 'status=Terminating' || fail "not Terminating after its runner stopped"
"$tool" terminate "$state" gone-src
for _ in $(seq 50); do
  runner2=$(cat "$state/tasks/gone-src/runner.lock")
  [ "$runner2" != "$runner" ] && kill -0 "$runner2" 2>/dev/null && break
  sleep 0.1
done
[ "$runner2" != "$runner" ] || fail "no new runner after the second terminate"
runner=$runner2
et_wait_status gone-src 'terminating=".*cannot connect.*attempt' 20

pgc_start_again src
for _ in $(seq 150); do [ -d "$state/tasks/gone-src" ] || break; sleep 0.2; done
[ -d "$state/tasks/gone-src" ] && fail "the task is still there after the source came back"
et_no_slot src gone-src
for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
kill -0 "$runner" 2>/dev/null && fail "the runner is still running"

set +e
out=$("$tool" terminate "$state" gone-src 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'no local task "gone-src"' <<<"$out" || fail "terminate of a removed task: $out"

echo "== a source never reached (a typo in its port): terminate finishes"
typo=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tool" create "$state" typo "postgres:x@127.0.0.1:$typo/postgres" "$(et_endpoint sink postgres x)" \
  '"public"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
et_wait_status typo 'status=Failed' 30
timeout 30 "$bin" terminate typo --backend local --state-dir "$state" --timeout 20s ||
  fail "terminate of a task whose source was never reached did not finish"
[ ! -d "$state/tasks/typo" ] || fail "the task is still there"

echo "== the sink gone for good after CDC started: --force forgets the task"
pgc_start sink2
pgc_psql src -d postgres -c "CREATE TABLE u (id int PRIMARY KEY)" >/dev/null
"$tool" create "$state" lost "$(et_endpoint src postgres x)" "$(et_endpoint sink2 postgres x)" \
  '"public.u"' 'precheck=true,init-struct=true,init-data=true,cdc=true'
et_wait_status lost 'status=Running' 60
for _ in $(seq 50); do [ -n "$(pgc_psql sink2 -d postgres -Atc "SELECT 1 FROM pg_replication_origin WHERE roname = 'migtop_lost'")" ] && break; sleep 0.2; done
pgc_stop sink2
set +e
out=$("$bin" terminate lost --backend local --state-dir "$state" --force 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 0 ] || fail "terminate --force exited $rc"
grep -q 'forgetting it' <<<"$out" || fail "--force did not say it forgets the task"
grep -q '  replication slot lost is gone' <<<"$out" || fail "--force does not say the slot is gone"
grep -q '  replication origin migtop_lost could not be checked' <<<"$out" || fail "--force does not name the origin"
grep -q "SELECT pg_replication_origin_drop('migtop_lost');" <<<"$out" || fail "--force does not give the SQL"
[ ! -d "$state/tasks/lost" ] || fail "the forgotten task is still there"
kept=$(ls "$state"/forgotten/lost-*.txt) || fail "the list was not kept"
[ "$(stat -c %a "$kept")" = 600 ] || fail "$kept is not owner-only"
et_no_slot src lost
echo "PASS"
