#!/usr/bin/env bash
# The help, the manual page and the completions come from one table: every
# command's --help answers, the manual renders and names every command and
# every flag the help names, and each shell's completion script loads; in
# bash (and fish) it completes commands, flag values and a real task's name.
set -euo pipefail
M=${MIGTOP_BIN:?}
work=$(mktemp -d)
trap 'pkill -f "migtop run helptask" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$work/bin"
ln -s "$M" "$work/bin/migtop"
export PATH="$work/bin:$PATH" XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config
unset KUBECONFIG

cmds=$(migtop help | sed -n '/^Commands/,/^$/p' | awk 'NR > 1 && NF {print $1}')
[ "$(echo "$cmds" | wc -w)" -ge 14 ] || fail "migtop help lists too few commands: $cmds"
migtop help --man > "$work/migtop.1"
man -l -P cat "$work/migtop.1" > "$work/man.txt" 2>/dev/null || fail "the manual does not render"
for c in $cmds; do
  migtop "$c" --help > "$work/$c.help" || fail "migtop $c --help exited $?"
  grep -q "^usage: migtop $c" "$work/$c.help" || fail "migtop $c --help has no usage line"
  grep -q "^   $c\$" "$work/man.txt" || fail "the manual has no section for $c"
  # Every flag the help names is in the manual too.
  for f in $(grep -oE '^  (-[a-zA-Z], )?--[a-z-]+' "$work/$c.help" | grep -oE -- '--[a-z-]+'); do
    grep -q -- "$f" "$work/man.txt" || fail "the manual does not name $c's $f"
  done
done
migtop help nosuch 2>/dev/null && fail "help of a command that does not exist succeeded"
migtop completion tcsh 2>/dev/null && fail "completion for an unknown shell succeeded"
grep -q 'KEYS' "$work/man.txt" && grep -q 'cut over the selected task' "$work/man.txt" ||
  fail "the manual lacks the dashboard's keys"
grep -q 'XDG_STATE_HOME' "$work/man.txt" || fail "the manual lacks the environment"

# A local task to complete (its runner fails at once: nothing listens on port 1).
migtop create helptask --local --template migtop-local-pg2pg --source u:p@127.0.0.1:1/db \
  --sink u:p@127.0.0.1:1/db --migration-object '"public"' >/dev/null 2>&1 ||
  fail "create --local"
migtop list -o name | grep -qx 'migrationtask.datamigration.apecloud.io/helptask' ||
  fail "list -o name does not print the task"

migtop completion bash > "$work/migtop.bash"
complete_bash() { # words... (the last one is completed)
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _migtop
           printf "%s\n" "${COMPREPLY[@]}"' _ "$work/migtop.bash" "$@"
}
complete_bash migtop desc | grep -qx describe || fail "bash: no command completion"
complete_bash migtop logs helptask --step "" | grep -qx cdc || fail "bash: no --step values"
complete_bash migtop describe "" | grep -qx helptask || fail "bash: no task name"
complete_bash migtop list --o | grep -qx -- --output || fail "bash: no flag completion"

migtop completion zsh > "$work/_migtop"
if command -v zsh >/dev/null; then
  zsh -n "$work/_migtop" || fail "zsh: the script does not parse"
fi
migtop completion fish > "$work/migtop.fish"
if command -v fish >/dev/null; then
  fish --no-execute "$work/migtop.fish" || fail "fish: the script does not parse"
  fish -c "source $work/migtop.fish; complete -C 'migtop describe '" | grep -q '^helptask' ||
    fail "fish: no task name"
fi
echo "help, manual and completions: ok"
