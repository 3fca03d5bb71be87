#!/usr/bin/env bash
# The same commands on the local backend, with real PostgreSQL: without a
# usable kubeconfig the default backend is local; `create --local` writes
# the task and starts its runner detached; list, describe, logs and
# templates show it as they show an add-on task (no password anywhere);
# terminate follows it until it is gone and the slot with it.
set -euo pipefail
SRC=${MIGTOP_SOURCE_DIR:?}
M=${MIGTOP_BIN:?}
work=$(mktemp -d)
chmod 0755 "$work"
state=$work/migtop # $XDG_STATE_HOME/migtop, set below
export PGC_ROOT=$work/pgc
mkdir -p "$PGC_ROOT"
source "$SRC/tests/support/pgcluster.sh"
source "$SRC/tests/support/runners.sh"
cleanup() {
    runners_stop "$state"
    pgc_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/*.out "$work"/*.err "$state"/tasks/*/*.log; do
        [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
expect() { grep -Eq -- "$2" "$1" || fail "$3: no line matching /$2/ in $(basename "$1")"; }
run() {
    local name=$1
    shift
    rc=0
    "$M" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
}
ok() { run "$@"; [ "$rc" = 0 ] || fail "migtop ${*:2} exited $rc"; }
fails() { # fails NAME CODE REGEX CMD...
    local name=$1 code=$2 re=$3
    shift 3
    run "$name" "$@"
    [ "$rc" = "$code" ] || fail "migtop $* exited $rc, expected $code"
    [ "$(wc -l <"$work/$name.err")" = 1 ] || fail "migtop $*: stderr is not one line"
    expect "$work/$name.err" "$re" "migtop $*"
}

# No kubeconfig anywhere: the local backend is the default.
export KUBECONFIG= HOME=$work/home XDG_STATE_HOME=$work
mkdir -p "$HOME"
unset KUBERNETES_SERVICE_HOST

pgc_start src
pgc_start sink
pgc_psql src -d postgres -c "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g" >/dev/null
PW='S3cret-Pw'
SRC_EP="postgres:$PW@127.0.0.1:$(pgc_port src)/postgres"
SINK_EP="postgres:$PW@127.0.0.1:$(pgc_port sink)/postgres"

fails badlabel 2 'a key is \[prefix/\]name' create t-bad --local --source "$SRC_EP" --sink "$SINK_EP" \
  --migration-object '"public.t"' --label 'team=pay ments'
[ -d "$state/tasks/t-bad" ] && fail "a task was made with a bad label"
ok create create t-loc --local --source "$SRC_EP" --sink "$SINK_EP" --migration-object '"public.t"' \
  --label team=payments --label app.kubernetes.io/env=prod
expect "$work/create.out" '^migrationtask\.datamigration\.apecloud\.io/t-loc created$' "create says so"
for _ in $(seq 1 300); do
    run st list t-loc
    grep -Eq '^t-loc +migtop-local-pg2pg +Running ' "$work/st.out" && break
    sleep 0.2
done
expect "$work/st.out" '^NAME +TEMPLATE +STATUS +AGE$' "list header"
expect "$work/st.out" '^t-loc +migtop-local-pg2pg +Running +[0-9]+s$' "t-loc Running in the list"

ok lsnh ls --no-headers
[ "$(head -1 "$work/lsnh.out" | awk '{print $1}')" = t-loc ] || fail "ls --no-headers: $(cat "$work/lsnh.out")"

echo "== -l/--selector and --show-labels, as kubectl"
ok sel1 ls -l team=payments --no-headers
[ "$(awk '{print $1}' "$work/sel1.out")" = t-loc ] || fail "-l team=payments: $(cat "$work/sel1.out")"
ok sel2 list -l 'app.kubernetes.io/env in (prod,stage), !owner' --show-labels
expect "$work/sel2.out" '^NAME +TEMPLATE +STATUS +AGE +LABELS$' "--show-labels header"
expect "$work/sel2.out" '^t-loc .* app\.kubernetes\.io/env=prod,team=payments$' "--show-labels row"
ok sel3 list -l team=web
[ ! -s "$work/sel3.out" ] || fail "-l team=web listed: $(cat "$work/sel3.out")"
expect "$work/sel3.err" '^No resources found' "-l matching nothing says so"
ok sel4 list -o name -l 'team!=payments'
[ ! -s "$work/sel4.out" ] || fail "-o name -l team!=payments: $(cat "$work/sel4.out")"
ok sel5 list -o json -l owner
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["items"] == []' "$work/sel5.out" ||
  fail "-o json -l owner kept items"
fails sel6 2 'bad selector "team in payments": expected .\(. after in/notin at position' \
  list -l 'team in payments'

ok jp list -o 'jsonpath={range .items[*]}{.metadata.name} {.status.taskStatus}{"\n"}{end}'
[ "$(cat "$work/jp.out")" = "t-loc Running" ] || fail "-o jsonpath: $(cat "$work/jp.out")"

ok wide list -o wide
expect "$work/wide.out" "^t-loc .* postgres@127\\.0\\.0\\.1:$(pgc_port src)/postgres " "wide: the source without its password (a local spec keeps none)"

ok json list -o json
python3 - "$work/json.out" <<'PY' || fail "list -o json"
import json, sys
d = json.load(open(sys.argv[1]))
t = [i for i in d["items"] if i["metadata"]["name"] == "t-loc"]
assert len(t) == 1, d
assert t[0]["status"]["taskStatus"] == "Running", t[0]["status"]
assert t[0]["spec"]["migrationObj"]["whiteList"][0]["tableList"][0]["tableName"] == "t"
assert "password" not in json.dumps(t[0]["spec"]), "a password field in the local spec"
PY

ok tpl templates
expect "$work/tpl.out" '^migtop-local-pg2pg +PostgreSQL ==> PostgreSQL.* +Available ' "the local template"

# The runner writes its CDC metrics every second once CDC runs.
for _ in $(seq 1 50); do
    ok desc describe t-loc
    grep -q '^Cdc Metrics:$' "$work/desc.out" && break
    sleep 0.2
done
expect "$work/desc.out" $'^Name: t-loc\t Status: Running$' "describe summary"
expect "$work/desc.out" "^source +postgres@127\\.0\\.0\\.1:$(pgc_port src)/postgres$" "describe: the source without its password"
expect "$work/desc.out" '^init-data +Complete ' "init-data row"
expect "$work/desc.out" '^Cdc Metrics:$' "CDC metrics"

ok ilog logs t-loc --step init-data
[ -s "$work/ilog.out" ] || fail "the init-data log is empty"
ok clog logs t-loc --step cdc --tail 1
fails prevlocal 2 '\-\-previous is for a Kubernetes pod' logs t-loc --step cdc --previous
[ "$(wc -l <"$work/clog.out")" = 1 ] || fail "--tail 1 gave $(wc -l <"$work/clog.out") lines"

if grep -l -- "$PW" "$work"/*.out "$work"/*.err; then fail "the password was printed"; fi

fails dup 1 'already exists' create t-loc --local --source "$SRC_EP" --sink "$SINK_EP" \
    --migration-object public
fails unknown 1 '^migtop describe: migrationtasks\.datamigration\.apecloud\.io "nope" not found$' describe nope
fails nolocal 1 'nope' terminate nope

# The backend said out loud: a KUBECONFIG that cannot be used is an error
# (never a quiet switch to the local tasks), Kubernetes flags with the
# local backend name the flag, and an empty answer says where it looked.
KUBECONFIG=/nonexistent fails badkc 1 '^migtop list: KUBECONFIG=/nonexistent: no kubeconfig: .*--backend local' list
fails local-ns 1 '^migtop list: -n/--namespace is for Kubernetes tasks; the local backend has none' \
    list --backend local -n prod
fails local-A 1 '^migtop list: -A/--all-namespaces is for Kubernetes tasks' list --backend local -A
ok none list --state-dir "$work/empty-state"
expect "$work/none.err" "^No resources found \\(local tasks in $work/empty-state\\)\\.\$" "an empty answer says where"

[ "$(pgc_psql src -d postgres -Atc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 't_loc'")" = 1 ] ||
    fail "no slot t_loc while the task runs"
# With the source down the slot cannot be dropped: terminate reports the
# reason as it waits and, past --timeout, fails on one line saying why.
pgc_stop src
fails term-down 1 '^migtop terminate: task "t-loc" still there after 3s: Terminating' \
    terminate t-loc --timeout 3s
expect "$work/term-down.out" '^Terminating: .+' "terminate shows the state and its reason as it waits"
# A terminate started while the source is still down waits and ends once
# it is back (started first, so the runner cannot finish before it looks).
"$M" terminate t-loc --timeout 90s >"$work/term.out" 2>"$work/term.err" &
term_pid=$!
sleep 2
pgc_start_again src
rc=0
wait "$term_pid" || rc=$?
[ "$rc" = 0 ] || fail "terminate exited $rc"
expect "$work/term.out" '^migrationtask\.datamigration\.apecloud\.io "t-loc" deleted$' "terminate ends when gone"
[ ! -d "$state/tasks/t-loc" ] || fail "the task directory is still there"
[ "$(pgc_psql src -d postgres -Atc "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 't_loc'")" = 0 ] ||
    fail "the slot is left on the source"
fails gone 1 'not found' list t-loc

# MIGTOP_BIN relative to where migtop was started: the supervisor and the
# runner run from /, and still start (the task fails on its unreachable
# source instead of staying Prepare for ever).
(cd "$(dirname "$M")" && MIGTOP_BIN=./$(basename "$M") ./"$(basename "$M")" create t-rel --local \
    --source 'postgres:x@127.0.0.1:1/postgres' --sink "$SINK_EP" --migration-object '"public.t"' \
    >"$work/rel.out" 2>"$work/rel.err") || fail "create with a relative MIGTOP_BIN"
for _ in $(seq 300); do
    grep -q '"Failed"' "$state/tasks/t-rel/status.json" 2>/dev/null && break
    sleep 0.1
done
grep -q '"Failed"' "$state/tasks/t-rel/status.json" ||
    fail "a relative MIGTOP_BIN: the task never ran ($(cat "$state/tasks/t-rel/supervisor.log" 2>/dev/null))"
expect "$state/tasks/t-rel/precheck.log" 'step precheck failed' "the runner ran the precheck"
echo PASS
