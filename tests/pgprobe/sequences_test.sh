#!/usr/bin/env bash
# migtop sequences against two real PostgreSQL 15 servers: the plan for
# sequences in a schema named with upper case and a space and with quotes
# in a name, is_called=false kept, a descending sequence, apply and
# verify, the margin, a sink left ahead, a needed sequence missing on the
# sink, and one outside the objects that is only noted.
set -euo pipefail
. "$MIGTOP_SOURCE_DIR/tests/support/pgcluster.sh"
cleanup() { pgc_cleanup; }
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

pgc_start src
pgc_start snk
SRC="postgresql://postgres@127.0.0.1:$(pgc_port src)/postgres"
SNK="postgresql://postgres@127.0.0.1:$(pgc_port snk)/postgres"

schema='CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Order ""Items""" (id serial PRIMARY KEY, v text);
CREATE SEQUENCE "My Schema"."Seq ""q""";
CREATE SEQUENCE "My Schema"."DESC seq" INCREMENT -1;
CREATE TABLE public.t (id bigserial PRIMARY KEY);'
pgc_psql src -c "$schema" -c 'CREATE SEQUENCE public.other_seq;'
pgc_psql snk -c "$schema"

pgc_psql src -c "SELECT nextval('\"My Schema\".\"Order \"\"Items\"\"_id_seq\"') FROM generate_series(1, 5);
SELECT setval('\"My Schema\".\"Seq \"\"q\"\"\"', 42, false);
SELECT nextval('\"My Schema\".\"DESC seq\"') FROM generate_series(1, 3);
SELECT nextval('public.t_id_seq') FROM generate_series(1, 7);
SELECT nextval('public.other_seq');" >/dev/null

OBJS=(--migration-object '"My Schema"' --migration-object 'public.t')
run() { "$MIGTOP_BIN" sequences --source "$SRC" --sink "$SNK" "${OBJS[@]}" "$@"; }
sink_val() { pgc_psql snk -At -c "SELECT last_value || ' ' || is_called FROM $1"; }

# Preview: differences exit 1; the plan quotes every name as quote_ident does.
set +e
out=$(run); rc=$?
set -e
echo "$out"
[ $rc = 1 ] || fail "preview with differences should exit 1, got $rc"
grep -qF "SELECT setval('\"My Schema\".\"Seq \"\"q\"\"\"'::regclass, 42, false);" <<<"$out" \
  || fail "plan line for the quoted, not-called sequence"
grep -qF "SELECT setval('\"My Schema\".\"Order \"\"Items\"\"_id_seq\"'::regclass, 5, true);" <<<"$out" \
  || fail "plan line for the serial"
grep -qF "SELECT setval('\"My Schema\".\"DESC seq\"'::regclass, -3, true);" <<<"$out" \
  || fail "plan line for the descending sequence"
grep -qF "SELECT setval('public.t_id_seq'::regclass, 7, true);" <<<"$out" \
  || fail "plan line for public.t_id_seq (no quotes needed)"
grep -q "other_seq" <<<"$out" && grep "other_seq" <<<"$out" | grep -q "not-on-sink" \
  || fail "public.other_seq is outside the objects and absent on the sink: noted"
[ "$(sink_val '"My Schema"."Seq ""q"""')" = "1 false" ] || fail "preview must not change the sink"

# Apply: one transaction, re-read, verified; exit 0.
run --apply -o json >apply.json || fail "apply should exit 0"
python3 - apply.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] and r["applied"], r
by = {(s["schema"], s["name"]): s for s in r["sequences"]}
q = by[("My Schema", 'Seq "q"')]
assert q["state"] == "setval" and q["verified"], q
assert q["after"] == {"last_value": 42, "last_value_text": "42", "is_called": False}, q
assert by[("public", "other_seq")]["state"] == "not-on-sink"
assert not by[("public", "other_seq")]["needed"]
assert by[("public", "t_id_seq")]["needed"]
EOF
[ "$(sink_val '"My Schema"."Seq ""q"""')" = "42 false" ] || fail "is_called=false kept"
[ "$(pgc_psql snk -At -c "SELECT nextval('\"My Schema\".\"Seq \"\"q\"\"\"')")" = 42 ] \
  || fail "the sink's next value is the source's next value"
[ "$(pgc_psql snk -At -c "SELECT nextval('\"My Schema\".\"Order \"\"Items\"\"_id_seq\"')")" = 6 ] \
  || fail "serial continues after the source's last value"
[ "$(pgc_psql snk -At -c "SELECT nextval('public.t_id_seq')")" = 8 ] || fail "bigserial"
[ "$(sink_val '"My Schema"."DESC seq"')" = "-3 true" ] || fail "descending sequence"

# The sink used the sequences above (nextval): it is now ahead there, and
# is left alone; everything else in sync: exit 0.
out=$(run) || fail "in sync (some ahead) should exit 0: $out"
grep -F '"My Schema"."Seq ""q"""' <<<"$out" | grep -q sink-ahead || fail "sink-ahead shown"
grep -F '"My Schema"."DESC seq"' <<<"$out" | grep -q in-sync || fail "in-sync shown"

# Margin: N values further in each sequence's direction.
run --apply --margin 100 >/dev/null || fail "apply with margin"
[ "$(sink_val '"My Schema"."DESC seq"')" = "-103 true" ] || fail "margin goes down for a descending sequence"
[ "$(sink_val 'public.t_id_seq')" = "107 true" ] || fail "margin on public.t_id_seq"
[ "$(sink_val '"My Schema"."Seq ""q"""')" = "142 false" ] || fail "margin keeps is_called=false"

# A target past the sink sequence's bounds is refused before anything runs.
pgc_psql snk -c 'ALTER SEQUENCE "My Schema"."DESC seq" MINVALUE -150' >/dev/null
set +e
out=$(run --margin 200 --apply 2>&1); rc=$?
set -e
[ $rc = 1 ] || fail "out of range should exit 1, got $rc"
grep -qF 'error: "My Schema"."DESC seq": -203 is outside the sink sequence'"'"'s range -150..-1' <<<"$out" \
  || fail "out of range named: $out"
[ "$(sink_val 'public.t_id_seq')" = "207 true" ] || fail "the other sequences are still set"

# A needed sequence missing on the sink fails, with its name.
pgc_psql snk -c 'DROP SEQUENCE "My Schema"."Seq ""q"""'
set +e
out=$(run --margin 200 2>&1); rc=$?
set -e
[ $rc = 1 ] || fail "a needed sequence missing on the sink should exit 1, got $rc"
grep -qF 'error: "My Schema"."Seq ""q""" is missing on the sink' <<<"$out" || fail "missing named: $out"

# Bad usage and unreachable servers are told apart from differences.
set +e
"$MIGTOP_BIN" sequences --source "$SRC" --sink "$SNK" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "missing --migration-object should exit 2, got $rc"
"$MIGTOP_BIN" sequences --source "$SRC" --sink "postgresql://postgres@127.0.0.1:1/x" \
  "${OBJS[@]}" --timeout 3 >/dev/null 2>err.txt; rc=$?
set -e
[ $rc = 3 ] || fail "an unreachable sink should exit 3, got $rc"
echo "ok"
