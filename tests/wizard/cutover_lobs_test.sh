#!/usr/bin/env bash
# Large objects and materialized views at the cutover, as a person sees
# them in tmux at 80x24: the task's detail warns that changes to large
# objects are not streamed; after one changed and one was added on the
# source, the validation gate fails naming both; L copies them again and
# the gate passes on its own re-validation; M refreshes the sink's
# materialized view so it holds the rows CDC brought. Both sides then hold
# the same large objects, byte for byte.
set -euo pipefail
ENGINE_TUI_STATE=default # the dashboard's own state dir
source "$MIGTOP_SOURCE_DIR/tests/support/engine_tui.sh"
source "$MIGTOP_SOURCE_DIR/tests/support/cutover_tui.sh"
export MIGTOP_CUTOVER_STABLE_S=2

et_pair "wal_sender_timeout = 10s"
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA app;
CREATE TABLE app.docs (id int PRIMARY KEY, body oid);
INSERT INTO app.docs VALUES (1, lo_from_bytea(0, 'one')), (2, lo_from_bytea(0, 'two')),
  (3, lo_from_bytea(0, decode(repeat('ab', 300000), 'hex')));
CREATE TABLE app.items (id int PRIMARY KEY, v int);
INSERT INTO app.items SELECT g, g FROM generate_series(1, 100) g;
CREATE MATERIALIZED VIEW app.item_totals AS SELECT count(*) AS n, sum(v) AS total FROM app.items;
SQL
et_pair_task co '"app"'

tmux_start 80 24 "$MIGTOP_BIN --backend local"
see 'co +.*Running' 20
tmux_keys Enter
see 'Warnings' 10
see 'large objects: 3' 5
see 'not streamed' 5
tmux_keys Escape

# After init-data: one large object changed, one added; rows CDC carries.
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT lo_put(body, 0, 'TWO') FROM app.docs WHERE id = 2;
INSERT INTO app.docs VALUES (4, lo_from_bytea(0, 'four'));
INSERT INTO app.items SELECT g, g FROM generate_series(101, 150) g;
SQL
changed=$(pgc_psql src -d postgres -Atc 'SELECT body FROM app.docs WHERE id = 2')
added=$(pgc_psql src -d postgres -Atc 'SELECT body FROM app.docs WHERE id = 4')

tmux_keys x
see 'Gate 1: Task healthy +pass' 20
tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 30
tmux_keys Enter
see 'Gate 3: Business writes paused +pass' 20
tmux_keys Enter
see 'Gate 4: Stable +pass' 30
tmux_keys Enter
see 'Gate 5: Sequences +(pass|FAIL)' 20
tmux_screen | grep -q 'Gate 5: Sequences +FAIL' && { tmux_keys A; see 'Gate 5: Sequences +pass' 20; }
tmux_keys Enter

see 'Gate 6: Validation +FAIL' 30
see 'L copies them' 5
flat | grep -q "1 changed (oid $changed), 1 missing on the sink (oid $added)" ||
  fail "gate 6 does not name the changed and the missing large object: $(flat)"
tmux_keys L
see '2 large objects copied again' 30
see 'Gate 6: Validation +pass' 30
see 'large objects: 4 on the source .*4 on the sink, all' 5

[ "$(pgc_psql sink -d postgres -Atc 'SELECT n FROM app.item_totals')" = 100 ] ||
  fail "the sink's materialized view was already refreshed?"
tmux_keys M
see '1 materialized view refreshed' 30
see 'Gate 6: Validation +pass' 30
[ "$(pgc_psql sink -d postgres -Atc 'SELECT n, total FROM app.item_totals')" = "150|11325" ] ||
  fail "the sink's materialized view does not hold the new rows"

lobs() { pgc_psql "$1" -d postgres -Atc "SELECT oid, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid"; }
[ "$(lobs src)" = "$(lobs sink)" ] || fail "large objects differ: $(lobs src) / $(lobs sink)"

tmux_keys Q
see 'cutover aborted at gate 6' 10
ev=$(ls "$state"/cutover/co-cutover-*.json)
python3 - "$ev" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ev = " | ".join(e["what"] for e in r["events"])
for want in ("copying 2 large objects again", "2 large objects copied again",
             "1 materialized view refreshed"):
    assert want in ev, (want, ev)
PY
tmux_keys q
see 'migtop exited with 0'
echo PASS
