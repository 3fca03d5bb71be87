#!/usr/bin/env bash
# Regenerates the README's pictures of the three wizards from a real run:
# two throwaway PostgreSQL servers, the create wizard (objects, review),
# the cutover wizard at gate 3 with the business writing, and the
# terminate flow's clean check. Captured with colours (capture-pane -e),
# turned into HTML by aha and PNG by headless Chromium, like
# screenshots/make.sh. Every capture is checked for the passwords.
#   tests/wizard/screenshots.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=$PWD
build=$(cd "${1:-build}" && pwd)
export MIGTOP_SOURCE_DIR=$here MIGTOP_BUILD_DIR=$build MIGTOP_BIN=$build/bin/migtop
source tests/support/engine.sh
export XDG_STATE_HOME=$work/xdg
state=$XDG_STATE_HOME/migtop
export TMUX_SCREENS=$work/screens
mkdir -p "$TMUX_SCREENS"
source tests/support/tmux.sh
trap 'tmux_cleanup; et_cleanup' EXIT
SRC_PW='Shot-src-pw1'
SINK_PW='Shot-sink-pw2'

source screenshots/shot.sh
shot() { shot_png "$1" 80 24 "$work" "$here/screenshots" "$SRC_PW" "$SINK_PW"; }
see() { tmux_wait "$1" "${2:-10}"; }

pgc_start src
pgc_start sink
pgc_psql src -d postgres >/dev/null <<SQL
CREATE ROLE mig LOGIN REPLICATION SUPERUSER PASSWORD '$SRC_PW';
CREATE TABLE public.orders (id int PRIMARY KEY, item text, qty int);
INSERT INTO public.orders SELECT g, 'item ' || g, g % 7 FROM generate_series(1, 20000) g;
CREATE TABLE public.customers (id serial PRIMARY KEY, name text);
INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 900) g;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id bigserial PRIMARY KEY, what text);
ANALYZE;
SQL
pgc_psql sink -d postgres -c "CREATE ROLE mig LOGIN SUPERUSER PASSWORD '$SINK_PW'" >/dev/null

tmux_start 80 24 "$MIGTOP_BIN --backend local"
see 'no migration tasks|NAME'
tmux_keys c; see 'Backend'; tmux_keys Enter
tmux_type shop-orders; tmux_keys Enter; see 'Template'; tmux_keys Enter
for side in src sink; do
  pw=$SRC_PW; [ $side = sink ] && pw=$SINK_PW
  see '> Host'
  tmux_type 127.0.0.1; tmux_keys Tab C-u; tmux_type "$(pgc_port $side)"; tmux_keys Tab
  tmux_type postgres; tmux_keys Tab; tmux_type mig; tmux_keys Tab; tmux_type "$pw"; tmux_keys Enter
  see "connected to mig@127.0.0.1|\[ \] public" 20
done
see '\[ \] public' 20
tmux_keys j j Space j
see '\[x\] public'
shot wizard-create-objects
tmux_keys Enter; see '> precheck'; tmux_keys Enter
see 'precheck passed|precheck: [0-9]+ check' 30
shot wizard-create-review
tmux_keys Enter
if tmux_wait 'Enter again creates' 2 2>/dev/null; then tmux_keys Enter; fi
see 'task shop-orders' 20
et_wait_status shop-orders 'status=Running' 120

for i in $(seq 400); do
  echo "BEGIN; UPDATE orders SET qty = qty + 1 WHERE id = $((i % 20000 + 1)); SELECT pg_sleep(0.3); COMMIT;"
done | PGAPPNAME=checkout pgc_psql src -d postgres >/dev/null 2>&1 &
ET_PIDS+=($!)
tmux_keys x
see 'Gate 1: Task healthy +pass' 15; tmux_keys Enter
see 'Gate 2: Lag near zero +pass' 30; tmux_keys Enter
see 'postgres \(checkout\)' 15
shot wizard-cutover-writes
pgc_psql src -d postgres -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'checkout'" >/dev/null
see 'Gate 3: Business writes paused +pass' 20
tmux_keys Q
see 'cutover aborted' 10
tmux_keys T
see 'terminate a migration task'
tmux_type shop-orders; tmux_keys Tab; tmux_type "$SRC_PW"; tmux_keys Enter
see 'clean: slot shop_orders and publication' 60
shot wizard-terminate-clean
tmux_keys Enter q
see 'migtop exited with 0' 30
