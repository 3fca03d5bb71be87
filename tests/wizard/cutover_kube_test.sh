#!/usr/bin/env bash
# The cutover of a Kubernetes task, end to end: the task is a MigrationTask
# on the Kubernetes API stand-in (over TLS, its status from the stand-in's
# controller), its endpoints in the CR point at two real PostgreSQL
# servers, and the CDC the add-on's pod runs is played by a real local
# engine task of the same name (the slot the gates read is real and
# active). Then, as a person on the kube backend:
#  - cutover --check names the writing application (gate 3 fails);
#  - --pause-writes / --resume-writes from a script: the pause record
#    beside the kubeconfig's context name, the setting back as it was;
#  - the wizard in tmux at 80x24: x on the task, every gate from the CR
#    and the servers, E pauses the writer, A sets the sequences, the
#    switch recorded; the report (0600) under cutover/standin/;
#  - no password from the CR on any screen, in the report, the pause
#    record or the process list.
set -euo pipefail
ENGINE_TUI_STATE=default
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/support/cutover_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/standin/standin.sh"
trap 'tmux_cleanup; standin_stop; et_cleanup' EXIT
export MIGTOP_CUTOVER_STABLE_S=3

et_pair "wal_sender_timeout = 10s"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE ROLE billing LOGIN PASSWORD 'b-pw';
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 2000) g;
CREATE TABLE public.notes (id serial PRIMARY KEY, v text);
INSERT INTO public.notes (v) SELECT 'n' || g FROM generate_series(1, 30) g;
GRANT ALL ON public.acct TO billing;
SQL
# The add-on's CDC: a real slot "kc" on the source, applying to the sink.
et_pair_task kc
ro_setting() { pgc_psql src -d postgres -Atc "SHOW default_transaction_read_only"; }

export KUBECONFIG=/nonexistent
standin_start "$work/k8s" --controller-speed 4 --bookmark-interval 1
K=(--kubeconfig "$STANDIN_DIR/kubeconfig-token")
"$bin" create kc "${K[@]}" --template apecloud-pg2pg --source "$(et_endpoint src mig src-pw)" \
  --sink "$(et_endpoint sink mig sink-pw)" --migration-object '"public"' >/dev/null
for _ in $(seq 100); do
  "$bin" list "${K[@]}" 2>/dev/null | grep -Eq '^kc +apecloud-pg2pg +Running' && break
  sleep 0.2
done
"$bin" list "${K[@]}" | grep -Eq '^kc +apecloud-pg2pg +Running' || fail "kc never Running on the stand-in"
reports=$XDG_STATE_HOME/migtop/cutover/standin

echo "== --check on the kube task names the writer"
pipe_writer "$work/billing.fifo" invoices billing b-pw "$(pgc_port src)" \
  "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = (%d %% 2000) + 1; SELECT pg_sleep(0.3); COMMIT;" 0.1
first=$PIPE_FD
sleep 1
capture "$bin" cutover kc --check --watch 4 "${K[@]}"
[ "$rc" = 1 ] || fail "--check passed while the source was written to (rc $rc)"
grep -Eq '^1 Task healthy +pass +status Running' <<<"$out" || fail "gate 1 does not read the CR's status"
grep -Eq '^2 Lag near zero +pass +.*slot active' <<<"$out" || fail "gate 2 does not read the real slot"
grep -Eq '^3 Business writes paused +FAIL' <<<"$out" || fail "gate 3 does not see the writes"
grep -q 'billing (invoices): 1 session' <<<"$out" || fail "gate 3 does not name the writer"

echo "== --pause-writes and --resume-writes from a script"
capture "$bin" cutover kc --pause-writes --timeout 20s "${K[@]}"
[ "$rc" = 0 ] || fail "--pause-writes failed (rc $rc)"
grep -q 'read-only for new sessions' <<<"$out" || fail "--pause-writes does not say what it did"
grep -q 'writes stopped' <<<"$out" || fail "--pause-writes does not say the writes stopped"
[ "$(ro_setting)" = on ] || fail "the source is not read-only after --pause-writes"
[ -f "$reports/kc.paused.json" ] || [ -f "$reports/default_kc.paused.json" ] ||
  fail "no pause record beside the context: $(ls -R "$XDG_STATE_HOME/migtop/cutover" 2>&1)"
out=$("$bin" cutover kc --resume-writes "${K[@]}" 2>&1)
echo "$out"
grep -q 'writes resumed on postgres' <<<"$out" || fail "--resume-writes does not say what it did"
[ "$(ro_setting)" = off ] || fail "the setting is not back after --resume-writes"

echo "== the wizard on the kube backend, to the switch"
# The writer again, in a session that stays open.
exec {first}>&-
pipe_writer "$work/billing2.fifo" invoices billing b-pw "$(pgc_port src)" \
  "UPDATE acct SET bal = bal - 1 WHERE id = (%d %% 2000) + 1;" 0.3
pgc_psql src -d postgres -c "INSERT INTO notes (v) SELECT 'm' || g FROM generate_series(1, 20) g" >/dev/null

tmux_start 80 24 "$bin ${K[*]}"
see 'kc +default +apecloud-pg2pg +Running' 20
tmux_keys x
see 'Gate 1: Task healthy +pass' 15
tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 30
see 'lag, last minute .*max [0-9.]+ s' 10 # the readings so far, drawn
tmux_keys Enter
cut_pause billing
tmux_keys Enter
see 'Gate 4: Stable +pass' 30
tmux_keys Enter
# notes_id_seq moved on the source (20 rows since the copy): a plan to set.
cut_seq_apply notes_id_seq
tmux_keys Enter
see 'Gate 6: Validation +pass' 40
tmux_keys Enter
cut_switch
tmux_keys Escape
see 'cutover done; report' 5
[ "$(ro_setting)" = on ] || fail "the source is writable again after the switch"

md=$(ls "$reports"/*kc-cutover-*.md)
json=${md%.md}.json
[ "$(stat -c %a "$md")" = 600 ] && [ "$(stat -c %a "$json")" = 600 ] || fail "the report is not owner-only"
python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["outcome"].startswith("switched to the sink at"), r["outcome"]
g = r["gates"]
assert [x["state"] for x in g] == ["pass"] * 7, [x["state"] for x in g]
assert "cdc Running" in g[0]["reading"], g[0]["reading"]
ev = " | ".join(e["what"] for e in r["events"])
assert "pausing the writes" in ev, ev
PY

echo "== no password anywhere"
tmux_keys q
see 'migtop exited with 0'
ps axww -o args= >"$work/ps.txt"
for pw in src-pw sink-pw b-pw; do
  ! grep -rlF -- "$pw" "$TMUX_SCREENS" "$XDG_STATE_HOME/migtop/cutover" "$work/ps.txt" ||
    fail "the password $pw was written or shown"
done
echo PASS
