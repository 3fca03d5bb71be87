#!/usr/bin/env bash
# migtop's kube/ (kubeconfig, HTTPS client, backend ops, watch feed) against
# the API stand-in over TLS, through tests/kube/kube_tool. Where kubectl has
# an error message for the same mistake, the two are compared.
set -euo pipefail

SRC=${MIGTOP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${MIGTOP_BUILD_DIR:-$SRC/build}
TOOL=$BUILD/tests/kube/kube_tool
[ -x "$TOOL" ] || { echo "kube_tool not built: $TOOL" >&2; exit 1; }

tmp=$(mktemp -d)
watch_pid=
cleanup() {
    [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null && wait "$watch_pid" 2>/dev/null
    standin_stop
    [ -n "${NOCRD_PID:-}" ] && kill "$NOCRD_PID" 2>/dev/null
    [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=../standin/standin.sh
source "$SRC/tests/standin/standin.sh"

fail() {
    echo "FAIL: $*" >&2
    [ -f "$tmp/watch.out" ] && { echo "--- watch.out (last 40)" >&2; tail -n 40 "$tmp/watch.out" >&2; }
    echo "--- requests.log (last 25)" >&2
    tail -n 25 "$STANDIN_DIR/requests.log" >&2 || true
    exit 1
}
# expect_out WHAT REGEX COMMAND...: run, and the output must match REGEX.
expect_out() {
    local what=$1 re=$2 out
    shift 2
    out=$("$@" 2>&1) || true
    sanitizer_clean "$what" "$out"
    grep -Eq -- "$re" <<<"$out" || fail "$what: no /$re/ in:"$'\n'"$out"
}
# Under -DMIGTOP_SANITIZE=ON a report must fail the test, whatever the exit status.
sanitizer_clean() {
    ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' <<<"$2" || fail "$1: sanitizer report:"$'\n'"$2"
}
wait_for() {
    local secs=$1 what=$2 end
    shift 2
    end=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || fail "timed out after ${secs}s waiting for $what"
        sleep 0.1
    done
}
count() { grep -c -- "$1" "$2" || true; }

export KUBECACHEDIR="$tmp/kubecache"
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT
export HOME="$tmp/home"
mkdir -p "$HOME"
standin_start "$tmp/k8s" --controller-speed 4 --seed-tasks 2 --bookmark-interval 600
D=$STANDIN_DIR
PORT=${STANDIN_URL##*:}
kt() { "$TOOL" --kubeconfig "$D/kubeconfig-token" "$@"; }
TASKS=/apis/datamigration.apecloud.io/v1alpha1/namespaces/default/migrationtasks

# ---------------- kubeconfig loading ----------------
# Two files defining the same names: the first in KUBECONFIG wins.
sed "s#server: .*#server: https://127.0.0.9:1#; s#namespace: default#namespace: team-b#" \
    "$D/kubeconfig-token" >"$tmp/b.yaml"
python3 - "$tmp/b.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read().replace("contexts:\n", "contexts:\n- name: b-only\n  context:\n    cluster: standin\n    user: standin-user\n    namespace: team-b\n", 1)
s = s.replace("current-context: standin", "current-context: b-only")
open(p, "w").write(s)
EOF
expect_out "A:B server" "^server=$STANDIN_URL\$" env KUBECONFIG="$D/kubeconfig-token:$tmp/b.yaml" "$TOOL" config
expect_out "A:B current-context from A" '^context=standin$' env KUBECONFIG="$D/kubeconfig-token:$tmp/b.yaml" "$TOOL" config
expect_out "B:A server" '^server=https://127.0.0.9:1$' env KUBECONFIG="$tmp/b.yaml:$D/kubeconfig-token" "$TOOL" config
expect_out "B:A context" '^context=b-only$' env KUBECONFIG="$tmp/b.yaml:$D/kubeconfig-token" "$TOOL" config
# A context only B has, with A's cluster (first wins) and B's namespace.
out=$(KUBECONFIG="$D/kubeconfig-token:$tmp/b.yaml" "$TOOL" --context b-only config)
grep -q "^server=$STANDIN_URL\$" <<<"$out" && grep -q '^namespace=team-b$' <<<"$out" || fail "--context b-only: $out"
expect_out "-n overrides" '^namespace=other$' kt -n other config
expect_out "missing KUBECONFIG entries are skipped" "^server=$STANDIN_URL\$" \
    env KUBECONFIG="$tmp/nope.yaml:$D/kubeconfig-token" "$TOOL" config
expect_out "~/.kube/config" "^error: no kubeconfig: ~/.kube/config does not exist" "$TOOL" config
mkdir -p "$HOME/.kube" && cp "$D/kubeconfig-cert" "$HOME/.kube/config"
expect_out "~/.kube/config used" '^auth=client-cert$' "$TOOL" config
rm "$HOME/.kube/config"

# Errors worded like kubectl's (compared with the real kubectl).
kubectl_err() { kubectl "$@" get mt 2>&1 || true; }
ours=$(kt --context nope config || true)
[ "$ours" = "error: context was not found for specified context: nope" ] || fail "unknown context: $ours"
grep -qF "${ours#error: }" <<<"$(kubectl_err --kubeconfig "$D/kubeconfig-token" --context nope)" \
    || fail "kubectl says something else for an unknown context"
ours=$("$TOOL" --kubeconfig "$tmp/missing.yaml" config || true)
[ "$ours" = "error: stat $tmp/missing.yaml: no such file or directory" ] || fail "missing file: $ours"
[ "$(kubectl_err --kubeconfig "$tmp/missing.yaml")" = "$ours" ] || fail "kubectl says something else for a missing file"
sed "s#client-certificate: .*#client-certificate: $tmp/gone.crt#" "$D/kubeconfig-files" >"$tmp/badcert.yaml"
ours=$("$TOOL" --kubeconfig "$tmp/badcert.yaml" config || true)
[ "$ours" = "error: unable to read client-cert $tmp/gone.crt for standin-user due to open $tmp/gone.crt: no such file or directory" ] \
    || fail "unreadable client cert: $ours"
[ "$(kubectl_err --kubeconfig "$tmp/badcert.yaml")" = "$ours" ] || fail "kubectl says something else for an unreadable cert"
sed "s#certificate-authority: .*#certificate-authority: $tmp/gone-ca.crt#" "$D/kubeconfig-files" >"$tmp/badca.yaml"
expect_out "unreadable CA" "^error: unable to read certificate-authority $tmp/gone-ca.crt for standin due to open" \
    "$TOOL" --kubeconfig "$tmp/badca.yaml" config
printf 'clusters: [\n' >"$tmp/broken.yaml"
expect_out "broken YAML" "^error: error loading config file \"$tmp/broken.yaml\": yaml: line" \
    "$TOOL" --kubeconfig "$tmp/broken.yaml" config

# In a pod: the service account, no kubeconfig anywhere.
mkdir -p "$tmp/sa"
cp "$D/token" "$tmp/sa/token" && cp "$D/ca.crt" "$tmp/sa/ca.crt" && printf 'team-sa\n' >"$tmp/sa/namespace"
insa() { env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$PORT" "$TOOL" --sa-dir "$tmp/sa" "$@"; }
out=$(insa config)
grep -q '^origin=in-cluster$' <<<"$out" && grep -q '^namespace=team-sa$' <<<"$out" \
    && grep -q '^auth=token-file$' <<<"$out" || fail "in-cluster config: $out"
expect_out "in-cluster request" '^status=200$' insa request GET "$TASKS/bench-0"
rm "$tmp/sa/token"
expect_out "in-cluster without a token" "^error: in-cluster configuration: open $tmp/sa/token: no such file or directory" insa config

# ---------------- authentication over TLS ----------------
for kc in token tokenfile cert files exec basic; do
    expect_out "fetch with $kc" '^task default/bench-1 Running$' "$TOOL" --kubeconfig "$D/kubeconfig-$kc" fetch bench-1
done
grep -q "$(printf '\tcert:migtop-test$')" "$D/requests.log" || fail "the server saw no client certificate"
grep -q "$(printf '\tbasic:standin-admin$')" "$D/requests.log" || fail "the server saw no basic auth (username/password)"
expect_out "bad token" '^error: You must be logged in to the server \(Unauthorized\)$' \
    "$TOOL" --kubeconfig "$D/kubeconfig-badtoken" request GET "$TASKS"
expect_out "unknown CA" '^error: Unable to connect to the server: tls: failed to verify certificate' \
    "$TOOL" --kubeconfig "$D/kubeconfig-wrong-ca" request GET "$TASKS"
# TLS knobs of the cluster entry: tls-server-name (the certificate names
# localhost), insecure-skip-tls-verify, proxy-url (an HTTP CONNECT proxy).
with_cluster_line() { sed "s#^    server: .*#&\n    $1#" "$D/kubeconfig-token" >"$2"; }
with_cluster_line "tls-server-name: localhost" "$tmp/tsn.yaml"
expect_out "tls-server-name localhost" '^status=200$' "$TOOL" --kubeconfig "$tmp/tsn.yaml" request GET "$TASKS"
with_cluster_line "tls-server-name: wrong.example" "$tmp/tsn-bad.yaml"
expect_out "tls-server-name wrong" "^error: Unable to connect to the server: tls: failed to verify certificate: .*wrong.example" \
    "$TOOL" --kubeconfig "$tmp/tsn-bad.yaml" request GET "$TASKS"
sed "s#^    certificate-authority-data: .*#    insecure-skip-tls-verify: true#" "$D/kubeconfig-token" >"$tmp/insecure.yaml"
expect_out "insecure-skip-tls-verify" '^status=200$' "$TOOL" --kubeconfig "$tmp/insecure.yaml" request GET "$TASKS"
python3 "$SRC/tests/kube/connect_proxy.py" "$tmp/proxy.log" "$tmp/proxy.port" &
PROXY_PID=$!
wait_for 10 "the CONNECT proxy" test -s "$tmp/proxy.port"
with_cluster_line "proxy-url: http://127.0.0.1:$(cat "$tmp/proxy.port")" "$tmp/proxy.yaml"
expect_out "proxy-url" '^status=200$' "$TOOL" --kubeconfig "$tmp/proxy.yaml" request GET "$TASKS"
grep -qx "CONNECT 127.0.0.1:$PORT" "$tmp/proxy.log" || fail "the request did not go through proxy-url"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=

# Exec credentials are cached until expirationTimestamp (refreshed 10 s early).
rm -f "$D/exec-plugin.calls"
expect_out "exec x4" '^ok 200$' "$TOOL" --kubeconfig "$D/kubeconfig-exec" repeat 4 "$TASKS"
[ "$(wc -l <"$D/exec-plugin.calls")" -eq 1 ] || fail "exec plugin ran $(wc -l <"$D/exec-plugin.calls") times for 4 requests (want 1)"
rm -f "$D/exec-plugin.calls"
STANDIN_EXEC_TTL=11 "$TOOL" --kubeconfig "$D/kubeconfig-exec" repeat 3 "$TASKS" 1500 >/dev/null || fail "exec with a short TTL"
[ "$(wc -l <"$D/exec-plugin.calls")" -eq 3 ] || fail "exec plugin ran $(wc -l <"$D/exec-plugin.calls") times for 3 requests 1.5 s apart with an 11 s credential (want 3)"
# A v1beta1 plugin with args and env that answers with a client certificate.
cat >"$tmp/cert-plugin.sh" <<EOF
#!/bin/sh
echo "args=\$* env=\$PLUGIN_MODE info=\$KUBERNETES_EXEC_INFO" >>"$tmp/cert-plugin.calls"
exec python3 -c 'import json, sys; print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"clientCertificateData": open(sys.argv[1]).read(), "clientKeyData": open(sys.argv[2]).read()}}))' "$D/client.crt" "$D/client.key"
EOF
chmod +x "$tmp/cert-plugin.sh"
python3 - "$D/kubeconfig-exec" "$tmp/cert-plugin.yaml" "$tmp/cert-plugin.sh" <<'EOF'
import sys
s = open(sys.argv[1]).read()
s = s.replace("client.authentication.k8s.io/v1\n", "client.authentication.k8s.io/v1beta1\n")
cmd = [l for l in s.split("\n") if l.strip().startswith("command: ")][0]
ind = cmd[: len(cmd) - len(cmd.lstrip())]
s = s.replace(cmd, "\n".join(ind + l for l in [
    "command: " + sys.argv[3], "args: [--mode, cert]", "env:", "- name: PLUGIN_MODE", "  value: certs-please"]))
open(sys.argv[2], "w").write(s)
EOF
expect_out "exec v1beta1 client certificate" '^status=200$' "$TOOL" --kubeconfig "$tmp/cert-plugin.yaml" request GET "$TASKS"
grep -q '^args=--mode cert env=certs-please info={"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1"' "$tmp/cert-plugin.calls" \
    || fail "the plugin's args/env/KUBERNETES_EXEC_INFO: $(cat "$tmp/cert-plugin.calls")"
tail -n 1 "$D/requests.log" | grep -q "$(printf '\tcert:migtop-test$')" || fail "the exec plugin's certificate was not used"
sed "s#command: .*#command: $tmp/no-plugin#" "$D/kubeconfig-exec" >"$tmp/noexec.yaml"
expect_out "missing exec plugin" "^error: exec: executable $tmp/no-plugin failed with: no such file or directory" \
    "$TOOL" --kubeconfig "$tmp/noexec.yaml" request GET "$TASKS"

# ---------------- Status bodies and garbage ----------------
declare -A want=([403]=Forbidden [404]=NotFound [409]=Conflict [410]=Expired [422]=Invalid
                 [429]=TooManyRequests [500]=InternalError [503]=ServiceUnavailable)
for code in "${!want[@]}"; do
    # 429 and 503 with Retry-After are retried twice (client-go does too):
    # the third answer in a row is the error.
    n=1
    case $code in 429 | 503) n=3 ;; esac
    standin_ctl fail count=$n code="$code" path=/migrationtasks >/dev/null
    expect_out "HTTP $code" "^error: Error from server \(${want[$code]}\): stand-in fault: injected HTTP $code\$" kt request GET "$TASKS"
done
standin_ctl fail count=2 code=429 path=/migrationtasks >/dev/null
expect_out "429 twice, then an answer" '^status=200$' kt request GET "$TASKS"
[ "$(standin_ctl state | python3 -c 'import json,sys; print(json.load(sys.stdin)["faults"]["fail"]["left"])')" = 0 ] \
    || fail "the 429s were not all consumed by retries"
standin_ctl fail count=1 code=401 path=/migrationtasks >/dev/null
expect_out "HTTP 401" '^error: You must be logged in to the server \(stand-in fault: injected HTTP 401\)$' kt request GET "$TASKS"
expect_out "real 404" '^error: Error from server \(NotFound\): migrationtasks.datamigration.apecloud.io "nope" not found$' \
    kt request GET "$TASKS/nope"
printf '{"apiVersion":"datamigration.apecloud.io/v1alpha1","kind":"MigrationTask","metadata":{"name":"Bad_Name"}}' >"$tmp/bad.json"
expect_out "real 422" '^error: Error from server \(Invalid\): migrationtasks.datamigration.apecloud.io "Bad_Name" is invalid: metadata.name' \
    kt request POST "$TASKS" "$tmp/bad.json"
SRCEP='user:pw@127.0.0.1:5432/db' SINKEP='user:pw@127.0.0.2:5432/db'
expect_out "create" '^created kt-c$' kt create kt-c "$SRCEP" "$SINKEP" public.t1
expect_out "real 409" '^error: Error from server \(AlreadyExists\): migrationtasks.datamigration.apecloud.io "kt-c" already exists$' \
    kt create kt-c "$SRCEP" "$SINKEP" public.t1
standin_ctl garbage count=1 kind=html path=/migrationtasks >/dev/null
expect_out "HTML from a proxy" '^error: the server answered HTTP 502 to GET .*/migrationtasks with an HTML page \(502 Bad Gateway\), not the Kubernetes API: is a proxy in the way\?$' \
    kt request GET "$TASKS"
standin_ctl garbage count=1 kind=truncated path=/migrationtasks >/dev/null
expect_out "truncated JSON" "^error: the server's answer to GET $TASKS is not valid JSON" kt repeat 1 "$TASKS"
standin_ctl garbage count=1 kind=html path=/migrationtasks >/dev/null
expect_out "HTML in fetch" '^error: the server answered HTTP 502 to GET .* with an HTML page' kt fetch

# ---------------- backend ops: logs ----------------
status_of() { kt fetch | grep -q "^task default/$1 $2\$"; }
wait_for 20 "kt-c to run" status_of kt-c Running
expect_out "init-struct log" '^.* INFO \[init-struct\] finished$' kt logs kt-c init-struct
out=$(kt logs kt-c precheck tail=2)
[ "$(wc -l <<<"$out")" -eq 2 ] && grep -q '\[precheck\] finished$' <<<"$out" || fail "precheck tail=2: $out"
expect_out "timestamps" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z .*\[init-data\] finished$' kt logs kt-c init-data timestamps
timeout 3 "$TOOL" --kubeconfig "$D/kubeconfig-token" logs kt-c cdc tail=1 follow >"$tmp/follow.out" || true
[ "$(count current_position "$tmp/follow.out")" -ge 2 ] || fail "cdc follow streamed: $(cat "$tmp/follow.out")"
expect_out "bad step" '^error: invalid step "cdcx"' kt logs kt-c cdcx

# ---------------- CRDs missing (the addon is not enabled) ----------------
mkdir -p "$tmp/nocrd"
python3 "$SRC/tests/standin/kube_standin.py" --dir "$tmp/nocrd" --no-crds >"$tmp/nocrd.out" 2>&1 &
NOCRD_PID=$!
wait_for 10 "the CRD-less stand-in" test -s "$tmp/nocrd/url"
hint="hint: to use migration-related functions, please ensure that the addon of migration is enabled, use: 'kbcli addon enable migration' to enable the addon"
out=$("$TOOL" --kubeconfig "$tmp/nocrd/kubeconfig-token" crds || true)
grep -qx 'error: customresourcedefinitions.apiextensions.k8s.io "migrationtasks.datamigration.apecloud.io" not found' <<<"$out" \
    && grep -qxF "$hint" <<<"$out" || fail "CRD hint: $out"
expect_out "fetch without CRDs" 'not found$' "$TOOL" --kubeconfig "$tmp/nocrd/kubeconfig-token" fetch
expect_out "feed without CRDs" "^health error: .*not found hint: to use migration-related functions" \
    "$TOOL" --kubeconfig "$tmp/nocrd/kubeconfig-token" watch 2
kill "$NOCRD_PID"; wait "$NOCRD_PID" 2>/dev/null || true; NOCRD_PID=

# ---------------- the watch feed ----------------
W=$tmp/watch.out
MIGTOP_KUBE_ANSWER_S=4 "$TOOL" --kubeconfig "$D/kubeconfig-token" watch 100 kt-w >"$W" 2>&1 &
watch_pid=$!
has() { grep -Eq -- "$1" "$W"; }
wait_for 10 "the first snapshot" has '^snap [0-9]+ template apecloud-pg2pg$'
kt create kt-w "$SRCEP" "$SINKEP" public.t1 >/dev/null || fail "create kt-w"
for st in Prepare Init Running; do wait_for 20 "kt-w $st in the feed" has "^snap [0-9]+ task default/kt-w $st\$"; done
wait_for 10 "kt-w's cdc pod in the feed" has '^snap [0-9]+ pod kt-w-cdc-0$'
lists() { count "$(printf '\tGET\t')$1$(printf '\t')" "$D/requests.log"; }
TL=$TASKS TPL=/apis/datamigration.apecloud.io/v1alpha1/migrationtemplates
watches() { grep -c "GET.$TL?watch=1&allowWatchBookmarks=true&resourceVersion=[0-9]" "$D/requests.log" || true; }
l0=$(lists "$TL") w0=$(watches)
[ "$l0" -ge 1 ] || fail "no LIST of tasks in requests.log"

# A dropped connection: resumed from the last resourceVersion, no relist, no banner.
sleep 1.5
standin_ctl drop >/dev/null
resumed() { [ "$(watches)" -gt "$w0" ]; }
wait_for 10 "the task watch to resume" resumed
kt terminate kt-w >/dev/null || fail "terminate kt-w"
wait_for 10 "kt-w Terminating in the feed" has '^snap [0-9]+ task default/kt-w Running Terminating$'
# The newest complete snapshot printed by the feed.
last_snap() { awk '/^snap [0-9]+ tasks=/ { n = $2; buf = "" } $1 == "snap" && $2 == n { buf = buf $0 "\n" } END { printf "%s", buf }' "$W"; }
gone_w() { last_snap | grep -q '^snap [0-9]* tasks=3 ' && ! last_snap | grep -q "task default/kt-w"; }
wait_for 15 "kt-w to leave the feed" gone_w
[ "$(lists "$TL")" -eq "$l0" ] || fail "the task list was read again after a dropped connection"
has '^health error' && fail "a single dropped connection raised the banner"

# 410: the history is forgotten; the template watch (whose version is old
# now: templates never change and bookmarks are 10 min apart here) relists,
# the others resume.
tl0=$(lists "$TPL")
standin_ctl seed tasks=1 prefix=kt-seed- >/dev/null
wait_for 10 "the seeded task in the feed" has '^snap [0-9]+ task default/kt-seed-0 Running$'
standin_ctl compact >/dev/null
standin_ctl drop >/dev/null
relisted() { [ "$(lists "$TPL")" -gt "$tl0" ]; }
wait_for 10 "a relist of templates after 410" relisted
has '^health error' && fail "410 raised the banner"

# Garbage on the watch streams: a banner, then recovery.
standin_ctl garbage kind=truncated path=watch=1 >/dev/null
standin_ctl drop >/dev/null
wait_for 15 "a banner for cut watch events" has '^health error: the [a-z]+ watch ended in the middle of an event'
standin_ctl clear >/dev/null
wait_for 40 "recovery after garbage" bash -c "tail -n 1 '$W' | grep -q . && grep '^health' '$W' | tail -n 1 | grep -qx 'health ok'"

# A stalled server: the resumed watches get no answer; the banner says so
# after MIGTOP_KUBE_ANSWER_S (15 s by default, 4 s here; not after the 90 s
# idle limit), and clears once it answers.
standin_ctl stall >/dev/null
standin_ctl drop >/dev/null
wait_for 15 "a banner for a stalled server" bash -c "grep '^health' '$W' | tail -n 1 | grep -q 'has not answered the [a-z]* watch for 4 s'"
standin_ctl clear >/dev/null
wait_for 15 "recovery after the stall" bash -c "grep '^health' '$W' | tail -n 1 | grep -qx 'health ok'"

# The server killed and started again (same port, certificates and token):
# a banner while it is gone, then a relist (its versions are all new).
l1=$(lists "$TL")
standin_stop
wait_for 15 "a banner while the server is down" bash -c "grep '^health' '$W' | tail -n 1 | grep -q '^health error: Unable to connect to the server'"
standin_start "$D" --port "$PORT" --controller-speed 4 --bookmark-interval 600
wait_for 40 "recovery after the restart" bash -c "grep '^health' '$W' | tail -n 1 | grep -qx 'health ok'"
empty_list() { last_snap | grep -q '^snap [0-9]* tasks=0 templates=1 '; }
wait_for 10 "the new server's (empty) task list" empty_list
[ "$(lists "$TL")" -gt "$l1" ] || fail "no relist after the restart"
kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true; watch_pid=
grep -q '^watch ended$' "$W" || fail "the feed did not stop cleanly"
sanitizer_clean "the watch feed" "$(cat "$W")"
sanitizer_clean "logs -f" "$(cat "$tmp/follow.out")"
echo "PASS: kube/ against the stand-in"
