#!/usr/bin/env python3
"""Kubernetes API stand-in server for migtop's tests.

    python3 tests/standin/kube_standin.py --dir DIR [--port 0]
            [--controller-speed FACTOR] [--seed-tasks N] [--no-crds]

Prints `READY https://127.0.0.1:PORT` once listening. See README.md beside
this file for the files it writes, the API, the control API and the
controller's timeline.
"""
import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from standin import certs, resources as R  # noqa: E402
from standin.control import Faults, Stats  # noqa: E402
from standin.control_api import seed  # noqa: E402
from standin.controller import Controller  # noqa: E402
from standin.logs import LogBook  # noqa: E402
from standin.server import App, make_server  # noqa: E402
from standin.store import Store  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description="Kubernetes API stand-in for migtop's tests")
    p.add_argument("--dir", required=True, help="working directory (certificates, kubeconfigs, logs)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free port)")
    p.add_argument("--controller-speed", type=float, default=1.0,
                   help="divide every controller delay by this factor (default 1)")
    p.add_argument("--seed-tasks", type=int, default=0, help="create N Running tasks at start")
    p.add_argument("--no-crds", action="store_true", help="serve no migration CRDs (addon not enabled)")
    p.add_argument("--bookmark-interval", type=float, default=5.0,
                   help="seconds between watch BOOKMARK events (default 5)")
    p.add_argument("--history", type=int, default=1000, help="watch events kept for resuming (default 1000)")
    a = p.parse_args(argv)
    if a.controller_speed <= 0:
        p.error("--controller-speed must be > 0")
    if a.history < 1:
        p.error("--history must be >= 1")
    return a


def seed_static(store, crds):
    for ns in R.seed_namespaces():
        store.put_raw("namespaces", "v1", "Namespace", ns)
    if crds:
        for crd in R.seed_crds():
            store.put_raw("customresourcedefinitions", "apiextensions.k8s.io/v1",
                          "CustomResourceDefinition", crd)
    t = R.seed_template()
    store.put_raw("migrationtemplates", t["apiVersion"], t["kind"], t)


def main(argv):
    opts = parse_args(argv)
    d = os.path.abspath(opts.dir)
    os.makedirs(d, exist_ok=True)
    try:
        certs.ensure_certs(d)
    except (RuntimeError, OSError) as e:
        print("kube_standin: cannot create certificates in %s: %s" % (d, e), file=sys.stderr)
        return 1
    token = certs.ensure_token(d)

    store = Store(history=opts.history)
    logs = LogBook()
    controller = Controller(store, logs, opts.controller_speed)
    app = App(store, logs, controller, Faults(), Stats(), token, opts, os.path.join(d, "requests.log"))
    seed_static(store, app.crds)
    try:
        srv = make_server(app, opts.port, d)
    except OSError as e:
        print("kube_standin: cannot listen on 127.0.0.1:%d: %s" % (opts.port, e), file=sys.stderr)
        return 1
    port = srv.server_address[1]
    app.url = "https://127.0.0.1:%d" % port
    certs.write_kubeconfigs(d, app.url, token)
    controller.start()
    if opts.seed_tasks > 0 and app.crds:
        seed(app, opts.seed_tasks, "default", "bench-", False)

    def stop(signum, frame):
        app.stopping = True
        controller.stop()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(os.path.join(d, "url.tmp"), "w") as f:
        f.write(app.url)
    os.replace(os.path.join(d, "url.tmp"), os.path.join(d, "url"))
    with open(os.path.join(d, "pid"), "w") as f:
        f.write(str(os.getpid()))
    print("READY %s" % app.url, flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        app.drop_all()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
