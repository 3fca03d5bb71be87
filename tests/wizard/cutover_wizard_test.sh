#!/usr/bin/env bash
# The cutover wizard (x) in tmux at 80x24 on a live local task between two
# real PostgreSQL servers, with the business writing on the source:
#  gate 1 passes on the running task;
#  gate 2 refuses while the sink is down (CDC stops: the slot goes
#    inactive and the lag grows) and passes once it is back and caught up;
#  gate 3 refuses while the "billing" session writes, names it, and passes
#    once the business pauses (its session ends);
#  gate 4's countdown restarts on a single write, then holds;
#  gate 5 shows the setval plan, A applies it and the sink is re-read equal;
#  gate 6 refuses a sink that differs (table and key named) until it is
#    overridden with a typed reason;
#  gate 7 records the switch; the report (Markdown, JSON and HTML) is
#    saved in STATE/cutover/ with every gate, the override reason, the
#    countdown restart and the readings over time; the HTML, rendered by
#    headless Chromium, shows the lag and write charts; then T terminates the task, no slot is left, and the report
#    is still there.
set -euo pipefail
ENGINE_TUI_STATE=default # the dashboard's own state dir
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/support/cutover_tui.sh"
export MIGTOP_CUTOVER_STABLE_S=6

et_pair "wal_sender_timeout = 10s"
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 3000) g;
CREATE TABLE public.notes (id serial PRIMARY KEY, v text);
INSERT INTO public.notes (v) SELECT 'n' || g FROM generate_series(1, 40) g;
SQL
et_pair_task co

# The business: one "billing" session writing, most of the time inside a
# transaction.
for i in $(seq 600); do
  echo "BEGIN; UPDATE acct SET bal = bal + 1 WHERE id = $((i % 3000 + 1)); INSERT INTO notes (v) VALUES ('b$i'); SELECT pg_sleep(0.3); COMMIT;"
done | PGAPPNAME=billing pgc_psql src -d postgres >/dev/null 2>&1 &
load=$!
ET_PIDS+=($load)

tmux_start 80 24 "$MIGTOP_BIN --backend local"
see 'co +.*Running' 20
tmux_keys x
see 'cut over a migration task'
see 'Gate 1: Task healthy +pass' 15
# ? lists this wizard's keys; the key that closes the page does nothing else.
tmux_keys '?'
see 'Q +abort the cutover'
see 'o +a gate that fails: pass it anyway'
tmux_keys Q
see 'Gate 1: Task healthy +pass' 5
tmux_screen | grep -q 'aborted' && fail "the key closing the keys page aborted the cutover"
tmux_keys Enter

# Gate 2: the sink goes away, the lag grows, the gate refuses.
see 'Gate 2: Lag near zero' 10
pgc_stop sink
see 'Gate 2: Lag near zero +FAIL' 40
# The FAIL may be the first one, before any reading of the source: wait
# for the outage itself on screen, the lag grown past the report's check.
see 'lag (>= )?([3-9]|[1-9][0-9]+)\.[0-9] s' 40
tmux_keys Enter
see 'gate 2 does not pass'
pgc_start_again sink
see 'Gate 2: Lag near zero +pass' 60
tmux_keys Enter

# Gate 3: the business still writes.
see 'Gate 3: Business writes paused +FAIL' 10
see 'postgres \(billing\)' 10
tmux_keys Enter
see 'gate 3 does not pass'
pgc_psql src -d postgres -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'billing'" >/dev/null
wait "$load" 2>/dev/null || true
see 'Gate 3: Business writes paused +pass' 20
tmux_keys Enter

# Gate 4: one write restarts the countdown.
see 'Gate 4: Stable' 5
see 'stable for [1-4] of 6 s' 10
pgc_psql src -d postgres -c "UPDATE acct SET bal = 0 WHERE id = 7" >/dev/null
see 'countdown restarted \(1 time\)' 10
tmux_keys Enter
see 'gate 4 does not pass'
see 'Gate 4: Stable +pass' 30
tmux_keys Enter

# Gate 5: the plan, then A.
cut_seq_apply notes_id_seq
see '\(equal\)' 5
# The sink differs before validation.
pgc_psql sink -d postgres -c "UPDATE acct SET bal = -1 WHERE id = 1234" >/dev/null
tmux_keys Enter

# Gate 6: refused, then overridden with a reason.
see 'Gate 6: Validation +FAIL' 30
see 'public.acct: MISMATCH' 5
tmux_keys Enter
see 'gate 6 does not pass'
tmux_keys o
see '> Reason'
tmux_keys Enter
see 'an override needs a reason'
tmux_type 'row 1234 was edited on the sink by hand; reverted after'
tmux_keys Enter
cut_switch stray
see 'switched to the sink at' 5
tmux_snap
md=$(ls "$state"/cutover/co-cutover-*.md)
json=${md%.md}.json
[ -f "$json" ] || fail "no JSON report beside $md"
cat "$md"
python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["gates"]
assert [x["state"] for x in g] == ["pass"] * 5 + ["override", "pass"], [x["state"] for x in g]
assert g[5]["override_reason"].startswith("row 1234 was edited"), g[5]
assert "MISMATCH" in g[5]["reading"], g[5]["reading"]
assert "equal" in g[4]["reading"], g[4]["reading"]
assert all(x["decided"] for x in g), g
ev = " | ".join(e["what"] for e in r["events"])
for want in ("gate 2 fails", "gate 3 fails", "countdown restarted", "overridden", "switched"):
    assert want in ev, (want, ev)
assert r["outcome"].startswith("switched to the sink at"), r["outcome"]
pts = r["readings"]
lags = [p["lag_s"] for p in pts if "lag_s" in p]
writes = [p["writes_per_s"] for p in pts if "writes_per_s" in p]
assert len(pts) > 10 and max(lags) > 2 and max(writes) > 0, (len(pts), max(lags), max(writes))
PY
# The HTML report as a person sees it: opened in a real browser, both
# charts drawn, the lag curve showing the sink's outage.
html=${md%.md}.html
[ -f "$html" ] || fail "no HTML report beside $md"
grep -q '<svg id="lag"' "$html" && grep -q '<svg id="writes"' "$html" || fail "no charts in $html"
grep -q 'row 1234 was edited on the sink by hand' "$html" || fail "the override reason is not in the HTML"
grep -q '<script\|src="http\|href="http' "$html" && fail "the HTML report is not self-contained"
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$work/chrome" --hide-scrollbars \
  --window-size=900,1100 --screenshot="$work/report.png" "file://$html" >/dev/null 2>&1 ||
  fail "chromium could not render $html"
/usr/bin/python3 "$MIGTOP_SOURCE_DIR/tests/support/report_shot.py" "$work/report.png" ||
  fail "the report's charts are not drawn (see $work/report.png)"
# The README's picture of it, when asked for (screenshots/make.sh).
[ -n "${MIGTOP_SHOT_DIR:-}" ] && cp "$work/report.png" "$MIGTOP_SHOT_DIR/cutover-report.png"
tmux_keys Enter
see 'cutover done; report' 5

# Terminate: no slot left.
tmux_keys T
see 'terminate a migration task'
tmux_type co; tmux_keys Enter # the password: from the task's own pgpass
see 'clean: slot co and publication' 60
et_no_slot src co
[ -f "$md" ] && [ -f "$json" ] && [ -f "$html" ] || fail "the report went with the task"
tmux_keys Enter q
see 'migtop exited with 0'
grep -l 'src-pw\|sink-pw' "$TMUX_SCREENS"/* "$md" "$json" "$html" && fail "a password was shown or saved"
echo PASS
