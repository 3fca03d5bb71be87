#!/usr/bin/env bash
# The dashboard's first screen with many local tasks (issue 16): the local
# feed's first snapshot holds the first screen's tasks only (64 by name),
# with a notice saying how many there are, so it comes in a few ms
# however many tasks the state holds; the next one has all of them and
# no notice. With few tasks the first snapshot is already all of them.
set -euo pipefail
source "$MIGTOP_SOURCE_DIR/tests/support/engine.sh"

# A task that failed at once (nothing listens on port 1), copied 300 times.
"$bin" create seed --local --state-dir "$state" --template migtop-local-pg2pg \
  --source u:p@127.0.0.1:1/db --sink u:p@127.0.0.1:1/db --migration-object '"public"' >/dev/null 2>&1
for _ in $(seq 100); do grep -q '"Failed"' "$state/tasks/seed/status.json" 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 50); do [ -z "$(pgrep -f "migtop (run|supervise) seed")" ] && break; sleep 0.1; done
grep -q '"Failed"' "$state/tasks/seed/status.json" || fail "the seed task did not fail"
for i in $(seq -w 1 300); do
  d=$state/tasks/t-$i
  mkdir -p "$d"
  cp "$state/tasks/seed/spec.json" "$state/tasks/seed/status.json" "$d/"
  sed -i "s/\"seed\"/\"t-$i\"/" "$d/spec.json"
done
rm -rf "$state/tasks/seed"

"$tool" feed "$state" - 300 >"$work/feed.out" || fail "the feed never had the 300 tasks: $(cat "$work/feed.out")"
cat "$work/feed.out"
first=$(head -1 "$work/feed.out")
last=$(tail -1 "$work/feed.out")
[[ "$first" == 'tasks=64 notice="reading the local tasks: the first 64 of 300 shown, the rest in a moment"' ]] ||
  fail "the first snapshot is not the first screen's tasks with the notice: $first"
[ "$last" = "tasks=300" ] || fail "the whole snapshot is not the last, or keeps the notice: $last"

# Few tasks: all of them at once, no notice.
rm -rf "$state"/tasks/t-1* "$state"/tasks/t-2* "$state"/tasks/t-0[2-9]*
n=$(ls "$state/tasks" | wc -l)
"$tool" feed "$state" - "$n" >"$work/feed2.out" || fail "the feed never had the $n tasks"
[ "$(head -1 "$work/feed2.out")" = "tasks=$n" ] || fail "with $n tasks the first snapshot is not all: $(cat "$work/feed2.out")"
echo "PASS: 300 tasks: 64 first, then all; $n tasks: all at once"
