#!/usr/bin/env bash
# A task's directory removed by hand while its runner streams CDC (rm -rf,
# or a wizard's manual cleanup): nobody can see or stop that runner any
# more, so it must not live on, reconnecting for ever. The runner and its
# supervisor stop within a few seconds, drop nothing (the slot stays, for
# `migtop orphans`), and no supervisor is spawned again and again. The same
# with a new directory of the same name put in its place: the runner tells
# it by its inode and leaves the new one alone.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

et_pair
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE public.t (id int PRIMARY KEY);
INSERT INTO public.t SELECT generate_series(1, 100);
SQL
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo gone; }
gone_within() { # PID SECS
  local i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
slot_active() { pgc_psql src -d postgres -Atc "SELECT active FROM pg_replication_slots WHERE slot_name = '$1'"; }

for how in removed replaced; do
  echo "== the directory $how"
  et_pair_task "$how"
  runner=$(cat "$state/tasks/$how/runner.lock")
  sup=$(cat "$state/tasks/$how/supervisor.lock")
  # As a person would: again if the runner wrote a file while rm ran.
  for _ in 1 2 3 4 5; do rm -rf "$state/tasks/$how" 2>/dev/null && break; sleep 0.1; done
  [ ! -e "$state/tasks/$how" ] || fail "cannot remove the task directory"
  if [ "$how" = replaced ]; then
    mkdir -p "$state/tasks/$how"
    echo 'not a spec' >"$state/tasks/$how/marker"
  fi
  gone_within "$runner" 10 || fail "the runner ($how) still runs 10 s after its directory went"
  gone_within "$sup" 10 || fail "the supervisor ($how) still runs 10 s after its directory went"
  [ "$(slot_active "$how")" = f ] || fail "the slot of $how is gone or still held: $(slot_active "$how")"
  pgrep -f "migtop (run|supervise) $how " && fail "a runner or supervisor of $how came back"
  if [ "$how" = replaced ]; then
    [ "$(cat "$state/tasks/$how/marker")" = 'not a spec' ] || fail "the new directory was touched"
    [ "$(ls "$state/tasks/$how")" = marker ] || fail "files written into the new directory: $(ls "$state/tasks/$how")"
  fi
  pgc_psql src -d postgres -c "SELECT pg_drop_replication_slot('$how')" >/dev/null
  pgc_psql sink -d postgres -c "DROP TABLE public.t" >/dev/null # the next task copies it again
done
echo PASS
