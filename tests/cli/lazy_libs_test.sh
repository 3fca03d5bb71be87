#!/usr/bin/env bash
# libpq and libcurl are loaded on first use (libs/lazy.h), as a user sees
# it: a start that needs neither maps neither (the dashboard on a file
# snapshot, on an empty local state, --version); a command that needs one
# whose library is broken ends with exit 127, what is missing and the
# package to install, and no password from its flags; the dashboard whose
# kube feed meets a broken libcurl gives the terminal back (it leaves the
# alternate screen) before the same message.
set -euo pipefail
SRC=${MIGTOP_SOURCE_DIR:?}
M=${MIGTOP_BIN:?}
work=$(mktemp -d)
export TMUX_SCREENS=$work
source "$SRC/tests/support/tmux.sh"
trap 'tmux_cleanup; rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  tmux_snap >&2 || true
  exit 1
}
export HOME=$work/home XDG_STATE_HOME=$work/xdg KUBECONFIG=/nonexistent
mkdir -p "$HOME"

# --version: neither library opened.
LD_DEBUG=files "$M" --version >"$work/v.out" 2>"$work/v.err" || fail "--version"
grep -Eq 'libpq\.so|libcurl\.so' "$work/v.err" && fail "--version loaded libpq or libcurl"
echo "--version: neither library loaded"

# The dashboard's first screens: neither library in its memory map.
mapped() { # PID: the two libraries it has mapped
  grep -Eo 'lib(pq|curl)\.so[.0-9]*' "/proc/$1/maps" 2>/dev/null | sort -u | tr '\n' ' ' || true
}
dash_pid() { pgrep -n -f -- "$1" || true; }
python3 "$SRC/tests/data/make-sample.py" --now "$(date +%s)" --tasks 5 >"$work/snap.json"
tmux_start 100 30 "$M" --file "$work/snap.json"
tmux_wait 'Running' 10 || fail "the file dashboard's list"
pid=$(dash_pid "--file $work/snap.json")
[ -n "$pid" ] || fail "no dashboard process"
[ -z "$(mapped "$pid")" ] || fail "the file dashboard mapped $(mapped "$pid")"
tmux_keys q
tmux_wait 'migtop exited with 0' 20 || fail "q"
tmux_cleanup
mkdir -p "$work/state"
tmux_start 100 30 "$M" --backend local --state-dir "$work/state"
tmux_wait 'local' 10 || fail "the local dashboard"
sleep 1
pid=$(dash_pid "--state-dir $work/state")
[ -z "$(mapped "$pid")" ] || fail "the local dashboard mapped $(mapped "$pid")"
tmux_keys q
tmux_wait 'migtop exited with 0' 20 || fail "q"
tmux_cleanup
echo "the dashboard on a file and on an empty local state: neither library loaded"

# Broken copies first on the library path: dlopen finds them and fails.
broken=$work/broken
mkdir -p "$broken"
: >"$broken/libpq.so.5"
: >"$broken/libcurl.so.4"
rc=0
LD_LIBRARY_PATH=$broken "$M" precheck --source 'postgres://app:S3cret-pw@127.0.0.1:1/db' \
  --sink 'postgres://app:S3cret-pw@127.0.0.1:1/db' --migration-object '"public"' \
  >"$work/p.out" 2>"$work/p.err" || rc=$?
[ "$rc" = 127 ] || fail "precheck with a broken libpq: exit $rc, not 127: $(cat "$work/p.err")"
grep -q 'cannot load libpq.so.5' "$work/p.err" || fail "no word of libpq: $(cat "$work/p.err")"
grep -q 'install the libpq5 package' "$work/p.err" || fail "no package named: $(cat "$work/p.err")"
grep -q 'S3cret-pw' "$work/p.out" "$work/p.err" && fail "the password was printed"
echo "precheck, libpq broken: exit 127, $(head -1 "$work/p.err")"

# The kube dashboard: its feed's thread meets the broken libcurl.
cat >"$work/kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: "not-a-real-token"}
contexts:
- name: x
  context: {cluster: c, user: u, namespace: default}
current-context: x
YAML
tmux_start 100 30 "LD_LIBRARY_PATH=$broken" "$M" --kubeconfig "$work/kubeconfig"
tmux_wait 'migtop exited with 127' 20 || fail "the kube dashboard with a broken libcurl"
tmux_screen | grep -q 'cannot load libcurl.so.4' || fail "no word of libcurl"
tmux_screen | grep -q 'install the libcurl4 package' || fail "no package named"
[ "$(_t display -p '#{alternate_on}')" = 0 ] || fail "the terminal was not given back"
tmux_screen | grep -q 'not-a-real-token' && fail "the token was drawn"
echo "the kube dashboard, libcurl broken: the terminal back, then the message, exit 127"
echo PASS
