#!/usr/bin/env bash
# The cutover wizard's read-only enforcement at gate 3, in tmux on a live
# local task: E names the roles writing, y makes the source database
# read-only for new sessions and ends those roles' sessions (not the
# migration's: CDC goes on), gate 3 then passes; Q aborts, undoes the
# read-only setting, says so, and the report records it.
set -euo pipefail
ENGINE_TUI_STATE=default # the dashboard's own state dir
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"

et_pair
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE ROLE billing LOGIN PASSWORD 'b-pw';
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 1000) g;
GRANT ALL ON public.acct TO billing;
SQL
et_pair_task ro

for i in $(seq 600); do
  echo "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = $((i % 1000 + 1)); SELECT pg_sleep(0.3); COMMIT;"
done | PGPASSWORD=b-pw PGAPPNAME=shop psql -X -q -h 127.0.0.1 -p "$(pgc_port src)" -U billing -d postgres >/dev/null 2>&1 &
load=$!
ET_PIDS+=($load)
ro_setting() { pgc_psql src -d postgres -Atc "SHOW default_transaction_read_only"; }

tmux_start 80 24 "$MIGTOP_BIN --backend local"
see 'ro +.*Running' 20
tmux_keys x
see 'Gate 1: Task healthy +pass' 15
tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 30
tmux_keys Enter
see 'Gate 3: Business writes paused +FAIL' 10
see 'billing \(shop\)' 10
tmux_keys E
see 'Enforce read-only\? ALTER DATABASE postgres'
tmux_screen | grep -q 'sessions of billing' || { tmux_snap; fail "the confirmation does not name the role"; }
tmux_keys y
see 'the source is read-only for new sessions; 1 session ended' 15
[ "$(ro_setting)" = on ] || fail "new sessions on the source are not read-only"
set +e
out=$(pgc_psql src -d postgres -c "UPDATE acct SET bal = 0 WHERE id = 1" 2>&1)
set -e
grep -q 'read-only transaction' <<<"$out" || fail "a write still went through: $out"
wait "$load" 2>/dev/null || true # the billing session was ended
see 'Gate 3: Business writes paused +pass' 20
et_show ro | grep -q 'status=Running' || fail "CDC stopped: $(et_show ro)"

tmux_keys Q
see 'cutover aborted at gate 3' 15 # in the status bar
tmux_screen | grep -q 'aborted at gate 3, read-only undone on the source' || { tmux_snap; fail "the abort does not say it undid read-only"; }
[ "$(ro_setting)" = off ] || fail "read-only was not undone"
md=$(ls "$state"/cutover/ro-cutover-*.md)
grep -q 'outcome: aborted at gate 3' "$md" || fail "the report has no abort"
grep -q 'read-only undone on the source' "$md" || fail "the report has no undo"
tmux_keys q
see 'migtop exited with 0'
echo PASS
