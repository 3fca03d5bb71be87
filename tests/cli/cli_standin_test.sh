#!/usr/bin/env bash
# The kbcli-compatible commands (list, describe, logs, templates, create,
# terminate) against the Kubernetes API stand-in over TLS, authenticated
# three ways: a bearer token, a client certificate and an exec credential
# plugin. create's object is read back from the server and compared field
# by field with what kbcli builds (expected_create.py); terminate follows
# the task through Terminating until it is gone; failures exit non-zero
# with one line on stderr.
set -euo pipefail

SRC=${MIGTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
M=${MIGTOP_BIN:?MIGTOP_BIN is the migtop binary}
tmp=$(mktemp -d)
cleanup() {
    standin_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=../standin/standin.sh
source "$SRC/tests/standin/standin.sh"

fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.out "$tmp"/*.err; do
        [ -s "$f" ] && { echo "--- $(basename "$f")" >&2; tail -n 25 "$f" >&2; }
    done
    echo "--- requests.log (last 15)" >&2
    tail -n 15 "$STANDIN_DIR/requests.log" >&2 || true
    exit 1
}
expect() { # expect FILE REGEX WHAT
    grep -Eq -- "$2" "$1" || fail "$3: no line matching /$2/ in $(basename "$1")"
}
refute() { # refute FILE REGEX WHAT
    ! grep -Eq -- "$2" "$1" || fail "$3: /$2/ found in $(basename "$1")"
}
# run NAME CMD...: runs migtop, stdout to NAME.out, stderr to NAME.err; the
# exit code in $rc (never aborts the test).
run() {
    local name=$1
    shift
    rc=0
    "$M" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}
ok() { # ok NAME CMD...: must succeed
    run "$@"
    [ "$rc" = 0 ] || fail "migtop ${*:2} exited $rc"
}
# A failure: non-zero exit code, exactly one line on stderr, matching REGEX.
fails() { # fails NAME CODE REGEX CMD...
    local name=$1 code=$2 re=$3
    shift 3
    run "$name" "$@"
    [ "$rc" = "$code" ] || fail "migtop $* exited $rc, expected $code"
    [ "$(wc -l <"$tmp/$name.err")" = 1 ] || fail "migtop $*: stderr is not one line"
    expect "$tmp/$name.err" "$re" "migtop $*"
}

export KUBECONFIG=/nonexistent # never the machine's own
standin_start "$tmp/k8s" --controller-speed 4 --seed-tasks 2
D=$STANDIN_DIR
echo "stand-in at $STANDIN_URL"

# --- every read-only command, with each way of authenticating ---
for auth in token cert exec; do
    K=(--kubeconfig "$D/kubeconfig-$auth")
    ok list-$auth list "${K[@]}"
    expect "$tmp/list-$auth.out" '^NAME +TEMPLATE +STATUS +AGE$' "$auth: list header"
    expect "$tmp/list-$auth.out" '^bench-0 +apecloud-pg2pg +Running +[0-9]+s$' "$auth: list row"
    [ "$(wc -l <"$tmp/list-$auth.out")" = 3 ] || fail "$auth: list has not 2 tasks"

    ok wide-$auth list -A -o wide "${K[@]}"
    expect "$tmp/wide-$auth.out" '^NAMESPACE +NAME +TEMPLATE +STATUS +AGE +TYPE +SOURCE +SINK +CREATED-TIME$' \
        "$auth: wide header"
    expect "$tmp/wide-$auth.out" '^default +bench-1 +apecloud-pg2pg +Running .* user:\*\*\*\*@10\.0\.1\.2:5432/db_test ' \
        "$auth: wide row with the password masked"

    ok tpl-$auth templates "${K[@]}"
    expect "$tmp/tpl-$auth.out" '^NAME +DATABASE-MAPPING +STATUS +AGE$' "$auth: templates header"
    expect "$tmp/tpl-$auth.out" '^apecloud-pg2pg +PostgreSQL ==> PostgreSQL +Available ' "$auth: template row"

    ok desc-$auth describe bench-0 "${K[@]}"
    f=$tmp/desc-$auth.out
    expect "$f" $'^Name: bench-0\t Status: Running$' "$auth: describe summary"
    expect "$f" '^NAMESPACE +CREATED-TIME +START-TIME +FINISHED-TIME$' "$auth: summary table"
    expect "$f" '^Migration Config:$' "$auth: config section"
    expect "$f" '^source +user:\*\*\*\*@10\.0\.1\.1:5432/db_test$' "$auth: masked source"
    expect "$f" '^migration objects +public\.table_test_1$' "$auth: objects"
    expect "$f" $'^Template: apecloud-pg2pg\t$' "$auth: template section"
    expect "$f" '^Initialization:$' "$auth: initialization section"
    expect "$f" '^init-data +default +Complete +[A-Z][a-z]{2} [0-9]{2},[0-9]{4} ' "$auth: init-data row"
    expect "$f" '^Cdc:$' "$auth: cdc section"
    expect "$f" '^default +Running ' "$auth: cdc pod row"
    expect "$f" '^Cdc Metrics:$' "$auth: metrics section"
    expect "$f" '^source_position +[0-9A-F]+/[0-9A-F]+$' "$auth: position metric"
    expect "$f" '^Lag: ' "$auth: lag line"
    refute "$f" '123456' "$auth: describe shows no password"

    ok logs-$auth logs bench-0 --step cdc "${K[@]}"
    expect "$tmp/logs-$auth.out" 'current_position: [0-9A-F]+/[0-9A-F]+' "$auth: cdc log line"
done
# The exec plugin ran once per process: its credential is cached.
[ "$(wc -l <"$D/exec-plugin.calls")" = 5 ] ||
    fail "exec plugin called $(wc -l <"$D/exec-plugin.calls") times for 5 commands"

K=(--kubeconfig "$D/kubeconfig-token")

# --- -o json / yaml: what kubectl prints, the server's objects whole ---
ok json list -o json "${K[@]}"
python3 - "$tmp/json.out" <<'PY' || fail "list -o json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "List" and d["apiVersion"] == "v1", d.get("kind")
names = sorted(i["metadata"]["name"] for i in d["items"])
assert names == ["bench-0", "bench-1"], names
assert all(i["kind"] == "MigrationTask" for i in d["items"])
assert d["items"][0]["status"]["taskStatus"] == "Running"
PY
# Passwords masked unless asked for.
refute "$tmp/json.out" '123456' "list -o json prints a password"
grep -q '"password": "\*\*\*\*"' "$tmp/json.out" || fail "list -o json does not show the masked password"
ok json-secrets list -o json --show-secrets "${K[@]}"
grep -q '"password": "123456"' "$tmp/json-secrets.out" || fail "--show-secrets does not print the password"
# The YAML printer says the same as the JSON one (quoting, numbers, times).
ok yaml-list list -o yaml "${K[@]}"
python3 - "$tmp/json.out" "$tmp/yaml-list.out" <<'PY' || fail "list -o yaml differs from -o json"
import json, sys, yaml
j = json.load(open(sys.argv[1]))
y = yaml.safe_load(open(sys.argv[2]))
# Only the fields that cannot change between the two reads.
for d in (j, y):
    for i in d["items"]:
        i.pop("status", None)
        i["metadata"].pop("resourceVersion", None)
assert j == y, (j, y)
PY
ok yaml templates apecloud-pg2pg -o yaml "${K[@]}"
python3 - "$tmp/yaml.out" <<'PY' || fail "templates NAME -o yaml"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["kind"] == "MigrationTemplate" and d["metadata"]["name"] == "apecloud-pg2pg", d
assert isinstance(d["metadata"]["creationTimestamp"], str), "timestamp not quoted"
assert d["spec"]["description"] == "PostgreSQL ==> PostgreSQL"
PY

# --- create: the stored object is the one kbcli builds ---
SRC_EP='src:pw1@10.0.0.1:5432/appdb'
SINK_EP='dst:pw2@10.0.0.2:5432'
OBJS='"public.t1","public.t2","sales"'
STEPS='precheck=true,init-struct=false,init-data=true,cdc=true'
ok create create t-cli --template apecloud-pg2pg --source "$SRC_EP" --sink "$SINK_EP" \
    --migration-object "$OBJS" --steps "$STEPS" "${K[@]}"
expect "$tmp/create.out" '^migrationtask\.datamigration\.apecloud\.io/t-cli created$' "create says so"
curl -sS --cacert "$D/ca.crt" -H "Authorization: Bearer $(cat "$D/token")" \
    "$STANDIN_URL/apis/datamigration.apecloud.io/v1alpha1/namespaces/default/migrationtasks/t-cli" \
    >"$tmp/stored.json" || fail "GET the created task"
python3 "$SRC/tests/cli/expected_create.py" "$tmp/stored.json" t-cli default apecloud-pg2pg \
    "$SRC_EP" "$SINK_EP" "$OBJS" "$STEPS" >"$tmp/compare.out" || fail "stored object differs from kbcli's"
# --label lands in the object's metadata.labels; list -l picks by them.
ok create-lab create t-lab --template apecloud-pg2pg --source "$SRC_EP" --sink "$SINK_EP" \
    --migration-object "$OBJS" --label team=payments "${K[@]}"
curl -sS --cacert "$D/ca.crt" -H "Authorization: Bearer $(cat "$D/token")" \
    "$STANDIN_URL/apis/datamigration.apecloud.io/v1alpha1/namespaces/default/migrationtasks/t-lab" |
    python3 -c 'import json,sys; assert json.load(sys.stdin)["metadata"]["labels"] == {"team": "payments"}' ||
    fail "the label is not in the stored object"
ok lab list -l team=payments --show-labels "${K[@]}"
[ "$(tail -n +2 "$tmp/lab.out" | awk '{print $1, $NF}')" = "t-lab team=payments" ] ||
    fail "list -l team=payments on Kubernetes: $(cat "$tmp/lab.out")"
fails dup 1 'already exists' create t-cli --template apecloud-pg2pg --source "$SRC_EP" \
    --sink "$SINK_EP" --migration-object public "${K[@]}"

# The controller runs it: Prepare/Init ... Running; init step logs by kbcli's pod choice.
for _ in $(seq 1 100); do
    run st list t-cli "${K[@]}"
    grep -Eq '^t-cli +apecloud-pg2pg +Running ' "$tmp/st.out" && break
    sleep 0.1
done
expect "$tmp/st.out" '^t-cli +apecloud-pg2pg +Running ' "t-cli reaches Running"
ok plog logs t-cli --step precheck "${K[@]}"
expect "$tmp/plog.out" '\[preCheck\] finished|\[precheck\] finished' "precheck log"
ok dlog logs t-cli --step init-data --timestamps "${K[@]}"
expect "$tmp/dlog.out" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z ' "timestamps on init-data lines"
fails nostep 1 'pod not found|not found|no pod' logs t-cli --step init-struct "${K[@]}"
ok tail logs t-cli --step cdc --tail 2 "${K[@]}"
# --previous asks the API for the previous container (the stand-in has none).
fails prev 1 'previous terminated container "main" in pod .* not found' logs t-cli --step cdc --previous "${K[@]}"
grep -q 'previous=true' "$D/requests.log" || fail "--previous did not ask for previous=true"
[ "$(wc -l <"$tmp/tail.out")" = 2 ] || fail "--tail 2 gave not 2 lines"
# -f streams until the pod stops; here: until we stop reading.
timeout 5 "$M" logs t-cli --step cdc -f "${K[@]}" 2>"$tmp/follow.err" | head -n 3 >"$tmp/follow.out" || true
[ "$(grep -c current_position "$tmp/follow.out")" -ge 2 ] || fail "logs -f streamed no position lines"

# --- terminate: Terminating, then gone ---
run term terminate t-cli "${K[@]}"
[ "$rc" = 0 ] || fail "terminate exited $rc"
expect "$tmp/term.out" '^Terminating$' "terminate reports Terminating"
expect "$tmp/term.out" '^migrationtask\.datamigration\.apecloud\.io "t-cli" deleted$' "terminate ends when gone"
fails gone 1 '^migtop list: migrationtasks\.datamigration\.apecloud\.io "t-cli" not found$' \
    list t-cli "${K[@]}"
grep -q $'\tDELETE\t/apis/datamigration.apecloud.io/v1alpha1/namespaces/default/migrationtasks/t-cli\t200' \
    "$D/requests.log" || fail "no DELETE of t-cli in requests.log"

# create and terminate with the other two ways of authenticating.
ok create-exec create t-exec --template apecloud-pg2pg --source "$SRC_EP" --sink "$SINK_EP" \
    --migration-object public --kubeconfig "$D/kubeconfig-exec"
ok term-cert terminate t-exec --kubeconfig "$D/kubeconfig-cert"
expect "$tmp/term-cert.out" '"t-exec" deleted$' "terminate with a client certificate"

# --- errors: one line, non-zero ---
fails unknown 1 '^migtop describe: migrationtasks\.datamigration\.apecloud\.io "nope" not found$' \
    describe nope "${K[@]}"
fails unknown-logs 1 'nope' logs nope --step cdc "${K[@]}"
fails unknown-term 1 'nope.*not found|not found.*nope' terminate nope "${K[@]}"
ok since logs bench-0 --step cdc --since 1h "${K[@]}"
expect "$tmp/since.out" 'current_position' "logs --since 1h"
grep -q 'log?sinceSeconds=3600' "$D/requests.log" || fail "--since 1h did not ask for sinceSeconds=3600"
fails bad-since 2 '--since must be a duration' logs bench-0 --step cdc --since 5x "${K[@]}"
fails bad-tail 2 '--tail must be' logs bench-0 --step cdc --tail -5 "${K[@]}"
fails no-step 2 'step should be specified' logs bench-0 "${K[@]}"
fails bad-step 2 'must be precheck, init-struct, init-data or cdc' logs bench-0 --step copy "${K[@]}"
fails bad-out 2 'must be table, wide, json, yaml, name or jsonpath=TEMPLATE, not "xml"' list -o xml "${K[@]}"
fails bad-flag 2 'unknown flag: --frobnicate' list --frobnicate "${K[@]}"
fails bad-src 2 '^migtop create: --source: ' create t-x --template apecloud-pg2pg --source nothing \
    --sink "$SINK_EP" --migration-object public "${K[@]}"
fails no-tpl 1 'template is needed' create t-x --source "$SRC_EP" --sink "$SINK_EP" \
    --migration-object public "${K[@]}"
fails no-such-tpl 1 'migrationtemplates.*"nope".*not found|not found.*nope' create t-x \
    --template nope --source "$SRC_EP" --sink "$SINK_EP" --migration-object public "${K[@]}"
# An empty namespace is not an error (kubectl says so on stderr, exit 0).
ok empty-ns list -n kube-system "${K[@]}"
[ ! -s "$tmp/empty-ns.out" ] || fail "list of an empty namespace printed rows"
expect "$tmp/empty-ns.err" '^No resources found in kube-system namespace \(context standin\)\.$' "kubectl's words for nothing"
fails ro-create 2 'refused: --readonly' create t-x --readonly --template apecloud-pg2pg \
    --source "$SRC_EP" --sink "$SINK_EP" --migration-object public "${K[@]}"
fails ro-term 2 'refused: --readonly' terminate bench-0 --readonly "${K[@]}"
fails badtoken 1 'Unauthorized|unauthorized|401' list --kubeconfig "$D/kubeconfig-badtoken"
fails wrongca 1 'certificate|verify' list --kubeconfig "$D/kubeconfig-wrong-ca"
fails noctx 1 'context.*elsewhere' list --context elsewhere "${K[@]}"
standin_ctl fail count=1 code=500 >/dev/null
fails e500 1 '500|[Ii]nternal' templates "${K[@]}"
standin_stop
fails down 1 'refused|connect' list "${K[@]}"
# A cluster without the migration add-on: kbcli's hint, on one line.
standin_start "$tmp/k8s-nocrd" --no-crds
for cmd in list templates "describe x" "logs x --step cdc" "terminate x"; do
    # shellcheck disable=SC2086
    fails nocrd 1 "kbcli addon enable migration" $cmd --kubeconfig "$STANDIN_DIR/kubeconfig-token"
done
echo "PASS"
