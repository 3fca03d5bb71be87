#!/usr/bin/env bash
# The create wizard and the terminate flow on the local engine, driven in
# tmux at 80x24 as a person would, against two real PostgreSQL servers
# whose migration role logs in with a scram password:
#  - a bad task name and a wrong password are refused where they are typed,
#    the password's failure named by pgprobe (wrong-password);
#  - the objects browser lists the source's schemas and tables; a whole
#    schema is selected with space;
#  - the review shows the precheck and the object, password masked; Enter
#    creates the task and opens its detail; the task copies the rows and
#    streams a later insert (CDC Running);
#  - T, the name typed to confirm, terminates it and the source is checked
#    until the slot and the publication are gone;
#  - ? inside the wizard lists its keys (and types '?' in a text field);
#  - --readonly refuses c and T and says why;
#  - the passwords typed never appear on any screen.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"

SRC_PW='Src-pw_0rchid!'
SINK_PW='Snk-pw_t4ngo#'
pgc_start src
pgc_start sink
pgc_psql src -d postgres -c "CREATE ROLE mig LOGIN REPLICATION SUPERUSER PASSWORD '$SRC_PW'" >/dev/null
pgc_psql sink -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER PASSWORD '$SINK_PW'" >/dev/null
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE TABLE public.orders (id int PRIMARY KEY, item text, qty int);
INSERT INTO public.orders SELECT g, 'item ' || g, g % 7 FROM generate_series(1, 5000) g;
CREATE TABLE public.customers (id int PRIMARY KEY, name text);
INSERT INTO public.customers SELECT g, 'c' || g FROM generate_series(1, 300) g;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id bigserial PRIMARY KEY, what text);
ANALYZE;
SQL

# see REGEX [SECS]: waits for the screen, and keeps it for the password check.
# field TEXT: replaces the focused field's text.
field() { tmux_keys C-u; tmux_type "$1"; }

tmux_start 80 24 "$MIGTOP_BIN --backend local --state-dir $state"
see 'no migration tasks|NAME'
# The help lists the wizards' keys.
tmux_keys '?'
see 'this help'
tmux_keys G
see 'create a migration task'
see 'terminate the selected task'
see 'cut over the selected task'
tmux_keys Escape
see 'c create'
tmux_keys c
see 'create a migration task'
see 'Backend +\[local\]'
# ? inside the wizard: its own keys and the frame's; any key returns.
tmux_keys '?'
see 'Keys of this wizard'
see 'Ctrl-T +source and sink steps: test the connection'
see 'Esc +back a step'
tmux_keys x
see 'Backend +\[local\]'
tmux_screen | grep -q 'Keys of this wizard' && fail "the keys page did not close"
tmux_keys Enter
see '> Task name'
# In a text field ? is a character, not a question.
tmux_type 'a?'
see 'Task name +a\?'
tmux_screen | grep -q 'Keys of this wizard' && fail "? in a text field opened the keys"
tmux_keys BSpace BSpace
tmux_type 'Bad_Name'
see 'Task name +Bad_Name'
tmux_screen | grep -q 'lower case\|RFC 1123\|invalid' || { tmux_snap; fail "no error under a bad name"; }
tmux_keys Enter
see 'fix the field'
field 'wiz-e2e'
tmux_keys Enter
see 'Template +\[migtop-local-pg2pg\]'
tmux_keys Enter
see '> Host'

# The source: a wrong password first.
tmux_type 127.0.0.1; tmux_keys Tab
field "$(pgc_port src)"; tmux_keys Tab
tmux_type postgres; tmux_keys Tab
tmux_type mig; tmux_keys Tab
tmux_type 'not-the-password'
see 'Password +\*{16}'
tmux_keys Enter
see 'wrong-password' 20
tmux_screen | grep -q 'Source' || fail "left the source step on a failed test"
field "$SRC_PW"
tmux_keys Enter
see '> Host' 20
see 'source: connected to mig@127.0.0.1' 5

# Esc goes back with what was typed kept (the password still masked), and
# the source, tested with these values, is not tested again.
tmux_keys Escape
see 'Host +127.0.0.1'
see 'User +mig'
see 'Password +\*{14}'
# Too small a terminal says so; enlarged, the wizard is as it was.
tmux_resize 50 14
see 'terminal too small'
tmux_resize 80 24
see 'Host +127.0.0.1'
tmux_keys Enter
see '> Host' 5
tmux_screen | grep -q 'step 5 of 8: Sink' || { tmux_snap; fail "Enter did not go on to the sink"; }

# The sink.
tmux_type 127.0.0.1; tmux_keys Tab
field "$(pgc_port sink)"; tmux_keys Tab
tmux_type postgres; tmux_keys Tab
tmux_type mig; tmux_keys Tab
tmux_type "$SINK_PW"
tmux_keys Enter
see 'Objects +0 of 3 selected' 20
see '\[ \] audit'
see 'orders +.*~5000 rows'
tmux_keys Enter
see 'select at least one'
# Filter to the public schema, select it whole.
tmux_keys /; tmux_type pub; tmux_keys Enter
see '/pub'
tmux_keys g Space
see 'Objects +2 of 3 selected'
see '\[x\] orders'
tmux_keys Escape
see '\[ \] audit'
tmux_keys Enter
see '> precheck'
tmux_screen | grep -q 'always on' || fail "init-data is not shown as always on"
tmux_keys Enter
see 'precheck passed' 30
see 'Precheck'
# The object: scroll to the endpoints; the password is masked.
for _ in 1 2 3 4 5; do tmux_keys NPage; sleep 0.2; tmux_snap >/dev/null; done
ok=0
for _ in $(seq 12); do
  if tmux_screen | grep -q "password: '\*\*\*\*'\|password: \"\*\*\*\*\"\|password: \*\*\*\*"; then ok=1; break; fi
  tmux_keys PPage; sleep 0.2; tmux_snap >/dev/null
done
[ "$ok" = 1 ] || { tmux_snap; fail "the review shows no masked password"; }
tmux_keys Enter
see 'task wiz-e2e' 20
see 'created wiz-e2e' 5

# The task runs: rows copied, then CDC streaming, as its detail shows.
et_wait_status wiz-e2e 'status=Running' 90
see 'Running' 15
pgc_psql src -d postgres -c "INSERT INTO public.orders VALUES (5001, 'after the copy', 1)" >/dev/null
for _ in $(seq 50); do
  [ "$(pgc_psql sink -d postgres -Atc "SELECT count(*) FROM public.orders WHERE id = 5001")" = 1 ] && break
  sleep 0.2
done
for t in public.orders public.customers; do
  [ "$(et_fingerprint src $t)" = "$(et_fingerprint sink $t)" ] || fail "$t differs"
done
[ -z "$(pgc_psql sink -d postgres -Atc "SELECT 1 FROM pg_namespace WHERE nspname = 'audit'")" ] \
  || fail "the audit schema was migrated though not selected"
grep -q "$SRC_PW\|$SINK_PW" "$state/tasks/wiz-e2e/spec.json" && fail "a password is in the spec"

# Terminate: the name typed to confirm.
tmux_keys T
see 'terminate a migration task'
see 'wiz_e2e_publication_for_all_tables'
tmux_type 'wiz-e2'
tmux_keys Enter
see 'type the task.s name, wiz-e2e'
# The password: the task's own pgpass has it, so none is asked.
tmux_screen | grep -q 'Password' && fail "terminate asks for a password the task holds"
tmux_type 'e'
tmux_keys Enter
see 'Cleanup' 20
see 'clean: slot wiz_e2e and publication' 60
tmux_snap >/dev/null
et_no_slot src wiz-e2e
tmux_keys Enter
see 'NAME|no migration tasks'
tmux_keys q
see 'migtop exited with 0' # under ASan: no leak, no error on the way out
tmux_cleanup

# Read-only: the keys say why they do nothing.
tmux_start 80 24 "$MIGTOP_BIN --backend local --state-dir $state --readonly"
see 'read-only'
tmux_keys c
see 'read-only mode .*creating a task'
tmux_screen | grep -q 'create a migration task' && fail "--readonly opened the create wizard"
tmux_keys q
see 'migtop exited with 0'
tmux_cleanup

# The passwords never reached the screen.
n=$(ls "$TMUX_SCREENS" | wc -l)
[ "$n" -gt 20 ] || fail "only $n screens kept"
if grep -l -e "$SRC_PW" -e "$SINK_PW" -e 'not-the-password' "$TMUX_SCREENS"/*; then
  fail "a password was drawn"
fi
echo "PASS ($n screens checked)"
