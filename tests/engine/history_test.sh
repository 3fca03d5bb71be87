#!/usr/bin/env bash
# The lag's past survives the dashboard: a local task's runner keeps its
# last 15 minutes (history.json beside the task, in 5-second slots), and a
# dashboard started later draws them in the detail's chart at once, under
# a write load; a runner started again carries the ring on.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"

et_pair
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 1000) g;
SQL
et_pair_task hi
( for i in $(seq 400); do
    echo "UPDATE acct SET bal = bal + 1 WHERE id = $((i % 1000 + 1));"; sleep 0.1
  done | pgc_psql src -d postgres >/dev/null 2>&1 ) &
ET_PIDS+=($!)
slots() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["slots"]))' "$state/tasks/hi/history.json" 2>/dev/null || echo 0; }
for _ in $(seq 60); do [ "$(slots)" -ge 6 ] && break; sleep 1; done
[ "$(slots)" -ge 6 ] || fail "the runner kept $(slots) slots of history in 60 s"

# Killed, the runner is started again by its supervisor and keeps the past.
before=$(slots)
kill -9 "$(cat "$state/tasks/hi/runner.lock")"
for _ in $(seq 40); do sleep 0.5; [ "$(slots)" -gt "$before" ] && break; done
[ "$(slots)" -gt "$before" ] || fail "the new runner started its history over ($(slots) slots, $before before)"

# A dashboard started now draws that past at once: more columns than the
# second it has watched could give.
tmux_start 100 30 "$MIGTOP_BIN --backend local --state-dir $state"
see 'hi +.*Running' 20
tmux_keys Enter
see 'lag, last 10 minutes' 10
cols=$(tmux_screen | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
i = next(k for k, l in enumerate(lines) if "lag, last 10 minutes" in l)
rows = [l.split("\u2524", 1)[1] if "\u2524" in l else "" for l in lines[i + 1:i + 4]]
w = max(len(r) for r in rows)
print(sum(1 for c in range(w) if any(c < len(r) and r[c] != " " for r in rows)))')
[ "$cols" -ge 3 ] || fail "the chart shows $cols columns of the past: $(tmux_screen)"
echo PASS
