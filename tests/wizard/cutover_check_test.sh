#!/usr/bin/env bash
# migtop cutover NAME --check on a live local task between two real
# PostgreSQL servers: refuses while the business writes (gate 3 names the
# writer, gate 4's countdown restarts), passes once the writes stop and the
# sequences are set on the sink, and refuses again when the sink's data
# differs (gate 6 names the table and the key range).
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"
export MIGTOP_CUTOVER_STABLE_S=3

et_pair
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 3000) g;
CREATE TABLE public.notes (id serial PRIMARY KEY, v text);
INSERT INTO public.notes (v) SELECT 'n' || g FROM generate_series(1, 40) g;
SQL
src_ep=$(et_endpoint src mig src-pw)
sink_ep=$(et_endpoint sink mig sink-pw)
et_pair_task co

check() { "$MIGTOP_BIN" cutover co --check --backend local --state-dir "$state" "$@"; }

# A writer on the source: gate 3 fails and names it; gate 4 never holds.
# One session of application "billing", in a write transaction most of
# the time.
for i in $(seq 120); do
  echo "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = $((i % 3000 + 1)); SELECT pg_sleep(0.4); COMMIT;"
done | PGAPPNAME=billing pgc_psql src -d postgres >/dev/null 2>&1 &
load=$!
ET_PIDS+=($load)
sleep 1
set +e
out=$(check --watch 4 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || fail "--check passed while the source was written to (rc $rc)"
grep -Eq '^1 Task healthy +pass' <<<"$out" || fail "gate 1 does not pass on a running task"
grep -Eq '^3 Business writes paused +FAIL +writing' <<<"$out" || fail "gate 3 does not see the writes"
grep -q 'postgres (billing): 1 session' <<<"$out" || fail "gate 3 does not name the writing role and application"
grep -Eq '^4 Stable +FAIL' <<<"$out" || fail "gate 4 held under writes"
# The business pauses: its session ends.
pgc_psql src -d postgres -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'billing'" >/dev/null
wait "$load" 2>/dev/null || true

# Quiet: the sequences are set on the sink, and every gate passes.
"$MIGTOP_BIN" sequences --source "$src_ep" --sink "$sink_ep" --migration-object '"public"' --apply >/dev/null
sleep 2
set +e
out=$(check --watch 5 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 0 ] || fail "--check refused a quiet, caught-up task (rc $rc)"
grep -q '6 of 6 gates pass' <<<"$out" || fail "not every gate passes"
grep -Eq '^2 Lag near zero +pass' <<<"$out"
grep -Eq '^5 Sequences +pass' <<<"$out"
grep -Eq '^6 Validation +pass +sampled validation of 2 tables' <<<"$out"

# The sink differs: validation refuses and says where.
pgc_psql sink -d postgres -c "UPDATE acct SET bal = -1 WHERE id = 1234" >/dev/null
set +e
out=$(check --watch 1 --full 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] || fail "--check passed with a differing sink"
grep -Eq '^6 Validation +FAIL' <<<"$out" || fail "gate 6 did not fail"
grep -q 'public.acct: MISMATCH' <<<"$out" || fail "gate 6 does not name the table"
grep -q 'mismatch where .*e.g. key 1234' <<<"$out" || fail "gate 6 does not name the row"
grep -q 'src-pw\|sink-pw' <<<"$out" && fail "a password was printed"
echo PASS
