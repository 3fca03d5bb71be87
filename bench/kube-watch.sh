#!/usr/bin/env bash
# The kube backend on a quiet cluster: 200 Running tasks on the API
# stand-in (tests/standin/), the dashboard (migtop --backend kube) in tmux,
# nothing changing for IDLE seconds. Prints requests and bytes per minute
# that migtop caused, beside `kubectl get migrationtasks -w` (the watch
# alone, the floor) measured in the same window, and the key-echo time
# ('?' to the help screen appearing) while the server stalls every request.
# Targets (issue 3): the watch alone (~0 requests/min), echo < 50 ms.
#   bench/kube-watch.sh [IDLE_SECONDS]   (default 60)
#   MIGTOP_BUILD_DIR=build-x bench/kube-watch.sh   (else scripts/build.sh, build/)
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-60}
if [ -n "${MIGTOP_BUILD_DIR:-}" ]; then
  bin=$MIGTOP_BUILD_DIR/bin/migtop
else
  scripts/build.sh >/dev/null
  bin=$PWD/build/bin/migtop
fi
[ -x "$bin" ] || { echo "no migtop at $bin" >&2; exit 1; }
work=$(mktemp -d)
export TMUX_SCREENS=$work KUBECACHEDIR=$work/kubecache
source tests/support/tmux.sh
source tests/standin/standin.sh
kpid=
trap '[ -n "$kpid" ] && kill "$kpid" 2>/dev/null; tmux_cleanup; standin_stop; rm -rf "$work"' EXIT

standin_start "$work/k8s" --seed-tasks 200
D=$STANDIN_DIR
stat_of() { # stat_of JSON USER FIELD
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["users"].get(sys.argv[2], {}).get(sys.argv[3], 0))' "$@"
}

# migtop with the token, kubectl with the client certificate: the stand-in
# counts them apart (stats "users").
tmux_start 200 50 "$bin" --backend kube --kubeconfig "$D/kubeconfig-token"
tmux_wait 'bench-1 ' 20 >/dev/null
kubectl --kubeconfig "$D/kubeconfig-cert" get migrationtasks -w >"$work/kubectl.out" 2>&1 &
kpid=$!
for _ in $(seq 100); do [ "$(grep -c bench- "$work/kubectl.out")" -ge 200 ] && break; sleep 0.1; done
sleep 2 # both past their start-up reads
standin_ctl stats/reset >/dev/null
log_from=$(wc -l <"$D/requests.log")
sleep "$idle"
standin_ctl stats >"$work/stats.json"
tail -n +"$((log_from + 1))" "$D/requests.log" >"$work/window.log"
kill "$kpid" 2>/dev/null || true
wait "$kpid" 2>/dev/null || true
kpid=

per_min() { echo "$1 * 60 / $idle" | bc -l; }
m_req=$(stat_of "$work/stats.json" token requests) m_bytes=$(stat_of "$work/stats.json" token bytes)
k_req=$(stat_of "$work/stats.json" cert:migtop-test requests) k_bytes=$(stat_of "$work/stats.json" cert:migtop-test bytes)
m_log=$(awk -F'\t' '$7 == "token"' "$work/window.log" | wc -l)
k_log=$(awk -F'\t' '$7 == "cert:migtop-test"' "$work/window.log" | wc -l)

# Key echo: one tmux control-mode client sends '?' and reads migtop's
# output as tmux receives it, so no tmux process start-up is counted
# (spawning send-keys + capture-pane costs ~40 ms here by itself). Measured
# with the server healthy, then while it stalls every request.
echo_times() {
  python3 - "$TMUX_SOCK" <<'EOF'
import os, select, subprocess, sys, time
p = subprocess.Popen(["tmux", "-L", sys.argv[1], "-C", "attach", "-t", "t"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
fd = p.stdout.fileno()
def read_until(word, secs):
    buf, end = b"", time.monotonic() + secs
    while time.monotonic() < end:
        if select.select([fd], [], [], 0.02)[0]:
            buf += os.read(fd, 65536)
            if word and word in buf:
                return True
    return False
read_until(None, 0.5)
for _ in range(10):
    t0 = time.monotonic()
    p.stdin.write(b"send-keys -t t ?\n")
    ok = read_until(b"Navigation", 5)  # the help screen's first section
    print("%d" % ((time.monotonic() - t0) * 1e6) if ok else "timeout")
    p.stdin.write(b"send-keys -t t Escape\n")
    read_until(None, 0.4)  # back on the task list; drain its redraw
p.stdin.close()
p.wait()
EOF
}
median_ms() { sort -n | sed -n 5p | awk '{printf "%.1f", $1 / 1000}'; }
worst_ms() { sort -n | tail -n 1 | awk '{printf "%.1f", $1 / 1000}'; }
healthy=$(echo_times)
# Stall every new request and cut the open watches: the feed's reconnects
# now hang (the dashboard keeps its data and says how old it is).
standin_ctl stall >/dev/null
standin_ctl drop >/dev/null
sleep 1
stalled=$(echo_times)
banner=$(tmux_screen | tail -n 1 | tr -s ' ')
standin_ctl clear >/dev/null
if grep -q timeout <<<"$healthy$stalled"; then echo "a key got no answer within 5 s" >&2; exit 1; fi

echo "stand-in: 200 Running tasks, nothing changing for ${idle}s; bookmarks every 5 s"
printf '%-40s %14s %14s %10s\n' "figure" "migtop" "kubectl -w" "target"
printf '%-40s %14.1f %14.1f %10s\n' "requests started per minute" "$(per_min "$m_req")" "$(per_min "$k_req")" "~0"
printf '%-40s %14.1f %14.1f %10s\n' "requests finished per minute (log)" "$(per_min "$m_log")" "$(per_min "$k_log")" "~0"
printf '%-40s %14.0f %14.0f %10s\n' "bytes per minute" "$(per_min "$m_bytes")" "$(per_min "$k_bytes")" "watch only"
printf '%-40s %11s ms %14s %10s\n' "key echo, server healthy (median of 10)" "$(median_ms <<<"$healthy")" "-" "< 50 ms"
printf '%-40s %11s ms %14s %10s\n' "key echo, server stalled (median of 10)" "$(median_ms <<<"$stalled")" "-" "< 50 ms"
printf '%-40s %11s ms %14s %10s\n' "key echo, server stalled (worst of 10)" "$(worst_ms <<<"$stalled")" "-" "< 50 ms"
echo "screen bottom during the stall: $banner"
echo "migtop's bytes in the window by kind (the open watches' bookmarks; kubectl -w asks for none):"
python3 -c 'import json,sys; [print("  %-28s %6d bytes" % (k, v["bytes"])) for k, v in json.load(open(sys.argv[1]))["classes"].items() if v["bytes"]]' "$work/stats.json"
echo "requests migtop finished in the window (requests.log):"
awk -F'\t' '$7 == "token" {print "  " $2 " " $3 " -> " $4}' "$work/window.log" | sort | uniq -c | head -20
[ "$m_log" -gt 0 ] || echo "  (none)"
