# The cutover wizard's steps the tmux tests share, and a writer that keeps
# its session open. Source after engine_tui.sh (see, tmux_keys, ET_PIDS).
#
#   pipe_writer FIFO APP ROLE PASSWORD PORT FORMAT DELAY
#       a psql session of application APP that stays open, reading one
#       statement every DELAY s from a pipe; FORMAT is a printf format
#       with one %d (a counter). Sets PIPE_FD: `exec {PIPE_FD}>&-` ends it.
#   cut_seq_apply SEQUENCE   gate 5 shows the plan for SEQUENCE; A applies
#                            it; the sink is read again and in sync
#   cut_pause ROLE           gate 3 fails; E lists ROLE's sessions; y pauses;
#                            gate 3 passes
#   cut_switch [stray]       gate 7: Enter, y; the done page (stray: a stray
#                            key first, which records nothing)

pipe_writer() {
  local fifo=$1 app=$2 role=$3 pw=$4 port=$5 fmt=$6 delay=$7
  mkfifo "$fifo"
  (PGPASSWORD=$pw PGAPPNAME=$app psql -X -q -h 127.0.0.1 -p "$port" -U "$role" -d postgres \
     <"$fifo" >"$fifo.out" 2>&1) &
  ET_PIDS+=($!)
  exec {PIPE_FD}>"$fifo"
  ( i=0; while printf "$fmt\n" "$i" >&"$PIPE_FD" 2>/dev/null; do i=$((i + 1)); sleep "$delay"; done ) &
  ET_PIDS+=($!)
}

# The screen as one line, for readings the pane wraps.
flat() { tmux_screen | tr -s ' \n' '  '; }

cut_seq_apply() {
  see 'Gate 5: Sequences +FAIL' 20
  see "$1.*setval" 5
  tmux_keys A
  see 'Gate 5: Sequences +pass' 20
  see 'applied on the sink' 5
  flat | grep -Eq 'applied on the sink, read again: ([0-9]+) of \1 now in sync' ||
    fail "gate 5 does not say the sink was read again and is in sync: $(flat)"
}

cut_pause() {
  see 'Gate 3: Business writes paused +FAIL' 15
  tmux_keys E
  see 'Pause the writes\?' 10
  flat | grep -q "role $1" || fail "the pause list does not name $1: $(flat)"
  tmux_keys y
  see 'writes paused: postgres is read-only for new sessions' 15
  see 'Gate 3: Business writes paused +pass' 30
}

cut_switch() {
  see 'Gate 7: Switch' 5
  tmux_keys Enter
  see 'Has the application been switched to the sink\?' 5
  if [ "${1:-}" = stray ]; then
    tmux_keys n
    see 'not recorded: only y records the switch' 5
    tmux_keys Enter
    see 'Has the application been switched to the sink\?' 5
  fi
  tmux_keys y
  see 'Cutover done' 10
}
