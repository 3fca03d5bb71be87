#!/usr/bin/env bash
# The dashboard on the kube backend, against the Kubernetes API stand-in
# over TLS, as a person at 2 a.m. sees it: a task created while watching
# goes Prepare -> Init -> Running on the stand-in's controller; its detail
# shows the CDC lag (the stand-in is told to lag 40 s) and the data age; its
# cdc logs stream position lines; `:ns` and `:ctx` re-target the watch; the
# apiserver killed under the dashboard leaves the keys answering at once,
# a banner with the error and the age of the last data, the data on
# screen, and recovery when it comes back; then the task is terminated and
# the list shows it Terminating, then gone.
set -euo pipefail
SRC=${MIGTOP_SOURCE_DIR:?}
M=${MIGTOP_BIN:?}
work=$(mktemp -d)
export TMUX_SCREENS=$work
source "$SRC/tests/support/tmux.sh"
source "$SRC/tests/standin/standin.sh"
cleanup() {
    tmux_cleanup
    standin_stop
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    tmux_snap >&2 || true
    exit 1
}

export KUBECONFIG=/nonexistent XDG_STATE_HOME=$work/xdg
standin_start "$work/k8s" --controller-speed 0.6 --bookmark-interval 1
D=$STANDIN_DIR
port=${STANDIN_URL##*:}
K=(--kubeconfig "$D/kubeconfig-token")

# The dashboard authenticates the three ways (the rest of the test: token).
standin_ctl seed tasks=1 prefix=seeded- >/dev/null
for auth in cert exec; do
    tmux_start 100 30 "$M" --kubeconfig "$D/kubeconfig-$auth"
    tmux_wait 'seeded-0 +default +apecloud-pg2pg +Running' 10 || fail "dashboard with $auth"
    tmux_cleanup
done
standin_ctl reset >/dev/null

tmux_start 100 30 "$M" --kubeconfig "$D/kubeconfig-token"
tmux_wait 'kube standin/default' 10 || fail "status bar names the context and namespace"
tmux_wait 'updated [0-9.]+s ago|no migration tasks' 10 || fail "the data age is shown"

# A task created while watching: Prepare, Init, Running on screen.
"$M" create t-dash "${K[@]}" --template apecloud-pg2pg --source 'src:pw1@10.0.0.1:5432/appdb' \
    --sink 'dst:pw2@10.0.0.2:5432/appdb' --migration-object '"public.t1"' >/dev/null
tmux_wait 't-dash +default +apecloud-pg2pg +Prepare' 5 || fail "t-dash shown in Prepare"
tmux_wait 't-dash +default +apecloud-pg2pg +Init' 10 || fail "t-dash shown in Init"
standin_ctl cdc-lag seconds=40 >/dev/null
tmux_wait 't-dash +default +apecloud-pg2pg +Running' 25 || fail "t-dash shown Running"

# Its detail: the lag the stand-in reports (40 s behind) and the data age.
tmux_keys /
tmux_type t-dash
tmux_keys Enter
tmux_keys Enter
tmux_wait 'task default/t-dash' 5 || fail "detail view of t-dash"
tmux_wait 'CDC lag (4[0-9]|5[0-9])(\.[0-9])?s +position [0-9A-F]+/[0-9A-F]+ +data [0-9.]+s old' 15 ||
    fail "the detail shows a lag of about 40 s, the position and the data age"
tmux_screen | grep -Eq 'source_position' || tmux_keys G
tmux_snap >/dev/null

# Its cdc logs: position lines, their lag, how old the log is.
tmux_keys l
tmux_wait 'step cdc' 10 || fail "the logs view opens on the cdc step"
tmux_wait 'current_position: [0-9A-F]+/[0-9A-F]+' 10 || fail "cdc position lines"
tmux_wait 'data [0-9.]+s old' 5 || fail "the logs view shows the age of its lines"
tmux_wait 'log lag (4[0-9]|5[0-9])' 10 || fail "the lag from the newest position line"
# The search starts empty each time and says what it found.
tmux_keys /; tmux_type current_position; tmux_keys Enter
tmux_wait '[0-9]+ lines? match "current_position"' 5 || fail "the search does not say how many match"
tmux_keys /
# The prompt is drawn on the next turn of the UI: wait for the bottom line to
# become the prompt, then it must hold nothing from the last search.
for ((i = 0; i < 50; i++)); do
  last=$(tmux_screen | tail -1)
  case $last in /*) break ;; esac
  sleep 0.1
done
printf '%s\n' "$last" | grep -q '^/ *$' || fail "the search did not start empty: $last"
tmux_type no-such-text; tmux_keys Enter
tmux_wait 'no line matches "no-such-text"' 5 || fail "no word when nothing matches"
# Ctrl-S saves the lines shown, owner-only, and says where.
tmux_keys C-s
tmux_wait 'saved [0-9]+ lines? to ' 5 || fail "Ctrl-S did not save the log"
saved=$(ls "$XDG_STATE_HOME"/migtop/logs/standin/default_t-dash-cdc-*.log) || fail "no saved log file"
[ "$(stat -c %a "$saved")" = 600 ] || fail "the saved log is not owner-only"
grep -q 'current_position' "$saved" || fail "the saved log lacks the lines"
tmux_keys Escape # the detail
tmux_keys Escape # the list
tmux_keys Escape # the filter cleared
tmux_gone 'tasks /t-dash' 3 || fail "the filter is cleared"

# :ns and :ctx, k9s-like.
tmux_keys :
tmux_type 'ns kube-system'
tmux_keys Enter
tmux_wait 'kube standin/kube-system' 5 || fail ":ns kube-system"
tmux_gone 't-dash +default' 5 || fail "the other namespace's task is gone from the list"
tmux_keys :
tmux_type 'ns all'
tmux_keys Enter
tmux_wait 'kube standin/all namespaces' 5 || fail ":ns all"
tmux_wait 't-dash +default ' 10 || fail "t-dash back with every namespace"
tmux_keys :
tmux_type 'ctx nowhere'
tmux_keys Enter
tmux_wait 'context.*nowhere' 5 || fail ":ctx with an unknown context says so"
tmux_screen | grep -q 'kube standin/all namespaces' || fail "a failed :ctx changes nothing"
# Tab completes the kubeconfig's contexts and the namespaces seen.
tmux_keys :
tmux_type 'ns de'
tmux_keys Tab
tmux_wait '^:ns default( |$)' 3 || fail ":ns de<Tab> did not complete the namespace"
tmux_keys Escape
tmux_keys :
tmux_type 'ctx st'
tmux_keys Tab
tmux_wait '^:ctx standin( |$)' 3 || fail ":ctx st<Tab> did not complete the context"
tmux_keys Enter
tmux_wait 'kube standin/default' 5 || fail ":ctx standin starts in its namespace"
tmux_wait 't-dash +default +apecloud-pg2pg +Running' 10 || fail "t-dash after :ctx"

# The apiserver dies: keys still answer at once, a banner with the error
# and the age of the last good data, the data stays.
standin_stop
tmux_wait 'showing the last good data \(updated [0-9.]+s ago' 20 || fail "banner with the last data's age"
tmux_screen | grep -Eq 't-dash +default +apecloud-pg2pg +Running' || fail "the last data stays on screen"
start=$(date +%s%N)
tmux_keys '?'
tmux_wait 'Navigation' 2 || fail "help did not open while the server is down"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "help opened in ${ms} ms with the server down"
[ "$ms" -lt 1500 ] || fail "a key took ${ms} ms with the server down"
tmux_keys q
tmux_wait 't-dash' 2 || fail "back to the list"
# It comes back (same port, certificates and token): the banner goes.
standin_start "$D" --port "$port" --controller-speed 0.6
tmux_gone 'showing the last good data' 40 || fail "no recovery after the server came back"
tmux_snap >/dev/null

# A new server has its own tasks (none): create t-dash again, then terminate
# it from a script while watching: Terminating, then gone.
"$M" create t-dash "${K[@]}" --template apecloud-pg2pg --source 'src:pw1@10.0.0.1:5432/appdb' \
    --sink 'dst:pw2@10.0.0.2:5432/appdb' --migration-object '"public.t1"' >/dev/null
tmux_wait 't-dash +default +apecloud-pg2pg +(Prepare|Init)' 10 || fail "t-dash again"
"$M" terminate t-dash "${K[@]}" --wait=false >/dev/null
tmux_wait 't-dash +default +apecloud-pg2pg +Terminating' 10 || fail "t-dash Terminating"
tmux_gone 't-dash' 20 || fail "t-dash gone after terminate"
if grep -l 'pw1\|pw2' "$work"/screen-*.txt; then fail "a password is on a screen"; fi
# q quits cleanly (under ASan: no leak from the switched backends and feeds).
tmux_keys q
tmux_wait 'migtop exited with 0' 10 || fail "migtop did not exit cleanly"
echo PASS
