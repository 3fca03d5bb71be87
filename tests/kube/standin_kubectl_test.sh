#!/usr/bin/env bash
# The Kubernetes API stand-in (tests/standin/) checked with the REAL kubectl:
# discovery, tables, apply, watch, logs, delete through Terminating, the
# three ways of authenticating (token, client certificate, exec plugin), a
# 401, and one fault switch. If kubectl cannot use the stand-in, migtop's
# kube/ tests prove nothing, so this test guards them.
set -euo pipefail

SRC=${MIGTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v kubectl >/dev/null || { echo "kubectl is not installed (apt-get install -y kubectl)" >&2; exit 1; }

tmp=$(mktemp -d)
watch_pid=
cleanup() {
    [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
    standin_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=../standin/standin.sh
source "$SRC/tests/standin/standin.sh"

fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.out "$STANDIN_DIR/server.out"; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
    done
    echo "--- requests.log (last 20)" >&2
    tail -n 20 "$STANDIN_DIR/requests.log" >&2 || true
    exit 1
}
expect() { # expect FILE REGEX WHAT
    grep -Eq -- "$2" "$1" || fail "$3: no line matching /$2/ in $(basename "$1"):$(printf '\n'; cat "$1")"
}
# wait_for SECONDS DESCRIPTION COMMAND...: retry until the command succeeds.
wait_for() {
    local secs=$1 what=$2 end
    shift 2
    end=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || fail "timed out after ${secs}s waiting for $what"
        sleep 0.2
    done
}

export KUBECACHEDIR="$tmp/kubecache"   # never touch ~/.kube
standin_start "$tmp/k8s" --controller-speed 2 --seed-tasks 2
D=$STANDIN_DIR
k() { kubectl --kubeconfig "$D/kubeconfig-token" --request-timeout=10s "$@"; }
echo "stand-in at $STANDIN_URL"

# --- list across namespaces (seeded Running tasks) and the template ---
k get migrationtasks -A >"$tmp/list.out" 2>&1 || fail "get migrationtasks -A"
expect "$tmp/list.out" '^NAMESPACE +NAME +TEMPLATE +STATUS +AGE' "task table header"
expect "$tmp/list.out" '^default +bench-0 +apecloud-pg2pg +Running ' "seeded task bench-0"
expect "$tmp/list.out" '^default +bench-1 +apecloud-pg2pg +Running ' "seeded task bench-1"

k get migrationtemplates >"$tmp/tpl.out" 2>&1 || fail "get migrationtemplates"
expect "$tmp/tpl.out" '^apecloud-pg2pg +PostgreSQL ==> PostgreSQL +Available ' "template row"
k get crd migrationtasks.datamigration.apecloud.io -o name >"$tmp/crd.out" 2>&1 || fail "get crd"
expect "$tmp/crd.out" '^customresourcedefinition.apiextensions.k8s.io/migrationtasks.datamigration.apecloud.io$' "CRD"

# --- watch in the background, then create a task with apply ---
timeout 60 kubectl --kubeconfig "$D/kubeconfig-token" get mt -w >"$tmp/watch.out" 2>&1 &
watch_pid=$!
wait_for 10 "the watch to print the seeded tasks" grep -q bench-1 "$tmp/watch.out"

cat >"$tmp/task.yaml" <<'EOF'
apiVersion: datamigration.apecloud.io/v1alpha1
kind: MigrationTask
metadata:
  name: kt-move
  namespace: default
spec:
  taskType: initialization-and-cdc
  template: apecloud-pg2pg
  sourceEndpoint:
    address: 127.0.0.1:5432
    databaseName: db_test
    userName: user
    password: "123456"
  sinkEndpoint:
    address: 127.0.0.2:5432
    databaseName: db_test
    userName: user
    password: "123456"
  initialization:
    steps: [preCheck, initStruct, initData]
  cdc:
    config:
      param:
        extractor.server_id: 10001
  migrationObj:
    whiteList:
    - schemaName: public
      tableList:
      - tableName: table_test_1
        isAll: true
EOF
k apply -f "$tmp/task.yaml" >"$tmp/apply.out" 2>&1 || fail "apply"
expect "$tmp/apply.out" '^migrationtask.datamigration.apecloud.io/kt-move created$' "apply created"
# A second apply of the same file is a no-op (GET + openapi + patch path).
k apply -f "$tmp/task.yaml" >"$tmp/apply2.out" 2>&1 || fail "second apply"
expect "$tmp/apply2.out" '^migrationtask.datamigration.apecloud.io/kt-move unchanged$' "apply unchanged"
# A task whose precheck fails, alongside.
sed 's/name: kt-move/name: kt-bad/; s/address: 127.0.0.1:5432/address: fail-precheck.example:5432/' \
    "$tmp/task.yaml" | k apply -f - >"$tmp/apply3.out" 2>&1 || fail "apply kt-bad"

status_is() { [ "$(k get mt "$1" -o jsonpath='{.status.taskStatus}')" = "$2" ]; }
wait_for 25 "kt-move to reach Running" status_is kt-move Running
pod_running() { [ "$(k get pod "$1" -o jsonpath='{.status.phase}')" = Running ]; }
wait_for 10 "the CDC pod to run" pod_running kt-move-cdc-0

# --- the objects the controller made, through kubectl's tables ---
k get jobs -l datamigration.apecloud.io/migrationtask=kt-move >"$tmp/jobs.out" 2>&1 || fail "get jobs"
for i in 0 1 2; do expect "$tmp/jobs.out" "^kt-move-job-$i +Complete +1/1 " "job $i complete"; done
k get pods -l datamigration.apecloud.io/migrationtask=kt-move \
    -o 'custom-columns=NAME:.metadata.name,ORDER:.metadata.annotations.common\.apecloud\.io/serial_job_order,STEP:.metadata.annotations.datamigration\.apecloud\.io/step,PHASE:.status.phase' \
    >"$tmp/pods.out" 2>&1 || fail "get pods"
expect "$tmp/pods.out" '^kt-move-cdc-0 +<none> +cdc +Running$' "cdc pod annotated"
expect "$tmp/pods.out" '^kt-move-job-2-[a-z0-9]{5} +2 +<none> +Succeeded$' "init-data pod annotated"
k get sts kt-move-cdc >"$tmp/sts.out" 2>&1 || fail "get sts"
expect "$tmp/sts.out" '^kt-move-cdc +1/1 ' "statefulset ready"
k get mt kt-move -o jsonpath='{.status.cdc.metrics.source_position} {.status.cdc.metrics.source_timestamp}' \
    >"$tmp/metrics.out" 2>&1 || true
wait_for 10 "CDC metrics" bash -c "kubectl --kubeconfig '$D/kubeconfig-token' get mt kt-move -o jsonpath='{.status.cdc.metrics.source_position}' | grep -Eq '^[0-9A-F]+/[0-9A-F]+$'"

# --- logs of the CDC pod: the guide's `grep current_position` ---
k logs kt-move-cdc-0 --tail=3 >"$tmp/logs.out" 2>&1 || fail "logs"
expect "$tmp/logs.out" 'current_position: [0-9A-F]+/[0-9A-F]+, timestamp: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}' "position line"
[ "$(wc -l <"$tmp/logs.out")" -eq 3 ] || fail "--tail=3 gave $(wc -l <"$tmp/logs.out") lines"
timeout 3 kubectl --kubeconfig "$D/kubeconfig-token" logs -f --tail=1 --timestamps kt-move-cdc-0 \
    >"$tmp/follow.out" 2>&1 || true
[ "$(grep -c current_position "$tmp/follow.out")" -ge 2 ] || fail "logs -f streamed fewer than 2 position lines: $(cat "$tmp/follow.out")"
expect "$tmp/follow.out" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z ' "--timestamps prefix"

# --- the failed precheck ---
failed_job() { k get job kt-bad-job-0 -o jsonpath='{.status.conditions[-1].type}' | grep -qx Failed; }
wait_for 10 "kt-bad's precheck job to fail" failed_job
k get mt kt-bad -o jsonpath='{.status.taskStatus}|{.status.initialization.failedReason}' >"$tmp/bad.out" 2>&1
expect "$tmp/bad.out" '^Init\|precheck failed: ' "failedReason of kt-bad"

# --- the watch saw kt-move's life ---
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=
[ "$(grep -c '^kt-move ' "$tmp/watch.out")" -ge 2 ] || fail "watch printed fewer than 2 lines for kt-move"
for st in Prepare Init InitFinished Running; do
    expect "$tmp/watch.out" "^kt-move +apecloud-pg2pg +$st " "watch shows $st"
done

# --- client certificate and exec plugin ---
kubectl --kubeconfig "$D/kubeconfig-cert" get mt kt-move >"$tmp/cert.out" 2>&1 || fail "client cert"
expect "$tmp/cert.out" '^kt-move +apecloud-pg2pg +Running ' "task via client certificate"
grep -q "$(printf '\tcert:migtop-test$')" "$D/requests.log" || fail "server did not see the client certificate"
# client.authentication.k8s.io/v1 came with kubectl 1.22; Debian bookworm's
# kubernetes-client is 1.20 and speaks v1beta1 only.
minor=$(kubectl version --client -o json 2>/dev/null | python3 -c 'import json,re,sys; print(re.sub(r"\D.*", "", json.load(sys.stdin)["clientVersion"]["minor"]))')
exec_kc=$D/kubeconfig-exec
[ "${minor:-0}" -ge 22 ] || exec_kc=$D/kubeconfig-exec-v1beta1
echo "kubectl 1.$minor: exec plugin through $(basename "$exec_kc")"
kubectl --kubeconfig "$exec_kc" get mtp >"$tmp/exec.out" 2>&1 || fail "exec plugin"
expect "$tmp/exec.out" '^apecloud-pg2pg ' "template via exec plugin"
[ -s "$D/exec-plugin.calls" ] || fail "exec plugin was not run"

# --- 401 with a bad token ---
if kubectl --kubeconfig "$D/kubeconfig-badtoken" get mt >"$tmp/401.out" 2>&1; then
    fail "bad token accepted"
fi
expect "$tmp/401.out" 'error: You must be logged in to the server \(Unauthorized\)' "kubectl's Unauthorized"

# --- a fault switch seen by kubectl ---
# Limited to task paths: this kubectl build probes /version first.
standin_ctl fail count=1 code=500 path=/migrationtasks >/dev/null
if k get mt kt-move >"$tmp/500.out" 2>&1; then fail "injected 500 not seen"; fi
expect "$tmp/500.out" 'Error from server \(InternalError\)' "kubectl's InternalError"
k get mt kt-move >"$tmp/after500.out" 2>&1 || fail "the fault did not clear after one request"

# --- delete: Terminating, then gone with its workloads ---
k delete mt kt-move --wait=false >"$tmp/del.out" 2>&1 || fail "delete"
expect "$tmp/del.out" '^migrationtask.datamigration.apecloud.io "kt-move" deleted$' "delete message"
k get mt kt-move -o jsonpath='{.metadata.deletionTimestamp}' >"$tmp/term.out" 2>&1 || true
expect "$tmp/term.out" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "Terminating (deletionTimestamp set)"
gone() { ! k get mt kt-move >"$tmp/gone.out" 2>&1 && grep -q NotFound "$tmp/gone.out"; }
wait_for 15 "kt-move to disappear" gone
expect "$tmp/gone.out" 'Error from server \(NotFound\): migrationtasks.datamigration.apecloud.io "kt-move" not found' "NotFound"
k get jobs,pods,sts -l datamigration.apecloud.io/migrationtask=kt-move >"$tmp/left.out" 2>&1 || true
expect "$tmp/left.out" '^No resources found' "workloads removed with the task"

echo "PASS: kubectl works against the stand-in"
