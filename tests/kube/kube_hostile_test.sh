#!/usr/bin/env bash
# The Kubernetes backend against hostile input and a broken server:
#  - a 4 KB kubeconfig of nested YAML aliases ("billion laughs") refused
#    in under a second under a 1 GB memory limit, saying why;
#  - a kubeconfig of 40,000 contexts read (merging is linear);
#  - a 10 MB token refused with a sensible message, not "Out of memory";
#  - a server that answers every watch with 410 Gone: relists backed off
#    (the request rate stays bounded) and the banner says so; once the
#    server behaves, the banner goes.
set -euo pipefail

SRC=${MIGTOP_SOURCE_DIR:?}
BUILD=${MIGTOP_BUILD_DIR:?}
TOOL=$BUILD/tests/kube/kube_tool
bin=${MIGTOP_BIN:?}
tmp=$(mktemp -d)
watch_pid=
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null && wait "$watch_pid" 2>/dev/null
  standin_stop
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$SRC/tests/standin/standin.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
export HOME=$tmp/home KUBECACHEDIR=$tmp/kubecache
mkdir -p "$HOME"
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT

echo "== an alias bomb"
python3 - "$tmp/bomb.yaml" <<'PY'
import sys
lines = ['apiVersion: v1', 'kind: Config', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    prev = f"*a{i-1}"
    lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
lines.append("contexts: [*a9]")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
ls -l "$tmp/bomb.yaml" | awk '{print "kubeconfig of", $5, "bytes"}'
set +e
# A 1 GB cap: ulimit -v, or (AddressSanitizer reserves terabytes of address
# space, so no ulimit there) its own RSS limit. The time asked of it is the
# CPU time migtop spends (user + system, from getrusage): on a shared
# 2-core machine the wall clock measures the neighbours too.
limit=1.0
cpu_of() { # cpu_of OUTFILE CMD...: runs it, its CPU seconds into OUTFILE
  local f=$1; shift
  python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.2f" % (r.ru_utime + r.ru_stime))
sys.exit(rc)' "$f" "$@"
}
t0=$(date +%s.%N)
if grep -q '^MIGTOP_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  limit=5.0 # the sanitizers' own slowness
  out=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=1024" cpu_of "$tmp/cpu" "$bin" list --kubeconfig "$tmp/bomb.yaml" 2>&1)
else
  out=$( (ulimit -v 1048576; cpu_of "$tmp/cpu" "$bin" list --kubeconfig "$tmp/bomb.yaml") 2>&1)
fi
rc=$?
set -e
t1=$(date +%s.%N)
wall=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$t1")
secs=$(cat "$tmp/cpu")
echo "$out"
echo "refused in ${secs}s of CPU (${wall}s of wall clock; exit $rc)"
[ "$rc" = 1 ] || fail "the alias bomb: exit $rc"
grep -q 'expands to more than 2000000 nodes' <<<"$out" || fail "the alias bomb is not named"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$secs" "$limit" ||
  fail "the alias bomb took ${secs}s to refuse"

standin_start "$tmp/k8s" --controller-speed 4 --seed-tasks 2 --bookmark-interval 600
D=$STANDIN_DIR

echo "== 40,000 contexts"
python3 - "$D/kubeconfig-token" "$tmp/big.yaml" <<'PY'
import json, sys, yaml
base = yaml.safe_load(open(sys.argv[1]))
ctx, cl, us = base["contexts"][0], base["clusters"][0], base["users"][0]
for i in range(40000):
    base["contexts"].append({"name": f"c{i}", "context": dict(ctx["context"])})
    base["clusters"].append({"name": f"k{i}", "cluster": dict(cl["cluster"])})
    base["users"].append({"name": f"u{i}", "user": {"token": "x"}})
# Written by hand, a flow mapping per item in block lists: yaml.safe_dump
# took 36 s of CPU (10 s with libyaml's emitter) for these 120,000 items,
# which five tests at a time on two cores stretched past the timeout.
lists = ("contexts", "clusters", "users")
with open(sys.argv[2], "w") as f:
    f.write(yaml.safe_dump({k: v for k, v in base.items() if k not in lists}))
    for k in lists:
        f.write(f"{k}:\n" + "".join(f"- {json.dumps(item)}\n" for item in base[k]))
PY
"$bin" list --kubeconfig "$tmp/big.yaml" >"$tmp/big.out" || fail "a kubeconfig of 40,000 contexts: $(cat "$tmp/big.out")"
grep -q '^bench-0 ' "$tmp/big.out" || fail "the big kubeconfig listed nothing"

echo "== a 10 MB token"
python3 - "$D/kubeconfig-token" "$tmp/hugetoken.yaml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["users"][0]["user"] = {"token": "x" * (10 << 20)}
yaml.safe_dump(c, open(sys.argv[2], "w"))
PY
set +e
out=$("$bin" list --kubeconfig "$tmp/hugetoken.yaml" 2>&1)
set -e
echo "$out"
grep -q 'the bearer token from the kubeconfig.s user is 10240 KiB' <<<"$out" ||
  fail "a 10 MB token: $out"

echo "== 410 Gone on every watch"
W=$tmp/watch.out
"$TOOL" --kubeconfig "$D/kubeconfig-token" watch 100 >"$W" 2>&1 &
watch_pid=$!
for _ in $(seq 100); do grep -q '^snap ' "$W" && break; sleep 0.1; done
standin_ctl fail code=410 path=watch=1 >/dev/null
standin_ctl drop >/dev/null
n0=$(wc -l <"$D/requests.log")
sleep 12
n1=$(wc -l <"$D/requests.log")
rate=$(python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 12:.1f}')" "$n0" "$n1")
echo "requests while every watch answers 410: $rate per second"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 3 else 1)" "$rate" ||
  fail "the 410 storm is not backed off: $rate requests a second"
grep '^health' "$W" | tail -n 1 | grep -q 'answers 410 Gone again and again' ||
  fail "no banner for the 410 storm: $(grep '^health' "$W" | tail -n 3)"
standin_ctl clear >/dev/null
for _ in $(seq 400); do grep '^health' "$W" | tail -n 1 | grep -qx 'health ok' && break; sleep 0.1; done
grep '^health' "$W" | tail -n 1 | grep -qx 'health ok' || fail "the banner stayed after the server recovered"
echo PASS
