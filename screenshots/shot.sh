# One tmux screen to one PNG: capture-pane -e (colours), aha to HTML,
# headless Chromium to PNG. Source after tests/support/tmux.sh.
#   shot_png NAME W H WORKDIR OUTDIR [SECRET...]
# Refuses (exit 1) when any SECRET (a password) is on the screen.
shot_png() {
  local name=$1 w=$2 h=$3 work=$4 out=$5
  shift 5
  tmux -L "$TMUX_SOCK" capture-pane -e -p -t t >"$work/$name.ans"
  local s
  for s in "$@"; do
    if grep -qF -- "$s" "$work/$name.ans"; then
      echo "refusing: a password is on the screen of $name" >&2
      exit 1
    fi
  done
  aha --black --title "migtop" <"$work/$name.ans" |
    sed 's|<pre>|<pre style="font-family: DejaVu Sans Mono, monospace; font-size: 14px; line-height: 1.2; margin: 0">|' \
    >"$work/$name.html"
  # 8.4 x 16.8 px per cell at 14px DejaVu Sans Mono, plus the page margin.
  local pw=$((w * 84 / 10 + 24)) ph=$((h * 168 / 10 + 24))
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chrome" --hide-scrollbars --window-size="$pw,$ph" \
    --screenshot="$out/$name.png" "file://$work/$name.html" >/dev/null 2>&1
  echo "screenshots/$name.png"
}
