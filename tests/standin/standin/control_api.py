"""/_standin/: fault switches, stats, seeding and reset (no authentication)."""
from . import resources as R
from .util import ApiError

KINDS = ("html", "truncated")


def _count(query):
    """None = until cleared (-1), else a positive count."""
    v = query.get("count")
    if v in (None, ""):
        return -1
    if not v.isdigit():
        raise ApiError(400, "count must be a non-negative integer")
    return int(v)


def seed(app, n, ns, prefix, live):
    res = R.find(R.DM_GROUP, R.DM_VERSION, "migrationtasks", True)
    created = 0
    i = 0
    while created < n:
        name = "%s%d" % (prefix, i)
        i += 1
        if app.store.exists("migrationtasks", ns, name):
            continue
        task = app.store.create(res, ns, {
            "apiVersion": res.api_version, "kind": res.kind,
            "metadata": {"name": name, "namespace": ns},
            "spec": {"taskType": "initialization-and-cdc", "template": "apecloud-pg2pg",
                     "sourceEndpoint": {"address": "10.0.1.%d:5432" % (i % 250), "databaseName": "db_test",
                                        "userName": "user", "password": "123456"},
                     "sinkEndpoint": {"address": "10.0.2.%d:5432" % (i % 250), "databaseName": "db_test",
                                      "userName": "user", "password": "123456"},
                     "initialization": {"steps": list(R.TEMPLATE_STEP_ORDER)},
                     "cdc": {"config": {"param": {"extractor.server_id": 10001}}},
                     "migrationObj": {"whiteList": [{"schemaName": "public", "tableList": [
                         {"tableName": "table_test_1", "isAll": True}]}]}}})
        app.controller.seed_running(task, live)
        created += 1
    return created


def reset(app):
    app.controller.forget_all()
    for plural in ("pods", "statefulsets", "jobs", "migrationtasks"):
        for ns, name in app.store.keys(plural):
            app.store.remove(plural, ns, name)
    app.logs.clear()
    app.faults.clear()
    app.stats.reset()


def handle(h, path, query):
    app = h.app
    op = path[len("/_standin/"):].strip("/") if path.startswith("/_standin/") else ""
    method = h.command
    if op == "stats" and method == "GET":
        return h.send_json(200, app.stats.report())
    if op == "state" and method == "GET":
        with app.conns_lock:
            nconn = len(app.conns)
        return h.send_json(200, {"faults": app.faults.state(), "objects": app.store.counts(),
                                 "connections": nconn, "resourceVersion": str(app.store.rv),
                                 "crds": app.crds, "cdc_lag_s": app.controller.cdc_lag})
    if method != "POST":
        raise ApiError(405 if op else 404, "use POST /_standin/%s" % op if op else "unknown control path")
    if op == "drop":
        # Answer first: this very connection is closed too.
        h.close_connection = True
        h.send_json(200, {"dropping": True})
        h.wfile.flush()
        app.drop_all()
        return None
    if op == "fail":
        code = int(query.get("code") or 500)
        if code < 400 or code > 599:
            raise ApiError(400, "code must be 4xx or 5xx")
        app.faults.set_fail(_count(query), code, query.get("path") or "")
    elif op == "slow":
        ms = query.get("ms", "")
        if not ms.isdigit():
            raise ApiError(400, "ms must be a non-negative integer")
        app.faults.set_slow(int(ms))
    elif op == "garbage":
        kind = query.get("kind") or "html"
        if kind not in KINDS:
            raise ApiError(400, "kind must be one of %s" % ", ".join(KINDS))
        app.faults.set_garbage(_count(query), kind, query.get("path") or "")
    elif op == "stall":
        app.faults.stall()
    elif op == "clear":
        app.faults.clear()
    elif op == "compact":
        app.store.compact()
    elif op == "cdc-lag":
        try:
            app.controller.cdc_lag = float(query.get("seconds", "0"))
        except ValueError:
            raise ApiError(400, "seconds must be a number")
    elif op == "seed":
        n = query.get("tasks", "")
        if not n.isdigit():
            raise ApiError(400, "tasks must be a non-negative integer")
        created = seed(app, int(n), query.get("namespace") or "default",
                       query.get("prefix") or "bench-", query.get("live") in ("1", "true"))
        return h.send_json(200, {"created": created})
    elif op == "reset":
        reset(app)
    elif op == "stats/reset":
        app.stats.reset()
    else:
        raise ApiError(404, "unknown control path /_standin/%s" % op)
    return h.send_json(200, {"ok": True, "faults": app.faults.state()})
