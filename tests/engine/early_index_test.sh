#!/usr/bin/env bash
# A big table's index builds start as soon as its copy ends, while the
# other tables still copy, and post-data waits for them before what needs
# them. One worker copies big_a (the largest, first), then big_b, then the
# small ones; big_a has its primary key and an index that takes seconds
# to build (a slow function, 1000 rows), big_b a foreign key to big_a's
# key, and there is a partitioned table (never built early):
#  - the early build of big_a starts before big_b's copy ends (the logs'
#    times), and the status names it while init-data still runs;
#  - post-data does not build big_a's indexes again, and the foreign key
#    (which needs big_a's key) is made after the early build: same
#    structure and rows as the source;
#  - kill -9 of the runner during the early build, then a run again:
#    everything is built (what exists is kept), nothing twice or missing;
#  - terminate during the early build: the runner stops within seconds,
#    its pg_restore with it, and the task is gone;
#  - big_a alone: its copy is the copy's last, so nothing starts early
#    (post-data builds its indexes at once with all its jobs).
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

et_pair
pgc_psql src -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE FUNCTION slow_key(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 FROM pg_sleep(0.002)';
CREATE TABLE public.big_a (id int PRIMARY KEY, pad text NOT NULL);
INSERT INTO public.big_a SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 500000) g;
CREATE INDEX big_a_slow ON public.big_a (slow_key(id)) WHERE id <= 1000;
CREATE TABLE public.big_b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES public.big_a, pad text);
INSERT INTO public.big_b SELECT g, g % 500000 + 1, repeat(md5(g::text), 3) FROM generate_series(1, 330000) g;
CREATE INDEX big_b_a ON public.big_b (a_id);
CREATE TABLE public.small (id int PRIMARY KEY, a_id int REFERENCES public.big_a, note text UNIQUE);
INSERT INTO public.small SELECT g, g, 'n' || g FROM generate_series(1, 100) g;
CREATE TABLE public.parted (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE public.parted_1 PARTITION OF public.parted FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX parted_at ON public.parted (at);
INSERT INTO public.parted SELECT g, date '2026-01-01' + g % 300 FROM generate_series(1, 1000) g;
VACUUM ANALYZE;
SQL
echo "sizes: $(pgc_psql src -d postgres -Atc "SELECT string_agg(relname || ' ' || pg_size_pretty(pg_table_size(oid)), ', ' ORDER BY relname) FROM pg_class WHERE relname IN ('big_a', 'big_b')")"

log() { cat "$state/tasks/$1/init-struct.log"; }
# The time of the first line of FILE matching RE, in ms of the day.
at() {
  grep -E "$2" "$1" | "${3:-head}" -1 | awk '{split(substr($1, 12, 12), t, ":"); print int((t[1] * 3600 + t[2] * 60 + t[3]) * 1000)}'
}

# Task NAME's copy held to 20 MB/s (create --copy-rate): big_b's copy
# lasts long enough for the status, written every second, to show the
# early build, and for big_a's second index to start before the copy
# ends (at full speed, on a loaded machine, the copy could end first).
slow_copy() {
  python3 - "$state/tasks/$1/spec.json" <<'PY'
import json, sys
p = sys.argv[1]
t = json.load(open(p))
t["metadata"].setdefault("annotations", {})["migtop.io/copy-rate"] = "20MB"
json.dump(t, open(p, "w"))
PY
}

echo "== one run: big_a's indexes while big_b copies"
"$tool" write "$state" ea "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"public"' 'precheck=false,init-struct=true,init-data=true,cdc=false'
slow_copy ea
seen=""
( "$bin" run ea --state-dir "$state" --jobs 1 --quiet >"$work/run1.out" 2>&1 ) &
run=$!
for _ in $(seq 1200); do
  m=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["initialization"]["metrics"]; print(m.get("step",""), "|", m.get("building",""))' \
    "$state/tasks/ea/status.json" 2>/dev/null || true)
  # Either of big_a's builds named (the key's, or the slow one's): under
  # ASan the runner's status, written each second, once missed the slow
  # one's 2 s while big_b copied.
  # (the table as regclass prints it: without the schema on the search path)
  case $m in "init-data | "*" on big_a: "* | "init-data | "*" on public.big_a: "*) seen=$m ;; esac
  kill -0 "$run" 2>/dev/null || break
  sleep 0.05
done
wait "$run" || { cat "$work/run1.out"; fail "the run failed"; }
et_show ea
grep -q 'status=Done' <<<"$(et_show ea)" || fail "the task did not finish"
ilog=$state/tasks/ea/init-struct.log
dlog=$state/tasks/ea/init-data.log
grep -E 'early build|pg_restore post-data|maintenance_work_mem' "$ilog"
early=$(at "$ilog" 'early build of "?public"?\."?big_a"? \(.*\) starts now')
b_done=$(at "$dlog" 'table public.big_b copied')
[ -n "$early" ] && [ -n "$b_done" ] || fail "no early build of big_a, or big_b's copy not logged"
echo "big_a's builds started at $early ms, big_b's copy ended at $b_done ms"
[ "$early" -lt "$b_done" ] || fail "big_a's index builds did not start before big_b's copy ended"
echo "status during init-data: $seen"
[ -n "$seen" ] || fail "the early build was not named in the status while init-data ran"
grep -q 'post-data-early.list' "$ilog" || fail "no early restore in the log"
early_end=$(at "$ilog" 'early build of "?public"?\."?big_a"? \(.*\) done in' tail)
fk=$(at "$ilog" 'pg_restore post-data \(post-data-constraints.list\)')
[ -n "$early_end" ] && [ -n "$fk" ] && [ "$fk" -ge "$early_end" ] ||
  fail "the constraints did not wait for the early builds (ended $early_end ms, constraints at $fk ms)"
grep -Eq 'starts now' <(grep -E 'big_b|small|parted' "$ilog") && fail "a table not big enough, or partitioned, was built early"
grep -q 'already existed on the sink' "$ilog" && fail "post-data built big_a's indexes again"
et_same_structure "'public'"
et_same_rows public.big_a public.big_b public.small public.parted

# run_until_early NAME RE: a new task NAME on an emptied sink, its runner
# (pid in $run) in the background until its log says RE (an early build
# started), then 0.3 s more: the build under way.
run_until_early() {
  pgc_psql sink -d postgres -c "DROP TABLE public.small, public.big_b, public.big_a, public.parted CASCADE" >/dev/null
  "$tool" write "$state" "$1" "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
    '"public"' 'precheck=false,init-struct=true,init-data=true,cdc=false'
  slow_copy "$1"
  ( "$bin" run "$1" --state-dir "$state" --jobs 1 --quiet >"$work/$1.out" 2>&1 ) &
  run=$!
  for _ in $(seq 600); do
    grep -q "$2" "$state/tasks/$1/init-struct.log" 2>/dev/null && break
    sleep 0.05
  done
  grep -q "$2" "$state/tasks/$1/init-struct.log" ||
    { log "$1"; fail "the early build of $1 did not start"; }
  sleep 0.3
}

echo "== kill -9 during the early build, then a run again"
run_until_early eb 'starts now'
kill -9 "$(cat "$state/tasks/eb/runner.lock")"
wait "$run" 2>/dev/null || true
sleep 0.5
pgrep -f "$state/tasks/eb/post-data-early.list" && fail "the killed runner's pg_restore lives on"
# The killed runner's pg_restore ends with its connection's client gone.
for _ in $(seq 100); do
  [ "$(pgc_psql sink -d postgres -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_restore'")" = 0 ] && break
  sleep 0.1
done
"$bin" run eb --state-dir "$state" --jobs 1 --quiet || fail "the run again failed"
grep -q 'status=Done' <<<"$(et_show eb)" || fail "the task did not finish after the run again"
et_same_structure "'public'"
et_same_rows public.big_a public.big_b public.small public.parted

echo "== terminate during the early build"
run_until_early ed 'big_a_slow) starts now'
t0=$(date +%s)
timeout 60 "$bin" terminate ed --backend local --state-dir "$state" --timeout 30s >"$work/term.out" 2>&1 ||
  { cat "$work/term.out"; fail "terminate during the early build failed"; }
for _ in $(seq 300); do kill -0 "$run" 2>/dev/null || break; sleep 0.1; done
kill -0 "$run" 2>/dev/null && fail "the runner still runs after terminate"
echo "terminated in $(($(date +%s) - t0)) s"
[ -d "$state/tasks/ed" ] && fail "the terminated task is still there"
pgrep -f "$state/tasks/ed/post-data-early.list" && fail "the early pg_restore lives on after terminate"

echo "== big_a alone: its copy is the copy's last, nothing starts early"
pgc_psql sink -d postgres -c "DROP TABLE public.small, public.big_b, public.big_a, public.parted CASCADE" >/dev/null
"$tool" write "$state" ec "$(et_endpoint src mig src-pw)" "$(et_endpoint sink mig sink-pw)" \
  '"public.big_a"' 'precheck=false,init-struct=true,init-data=true,cdc=false'
"$bin" run ec --state-dir "$state" --jobs 1 --quiet || fail "the run of big_a alone failed"
grep -q 'status=Done' <<<"$(et_show ec)" || fail "the task of big_a alone did not finish"
grep -q 'starts now' "$state/tasks/ec/init-struct.log" && fail "the copy's last table was built early"
[ "$(pgc_psql sink -d postgres -Atc "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'big_a'")" = big_a_pkey,big_a_slow ] ||
  fail "big_a's indexes are not all on the sink"
echo PASS
