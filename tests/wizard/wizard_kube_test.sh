#!/usr/bin/env bash
# The create wizard on the Kubernetes backend (the API stand-in), with real
# PostgreSQL servers as source and sink: the template comes from the
# cluster's MigrationTemplates, two tables of one schema and a whole other
# schema are picked in the browser, init-struct is switched off, and the
# object the API server stored is the one kbcli builds for the same
# answers (tests/cli/expected_create.py, an independent rebuild of
# kbcli's rules). The detail of the new task opens.
set -euo pipefail
src=${MIGTOP_SOURCE_DIR:?}
work=$(mktemp -d)
chmod 0755 "$work"
export PGC_ROOT=$work/pgc
mkdir -p "$PGC_ROOT"
source "$src/tests/support/pgcluster.sh"
source "$src/tests/standin/standin.sh"
export TMUX_SCREENS=$work/screens
mkdir -p "$TMUX_SCREENS"
source "$src/tests/support/tmux.sh"
cleanup() { tmux_cleanup; standin_stop; pgc_cleanup; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

pgc_start src
pgc_start sink
pgc_psql src -d postgres >/dev/null <<'SQL'
CREATE ROLE app LOGIN REPLICATION SUPERUSER PASSWORD 'pw-src1';
CREATE DATABASE appdb OWNER app;
SQL
pgc_psql src -d appdb >/dev/null <<'SQL'
CREATE TABLE public.t1 (id int PRIMARY KEY);
CREATE TABLE public.t2 (id int PRIMARY KEY);
CREATE TABLE public.t3 (id int PRIMARY KEY);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id int PRIMARY KEY);
SQL
pgc_psql sink -d postgres -c "CREATE ROLE dst LOGIN SUPERUSER PASSWORD 'pw-dst2'" >/dev/null

export KUBECONFIG=/nonexistent
standin_start "$work/k8s"
D=$STANDIN_DIR
see() { tmux_wait "$1" "${2:-10}"; tmux_snap >/dev/null; }

tmux_start 80 24 "$MIGTOP_BIN --kubeconfig $D/kubeconfig-token"
see 'no migration tasks|NAME' 15
tmux_keys t
see 'apecloud-pg2pg' 10
tmux_keys Escape c
see 'Backend +\[kube\]'
see 'Namespace +default'
tmux_keys Enter
tmux_type t-wiz; tmux_keys Enter
see 'Template +\[apecloud-pg2pg\]'
tmux_keys Enter
see '> Host'
tmux_type 127.0.0.1; tmux_keys Tab C-u; tmux_type "$(pgc_port src)"; tmux_keys Tab
tmux_type appdb; tmux_keys Tab; tmux_type app; tmux_keys Tab; tmux_type pw-src1
tmux_keys Enter
see 'source: connected to app@127.0.0.1' 20
tmux_type 127.0.0.1; tmux_keys Tab C-u; tmux_type "$(pgc_port sink)"; tmux_keys Tab
tmux_type postgres; tmux_keys Tab; tmux_type dst; tmux_keys Tab; tmux_type pw-dst2
tmux_keys Enter
see '\[ \] public' 20
# public: t1 and t2 (not t3); sales whole.
tmux_keys j Space j Space
see '\[x\] t2'
tmux_keys j j Space
see 'Objects +3 of 4 selected'
tmux_keys Enter
see '> precheck'
tmux_keys Down Space
see 'init-struct +\[ \]'
tmux_keys Enter
see 'Precheck' 10
tmux_wait 'precheck passed|precheck: [0-9]+ check' 30
tmux_snap >/dev/null
tmux_keys Enter
if tmux_wait 'Enter again creates' 2 2>/dev/null; then tmux_keys Enter; fi
see 'task default/t-wiz' 20

curl -sS --cacert "$D/ca.crt" -H "Authorization: Bearer $(cat "$D/token")" \
    "$STANDIN_URL/apis/datamigration.apecloud.io/v1alpha1/namespaces/default/migrationtasks/t-wiz" \
    >"$work/stored.json" || fail "GET the created task"
python3 "$src/tests/cli/expected_create.py" "$work/stored.json" t-wiz default apecloud-pg2pg \
    "app:pw-src1@127.0.0.1:$(pgc_port src)/appdb" "dst:pw-dst2@127.0.0.1:$(pgc_port sink)/postgres" \
    '"public.t1","public.t2","sales"' 'precheck=true,init-struct=false,init-data=true,cdc=true' \
    || fail "the stored object differs from kbcli's"
tmux_keys q
see 'migtop exited with 0'
grep -l 'pw-src1\|pw-dst2' "$TMUX_SCREENS"/* && fail "a password was drawn"
echo PASS
