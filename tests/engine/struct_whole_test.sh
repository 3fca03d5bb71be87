#!/usr/bin/env bash
# Structure and data, whole: a schema of every object kind (with quoted,
# mixed-case names) migrated by schema arrives complete and equal by
# definition and by data (partitions attached as on the source, views and
# functions callable, materialized views populated, sequences at the
# source's values, comments, collations, the extensions the objects use,
# large objects of 0 bytes, 1 byte and 20 MB, one shared by two rows);
# what cannot be migrated is named with why; a table migrated alone brings
# what it depends on and nothing else; and the precheck names an extension
# the sink cannot create, with the object that needs it.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"
source "$MIGTOP_SOURCE_DIR/tests/support/pgversions.sh"

et_pair
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA lib;
CREATE FUNCTION lib.next_code(int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'C-' || $1 $$;
CREATE SCHEMA other;
CREATE TABLE other.outside (id int PRIMARY KEY);
CREATE SCHEMA "Shop App";
SET search_path = "Shop App";
CREATE EXTENSION "uuid-ossp" SCHEMA "Shop App";
CREATE EXTENSION intarray SCHEMA "Shop App";
CREATE COLLATION "Fr" (provider = icu, locale = 'fr-FR');
CREATE TYPE "Mood" AS ENUM ('ok', 'bad');
CREATE DOMAIN "Positive" AS int CHECK (VALUE > 0);
CREATE TYPE "Pair" AS (a int, b text);
CREATE TYPE "Span" AS RANGE (subtype = int);
CREATE FUNCTION "Check Name"(text) RETURNS bool LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN length($1) > 0; END $$;
CREATE FUNCTION "Touch"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := true; RETURN NEW; END $$;
CREATE FUNCTION "Add"(int, int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $2 $$;
CREATE AGGREGATE "Total"(int) (sfunc = "Add", stype = int, initcond = '0');
CREATE FUNCTION "Same"(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$ SELECT $1 = $2 $$;
CREATE OPERATOR === (leftarg = int, rightarg = int, function = "Same");
CREATE SEQUENCE "Ticket Seq" START 100;
SELECT setval('"Ticket Seq"', 4242);
CREATE TABLE "Orders" (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  code text DEFAULT lib.next_code(7),
  name text COLLATE "Fr" CHECK ("Check Name"(name)),
  mood "Mood", qty "Positive", pair "Pair", span "Span", tags int[],
  ticket int DEFAULT nextval('"Ticket Seq"'),
  n serial, touched bool DEFAULT false);
CREATE PROCEDURE "Bump"(n int) LANGUAGE sql AS $$ UPDATE "Orders" SET qty = qty + n $$;
CREATE TRIGGER "Touch It" BEFORE UPDATE ON "Orders" FOR EACH ROW EXECUTE FUNCTION "Touch"();
CREATE INDEX "Orders tags" ON "Orders" USING gin (tags gin__int_ops);
COMMENT ON TABLE "Orders" IS 'the orders';
COMMENT ON COLUMN "Orders".qty IS 'how many';
COMMENT ON FUNCTION "Add"(int, int) IS 'adds';
INSERT INTO "Orders" (name, mood, qty, pair, span, tags)
  SELECT 'n' || g, 'ok', g, ROW(g, 'p'::text)::"Pair", "Span"(g, g + 5), ARRAY[g, g + 1] FROM generate_series(1, 300) g;
ALTER TABLE "Orders" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Own" ON "Orders" USING (true);
CREATE RULE "No Delete Of One" AS ON DELETE TO "Orders" WHERE OLD.qty = 1 DO INSTEAD NOTHING;
CREATE TABLE "Payment" (id int, at date, amount numeric, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE "Payment 2025" PARTITION OF "Payment" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
  PARTITION BY HASH (id);
CREATE TABLE "Payment 2025 a" PARTITION OF "Payment 2025" FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE "Payment 2025 b" PARTITION OF "Payment 2025" FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE "Payment Rest" PARTITION OF "Payment" DEFAULT;
INSERT INTO "Payment" SELECT g, date '2025-01-01' + g, g * 1.5 FROM generate_series(1, 500) g;
CREATE VIEW "Big Orders" AS SELECT id, name, qty FROM "Orders" WHERE qty > 100;
CREATE VIEW "Bigger" AS SELECT * FROM "Big Orders" WHERE qty > 200;
CREATE VIEW "Sees Outside" AS SELECT id FROM other.outside;
CREATE MATERIALIZED VIEW "Totals" AS SELECT mood, "Total"(qty) AS total FROM "Orders" GROUP BY mood;
CREATE MATERIALIZED VIEW "Totals Again" AS SELECT * FROM "Totals";
CREATE TABLE "Images" (id int PRIMARY KEY, data oid);
INSERT INTO "Images" VALUES (1, lo_from_bytea(0, '')), (2, lo_from_bytea(0, 'x')),
  (3, lo_from_bytea(0, decode(repeat(md5('big'), 1310720), 'hex')));
INSERT INTO "Images" SELECT 4, data FROM "Images" WHERE id = 3;
SQL
pgc_psql sink -d postgres -c "CREATE DATABASE single" >/dev/null

# --- the schema, whole ------------------------------------------------------
"$tool" create "$state" whole "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"Shop App"' 'precheck=true,init-struct=true,init-data=true,cdc=false'
et_wait_status whole 'status=(Done|Failed)' 120
et_show whole | grep -q 'status=Done' || {
  tail -n 30 "$state/tasks/whole/"*.log >&2; fail "the whole schema: $(et_show whole)"; }

# Every object, by its definition: the same list on both sides.
defs() {
  pgc_psql "$1" -d "${2:-postgres}" -At <<'SQL'
SELECT 'rel ' || c.relname || ' ' || c.relkind::text || coalesce(' bound ' || pg_get_expr(c.relpartbound, c.oid), '')
  || coalesce(' parent ' || (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid), '')
  || coalesce(' view ' || pg_get_viewdef(c.oid), '')
 FROM pg_class c WHERE c.relnamespace = '"Shop App"'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I')
UNION ALL SELECT 'proc ' || pg_get_functiondef(p.oid) FROM pg_proc p
 WHERE p.pronamespace = '"Shop App"'::regnamespace AND p.prokind <> 'a'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL SELECT 'agg ' || p.proname FROM pg_proc p WHERE p.pronamespace = '"Shop App"'::regnamespace AND p.prokind = 'a'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL SELECT 'type ' || t.typname || ' ' || t.typtype::text FROM pg_type t
 WHERE t.typnamespace = '"Shop App"'::regnamespace AND t.typtype IN ('e', 'd', 'c', 'r')
   AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
UNION ALL SELECT 'collation ' || collname || ' ' || collprovider::text || ' ' || coalesce(colliculocale, collcollate)
 FROM pg_collation WHERE collnamespace = '"Shop App"'::regnamespace
UNION ALL SELECT 'operator ' || oprname FROM pg_operator WHERE oprnamespace = '"Shop App"'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = pg_operator.oid AND d.deptype = 'e')
UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname IN ('uuid-ossp', 'intarray')
UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgrelid = '"Shop App"."Orders"'::regclass AND NOT tgisinternal
UNION ALL SELECT 'policy ' || polname FROM pg_policy
UNION ALL SELECT 'rule ' || rulename FROM pg_rules WHERE schemaname = 'Shop App'
UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = '"Shop App"'::regnamespace
UNION ALL SELECT 'comment ' || obj_description('"Shop App"."Orders"'::regclass) || ' '
  || col_description('"Shop App"."Orders"'::regclass, 5) || ' '
  || obj_description('"Shop App"."Add"(int, int)'::regprocedure)
UNION ALL SELECT 'rls ' || relrowsecurity FROM pg_class WHERE oid = '"Shop App"."Orders"'::regclass
ORDER BY 1
SQL
}
defs src >"$work/defs.src"
defs sink >"$work/defs.sink"
diff -u "$work/defs.src" "$work/defs.sink" | grep -v 'Sees Outside' >"$work/defs.diff" || true
grep -q '^[-+][a-z]' "$work/defs.diff" && { cat "$work/defs.diff" >&2; fail "the sink's objects differ"; }
for kind in 'rel Payment p' 'parent Payment 2025' 'view ' 'rel Totals m' 'proc ' 'agg Total' \
            'type Mood e' 'type Positive d' 'collation Fr i fr-FR' 'operator ===' 'extension intarray' \
            'extension uuid-ossp' 'trigger Touch It' 'policy Own' 'rule No Delete Of One'; do
  grep -q "$kind" "$work/defs.sink" || fail "no $kind on the sink"
done
echo "every object of the schema is on the sink, equal by definition"

q() { pgc_psql "$1" -d postgres -Atc "SET search_path = \"Shop App\", public; $2"; }
for sql in 'SELECT count(*) FROM "Bigger"' 'SELECT "Total"(qty) FROM "Orders"' 'SELECT 3 === 3' \
           'SELECT * FROM "Totals" ORDER BY 1' 'SELECT count(*) FROM "Totals Again"' \
           "SELECT last_value FROM \"Ticket Seq\"" "SELECT last_value FROM \"Orders_n_seq\"" \
           'SELECT count(*), sum(amount) FROM "Payment"' 'SELECT count(*) FROM "Payment 2025 b"' \
           "SELECT md5(string_agg(id::text || name || code, ',' ORDER BY id)) FROM \"Orders\""; do
  a=$(q src "$sql"); b=$(q sink "$sql")
  [ "$a" = "$b" ] || fail "$sql: source $a, sink $b"
done
[ "$(q sink 'SELECT count(*) FROM "Totals"')" -gt 0 ] || fail "the materialized view holds no rows"
q sink 'CALL "Bump"(1)' >/dev/null || fail "the procedure cannot be called on the sink"
echo "views, functions, procedure, aggregate, operator, sequences, matviews work on the sink"

# Large objects: every one, byte-equal, the shared one once.
lobs() { pgc_psql "$1" -d postgres -Atc "SELECT oid, length(lo_get(oid)), md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid"; }
[ "$(lobs src)" = "$(lobs sink)" ] || fail "large objects differ: $(lobs sink)"
[ "$(lobs sink | wc -l)" = 3 ] || fail "not 3 large objects on the sink"
grep -q 'large objects: 3 (.*) referenced by "Shop App"."Images".data: copied with the tables; their changes after init-data are not streamed' \
  "$state/tasks/whole/init-data.log" || fail "no word on the large objects in the log"
grep -q 'check source.large_objects: warn: .*3 large object(s) on the source, referenced by "Shop App"."Images".data' \
  "$state/tasks/whole/precheck.log" || fail "the precheck does not warn about the large objects"
# describe (as the detail pane) says both: what was not migrated, what CDC does not carry.
XDG_STATE_HOME=$work/xdg "$bin" describe whole --backend local --state-dir "$state" >"$work/desc.out"
sed -n '/^Warnings:/,$p' "$work/desc.out"
grep -q '^  not migrated: view "Shop App"."Sees Outside": needs other.outside' "$work/desc.out" ||
  fail "describe does not warn about what was not migrated"
grep -q '^  large objects: 3 (20.0 MiB) referenced by .*not streamed' "$work/desc.out" ||
  fail "describe does not warn about the large objects"

# Changed after init-data: validation names them (CDC would not carry them).
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT lo_put(data, 0, 'y') FROM "Shop App"."Images" WHERE id = 2;
INSERT INTO "Shop App"."Images" VALUES (5, lo_from_bytea(0, 'new'));
SQL
pgc_psql sink -d postgres -c "INSERT INTO \"Shop App\".\"Images\" VALUES (5, $(pgc_psql src -d postgres -Atc 'SELECT data FROM "Shop App"."Images" WHERE id = 5'))" >/dev/null
set +e
"$bin" validate --source "$(et_endpoint src mig src-pw)" --sink "$(et_endpoint sink mig sink-pw)" \
  --migration-object '"Shop App"."Images"' --full >"$work/val.out" 2>&1
rc=$?
set -e
cat "$work/val.out"
changed=$(pgc_psql src -d postgres -Atc 'SELECT data FROM "Shop App"."Images" WHERE id = 2')
added=$(pgc_psql src -d postgres -Atc 'SELECT data FROM "Shop App"."Images" WHERE id = 5')
[ "$rc" = 1 ] || fail "validate exited $rc with large objects changed"
grep -q "large objects: 4 on the source (.*), 3 on the sink, 1 changed (oid $changed), 1 missing on the sink (oid $added)" \
  "$work/val.out" || fail "validate does not name the changed and the missing large object"

# Named, not silent: the summary, and the view that needs a table left out.
python3 - "$state/tasks/whole/status.json" <<'PY' || fail "no structure summary in the status"
import json, sys
m = json.load(open(sys.argv[1]))["initialization"]["metrics"]
s, k = m.get("structure", ""), m.get("structure_skipped", "")
print("structure:", s); print("skipped:", k)
assert "(1 partitioned)" not in s and "partitioned" in s and "views" in s and "materialized views" in s, s
assert "aggregate" in s and "extensions" in s and "collation" in s, s
assert "Sees Outside" in k and "other.outside" in k and "not migrated" in k, k
PY

# --- one table alone: what it needs, nothing else --------------------------
"$tool" create "$state" single "$(et_endpoint src mig src-pw)" \
  "mig:sink-pw@127.0.0.1:$(pgc_port sink)/single" '"Shop App"."Orders"' \
  'precheck=true,init-struct=true,init-data=true,cdc=false'
et_wait_status single 'status=(Done|Failed)' 90
et_show single | grep -q 'status=Done' || fail "one table: $(et_show single)"
has() { pgc_psql sink -d single -Atc "$1"; }
[ "$(has "SELECT count(*) FROM \"Shop App\".\"Orders\"")" = 300 ] || fail "Orders not copied alone"
for obj in "SELECT 1 FROM pg_type WHERE typname = 'Mood'" \
           "SELECT 1 FROM pg_proc WHERE proname = 'next_code'" \
           "SELECT 1 FROM pg_proc WHERE proname = 'Check Name'" \
           "SELECT 1 FROM pg_collation WHERE collname = 'Fr'" \
           "SELECT 1 FROM pg_extension WHERE extname = 'uuid-ossp'" \
           "SELECT 1 FROM pg_class WHERE relname = 'Ticket Seq'"; do
  [ -n "$(has "$obj")" ] || fail "one table: not on the sink: $obj"
done
[ -z "$(has "SELECT 1 FROM pg_class WHERE relname IN ('Big Orders', 'Payment', 'Totals')")" ] ||
  fail "one table brought objects it does not need"
echo "a table alone brings its types, domain, collation, functions, extension and sequence"

# --- the precheck: an extension the sink cannot create ----------------------
npm_bin=$(pgv_bin 15) || fail "no PostgreSQL 15 from npm"
nosuch=$work/pg-no-uuid
cp -al "$(dirname "$npm_bin")" "$nosuch"
rm -f "$nosuch"/share/postgresql/extension/uuid-ossp*
chmod -R a+rX "$nosuch"
PGC_BIN=$nosuch/bin pgc_start bare
pgc_psql bare -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER PASSWORD 'sink-pw'" >/dev/null
set +e
"$bin" precheck --source "$(et_endpoint src mig src-pw)" \
  --sink "mig:sink-pw@127.0.0.1:$(pgc_port bare)/postgres" \
  --migration-object '"Shop App"."Orders"' >"$work/pre.out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "precheck with uuid-ossp missing on the sink exited $rc"
grep -A3 'sink.extension.uuid-ossp' "$work/pre.out" | grep -q 'not available on the sink at all' ||
  { cat "$work/pre.out" >&2; fail "the precheck does not fail on uuid-ossp"; }
grep -A3 'sink.extension.uuid-ossp' "$work/pre.out" | grep -q 'needed by default value for column id of table "Shop App"."Orders"' ||
  { grep -A4 'uuid-ossp' "$work/pre.out" >&2; fail "the precheck does not name what needs uuid-ossp"; }
echo "struct whole: ok"
