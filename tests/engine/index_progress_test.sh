#!/usr/bin/env bash
# post-data says which index is building and how far: an index whose build
# takes seconds (an expression calling a slow function) is named with its
# table and phase in the status ("building", the initialization's
# metrics) while it builds, and the entry is gone once the step is done.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

et_pair
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 FROM pg_sleep(0.002)';
CREATE TABLE public.t (id int PRIMARY KEY, v text);
INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(1, 2000) g;
CREATE INDEX t_slow ON public.t (slow_key(id));
SQL
"$tool" create "$state" ip "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"public.t"' 'precheck=false,init-struct=true,init-data=true,cdc=false'
seen=""
for _ in $(seq 600); do
  b=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["initialization"]["metrics"].get("building",""))' \
    "$state/tasks/ip/status.json" 2>/dev/null || true)
  [ -n "$b" ] && seen=$b
  grep -q '"taskStatus":[[:space:]]*"\(Done\|Failed\)"' "$state/tasks/ip/status.json" 2>/dev/null && break
  sleep 0.1
done
et_show ip
echo "building, as reported: $seen"
grep -Eq 'status=Done' <<<"$(et_show ip)" || fail "the task did not finish"
grep -Eq '(^|; )t_slow on (public\.)?t: building index[^;]*' <<<"$seen" ||
  fail "the slow index was not named with its table and phase while it built"
python3 -c 'import json,sys; sys.exit("building" in json.load(open(sys.argv[1]))["initialization"]["metrics"])' \
  "$state/tasks/ip/status.json" || fail "the building entry stayed after the step"
echo PASS
