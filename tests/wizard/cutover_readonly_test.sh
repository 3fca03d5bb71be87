#!/usr/bin/env bash
# Gate 3's pause and the end of a cutover, in tmux at 80x24 on a live
# local task, with a writer that holds one session open (psql reading
# statements from a pipe) and a pooled writer (one session, idle between
# its transactions, as a pool keeps it):
#  - E lists the sessions that can write (role, application, address,
#    what they ran), with superusers' left alone; a stray key cancels and
#    says so; y pauses: the database read-only for new sessions and both
#    sessions ended; gate 3 passes only once no write is seen;
#  - Q before the switch resumes the writes (the setting as it was) and
#    says so; a second run makes a second report;
#  - the second run goes through the countdown to the switch: after it,
#    Esc, Q, q, E undo nothing: the source stays read-only, the report
#    says "switched", and migtop's own sessions still work there
#    (terminate drops the slot on the paused source);
#  - cutover --resume-writes refuses after the switch unless asked.
set -euo pipefail
ENGINE_TUI_STATE=default # the dashboard's own state dir
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/support/cutover_tui.sh"
export MIGTOP_CUTOVER_STABLE_S=3

et_pair "wal_sender_timeout = 10s"
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE ROLE billing LOGIN PASSWORD 'b-pw';
CREATE ROLE pooler LOGIN PASSWORD 'p-pw';
CREATE TABLE public.acct (id int PRIMARY KEY, bal int NOT NULL);
INSERT INTO public.acct SELECT g, 100 FROM generate_series(1, 1000) g;
GRANT ALL ON public.acct TO billing, pooler;
SQL
et_pair_task ro
ro_setting() { pgc_psql src -d postgres -Atc "SHOW default_transaction_read_only"; }

# The writer that keeps its session: statements from a pipe, two a second.
pipe_writer "$work/billing.fifo" shop billing b-pw "$(pgc_port src)" \
  "UPDATE acct SET bal = bal + 1 WHERE id = (%d %% 1000) + 1;" 0.5
# The pooled writer: one session, idle in between.
python3 - "$(pgc_port src)" "$work/pooler.out" <<'PY' &
import socket, subprocess, sys, time
port, out = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", port, "-U", "pooler", "-d", "postgres"],
                     stdin=subprocess.PIPE, stdout=open(out, "w"), stderr=subprocess.STDOUT, text=True,
                     env={"PGPASSWORD": "p-pw", "PGAPPNAME": "pool", "PATH": "/usr/bin:/bin"})
i = 0
try:
    while p.poll() is None:
        p.stdin.write(f"UPDATE acct SET bal = bal - 1 WHERE id = {i % 1000 + 1};\n")
        p.stdin.flush()
        i += 1
        time.sleep(0.2)
except BrokenPipeError:
    pass
PY
ET_PIDS+=($!)
sleep 1

tmux_start 80 24 "$MIGTOP_BIN --backend local"
see 'ro +.*Running' 20
tmux_keys x
see 'Gate 1: Task healthy +pass' 15
tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 30
tmux_keys Enter
see 'Gate 3: Business writes paused +FAIL' 10

echo "== E lists the writers; a stray key cancels"
tmux_keys E
see 'Pause the writes\?' 10
flat | grep -q 'shop@127.0.0.1 (role billing' || fail "the list does not name the billing session: $(flat)"
flat | grep -q 'pool@127.0.0.1 (role pooler' || fail "the list does not name the pooled session: $(flat)"
sleep 2 # the question stays while readings come and go
tmux_screen | grep -q 'Pause the writes?' || fail "the question vanished before it was answered"
tmux_keys x
see 'not paused: only y pauses the writes' 5
[ "$(ro_setting)" = off ] || fail "a stray key paused the writes"

echo "== y pauses: read-only, both sessions ended, then gate 3 passes"
tmux_keys E
see 'Pause the writes\?' 10
tmux_keys y
see 'writes paused: postgres is read-only for new sessions and 2 session' 15
[ "$(ro_setting)" = on ] || fail "new sessions on the source are not read-only"
set +e
out=$(PGPASSWORD=b-pw psql -X -h 127.0.0.1 -p "$(pgc_port src)" -U billing -d postgres -c "UPDATE acct SET bal = 0 WHERE id = 1" 2>&1)
set -e
grep -q 'read-only transaction' <<<"$out" || fail "a write still went through: $out"
see 'Gate 3: Business writes paused +pass' 30
et_show ro | grep -q 'status=Running' || fail "CDC stopped: $(et_show ro)"

echo "== Q before the switch resumes the writes"
tmux_keys Q
see 'cutover aborted at gate 3, writes resumed on the source' 15
[ "$(ro_setting)" = off ] || fail "the writes were not resumed"
[ "$(ls "$state"/cutover/ro-cutover-*.md | wc -l)" = 1 ] || fail "not one report after the first run"

echo "== a second run to the switch"
exec {PIPE_FD}>&-
tmux_keys x
see 'Gate 1: Task healthy +pass' 15
tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 30
tmux_keys Enter
tmux_keys E
see 'Pause the writes\?' 10
tmux_keys y
# The pause's own message, not the gate's title ("Business writes paused"):
# with no writer left the gate can pass before the pause has ended, and an
# Enter then is refused as "still pausing", a refusal the pause's news
# replaces on the status line.
see 'writes paused: postgres is read-only for new sessions' 15
see 'Gate 3: Business writes paused +pass' 30
tmux_keys Enter
# The gate may read a write again just as Enter comes (the machine's own
# commits, an autovacuum, under the sanitizers' load): then Enter is
# refused and the refusal says why, on screen (it was wiped by the next
# reading once); on the next pass a second Enter moves on.
if ! tmux_wait 'Gate 4: Stable +(wait|reading)' 10; then
  tmux_screen | grep -q 'gate 3 does not pass' || fail "Enter on gate 3 neither moved on nor said why"
  see 'Gate 3: Business writes paused +pass' 30
  tmux_keys Enter
  see 'Gate 4: Stable +(wait|reading)' 10
fi
tmux_screen | grep -q 'Gate 4: Stable +FAIL' && fail "the countdown shows as a failure"
see 'Gate 4: Stable +pass' 30
tmux_screen | grep -Eq 'stable for ([4-9]|[1-9][0-9]+) of 3 s' && fail "the countdown reads past its end"
tmux_keys Enter
see 'Gate 5: Sequences +(pass|FAIL)' 20
tmux_keys Enter
see 'Gate 6: Validation +(pass|FAIL)' 30
tmux_screen | grep -q 'Gate 6: Validation +FAIL' && { tmux_keys o; tmux_type 'test'; }
tmux_keys Enter
cut_switch stray
see 'report: ' 5
# After the switch Q, E and a stray key undo nothing: the page stays, says
# so, and the source stays read-only; Esc closes it.
for k in Q E x; do
  tmux_keys "$k"
  see 'the cutover is done and recorded; nothing here undoes it' 5
  tmux_screen | grep -q 'Cutover done' || fail "$k left the done page"
done
[ "$(ro_setting)" = on ] || fail "a key after the switch resumed the writes"
tmux_keys Escape
see 'cutover done; report' 5
see 'ro +.*Running' 10
[ "$(ro_setting)" = on ] || fail "closing the wizard resumed the writes"
reports=$(ls "$state"/cutover/ro-cutover-*.md | wc -l)
[ "$reports" = 2 ] || fail "$reports reports after two runs"
last=$(ls -t "$state"/cutover/ro-cutover-*.json | head -1)
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["outcome"].startswith("switched"), r["outcome"]' "$last"
for f in "$state"/cutover/ro-cutover-*; do
  [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not owner-only"
done

echo "== after the switch: resume refused unless asked; terminate works on the paused source"
set +e
out=$("$bin" cutover ro --backend local --state-dir "$state" --resume-writes 2>&1)
rc=$?
set -e
echo "$out"
[ "$rc" = 1 ] && grep -q 'was switched to the sink at' <<<"$out" || fail "resume after the switch was not refused"
tmux_keys T
see 'terminate a migration task'
tmux_type ro; tmux_keys Enter
see 'clean: slot ro and publication' 60
et_no_slot src ro
[ "$(ro_setting)" = on ] || fail "terminate changed the pause"
PGPASSWORD=src-pw "$bin" cutover ro --backend local --state-dir "$state" --resume-writes --after-switch ||
  fail "--resume-writes --after-switch, the task gone"
[ "$(ro_setting)" = off ] || fail "the writes were not resumed"
tmux_keys Enter q
see 'migtop exited with 0'
grep -rl 'b-pw\|p-pw\|src-pw\|sink-pw' "$TMUX_SCREENS" "$state"/cutover && fail "a password was shown or saved"
echo PASS
