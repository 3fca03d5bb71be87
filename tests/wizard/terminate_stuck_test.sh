#!/usr/bin/env bash
# The terminate flow when the task's cleanup does not happen: the local
# runner is frozen (SIGSTOP), so its walsender keeps the slot active after
# the terminate request. Past the stuck threshold (5 s here,
# $MIGTOP_TERMINATE_STUCK_S; a minute by default) the flow shows the slot's
# state, its holder, the WAL it retains and the headroom, and the DROP
# statements; D asks, n leaves everything as it was, D then y applies them
# and the source is checked clean.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"
export TMUX_SCREENS=$work/screens
mkdir -p "$TMUX_SCREENS"
source "$MIGTOP_SOURCE_DIR/tests/support/tmux.sh"
runner=
cleanup() {
  [ -n "$runner" ] && kill -CONT "$runner" 2>/dev/null || true
  tmux_cleanup
  et_cleanup
}
trap cleanup EXIT
export MIGTOP_TERMINATE_STUCK_S=5

et_pair
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE TABLE public.t (id int PRIMARY KEY);
INSERT INTO public.t SELECT generate_series(1, 500);
SQL
et_pair_task stuck
slot_active() { pgc_psql src -d postgres -Atc "SELECT active FROM pg_replication_slots WHERE slot_name = 'stuck'"; }
for _ in $(seq 50); do [ "$(slot_active)" = t ] && break; sleep 0.2; done
[ "$(slot_active)" = t ] || fail "the slot is not active"
runner=$(cat "$state/tasks/stuck/runner.lock")
kill -STOP "$runner"

see() { tmux_wait "$1" "${2:-10}"; tmux_snap >/dev/null; }
tmux_start 80 24 "$MIGTOP_BIN --backend local --state-dir $state"
see 'stuck +.*Running' 20
tmux_keys T
see 'terminate a migration task'
# The local task's own pgpass gives the source's password: none asked.
tmux_screen | grep -q 'Password' && fail "the terminate wizard asks for a password it has"
tmux_type stuck; tmux_keys Enter
see 'Cleanup' 10
see 'slot +stuck active, held by pid [0-9]+' 10
see 'retained WAL' 5
see 'Stuck for more than 5 s' 15
see 'pg_terminate_backend' 5
see 'pg_drop_replication_slot' 5
tmux_screen | grep -q 'headroom' || fail "no headroom line"
tmux_keys D
see 'Apply the statements shown on the source\?'
tmux_keys n
see 'nothing dropped'
[ "$(slot_active)" = t ] || fail "n dropped something"
tmux_keys D
see 'Apply the statements'
tmux_keys y
see 'the DROP statements were applied' 20
see 'clean: slot stuck and publication' 20
et_no_slot src stuck
tmux_keys Enter
see 'NAME|no migration tasks' 10
kill -CONT "$runner"
tmux_keys q
see 'migtop exited with 0'
echo PASS
