# Bash helpers to run the Kubernetes API stand-in from a test (source me).
#
#   source "$MIGTOP_SOURCE_DIR/tests/standin/standin.sh"
#   standin_start "$tmp/k8s" --controller-speed 2     # sets STANDIN_PID, STANDIN_URL, STANDIN_DIR
#   ... kubectl --kubeconfig "$STANDIN_DIR/kubeconfig-token" ...
#   standin_ctl fail count=2                            # control API (tests/standin/README.md)
#   standin_stop                                        # also safe from an EXIT trap
#
# The server's stdout/stderr go to $STANDIN_DIR/server.out.

STANDIN_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

standin_start() {
    STANDIN_DIR=$1
    shift
    mkdir -p "$STANDIN_DIR"
    rm -f "$STANDIN_DIR/url"
    python3 "$STANDIN_HOME/kube_standin.py" --dir "$STANDIN_DIR" "$@" \
        >"$STANDIN_DIR/server.out" 2>&1 &
    STANDIN_PID=$!
    local i
    for i in $(seq 1 200); do
        if [ -s "$STANDIN_DIR/url" ]; then
            STANDIN_URL=$(cat "$STANDIN_DIR/url")
            export STANDIN_DIR STANDIN_PID STANDIN_URL
            return 0
        fi
        if ! kill -0 "$STANDIN_PID" 2>/dev/null; then
            echo "standin_start: the server exited:" >&2
            cat "$STANDIN_DIR/server.out" >&2
            return 1
        fi
        sleep 0.05
    done
    echo "standin_start: no READY within 10 s" >&2
    cat "$STANDIN_DIR/server.out" >&2
    return 1
}

standin_ctl() {
    python3 "$STANDIN_HOME/standinctl.py" "$STANDIN_DIR" "$@"
}

standin_stop() {
    if [ -n "${STANDIN_PID:-}" ] && kill -0 "$STANDIN_PID" 2>/dev/null; then
        kill "$STANDIN_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do
            kill -0 "$STANDIN_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$STANDIN_PID" 2>/dev/null || true
        wait "$STANDIN_PID" 2>/dev/null || true
    fi
    STANDIN_PID=
}
