#!/usr/bin/env python3
"""The stand-in's protocol details that kubectl's test does not reach:
selectors, paging, optimistic concurrency, patches, dry runs, log
parameters, watch resume / 410 / bookmarks / timeouts, and every fault
switch of the control API (README.md). Starts its own stand-in.

    python3 tests/standin/standin_selftest.py
"""
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "/apis/datamigration.apecloud.io/v1alpha1/namespaces/default/migrationtasks"


class Client:
    def __init__(self, d, token=True, cert=False):
        with open(os.path.join(d, "url")) as f:
            self.url = f.read().strip()
        with open(os.path.join(d, "token")) as f:
            self.token = f.read().strip() if token else None
        self.ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
        if cert:
            self.ctx.load_cert_chain(os.path.join(d, "client.crt"), os.path.join(d, "client.key"))

    def raw(self, method, path, body=None, ctype="application/json", timeout=10):
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method, path, body=None, ctype="application/json", want=200):
        code, _, raw = self.raw(method, path, body, ctype)
        assert code == want, "%s %s: want %d, got %d: %s" % (method, path, want, code, raw[:300])
        return json.loads(raw) if raw else None

    def ctl(self, op, **q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        get = op in ("stats", "state")
        return self.json("GET" if get else "POST", "/_standin/%s%s" % (op, "?" + qs if qs else ""),
                         None if get else b"")

    def watch_lines(self, path, secs):
        """Reads a watch stream for at most secs; returns the parsed lines."""
        req = urllib.request.Request(self.url + path)
        req.add_header("Authorization", "Bearer " + self.token)
        out = []
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=secs) as r:
                end = time.monotonic() + secs
                while time.monotonic() < end:
                    line = r.readline()
                    if not line:
                        break
                    out.append(json.loads(line))
        except (TimeoutError, OSError):
            pass
        return out


def task(name, **spec):
    s = {"taskType": "initialization-and-cdc", "template": "apecloud-pg2pg",
         "sourceEndpoint": {"address": "127.0.0.1:5432"}, "initialization": {"steps": ["preCheck"]}}
    s.update(spec)
    return {"apiVersion": "datamigration.apecloud.io/v1alpha1", "kind": "MigrationTask",
            "metadata": {"name": name, "labels": {"team": name.split("-")[0]}}, "spec": s}


def check(c, d):
    # authentication
    anon = Client(d, token=False)
    assert anon.raw("GET", "/version")[0] == 401, "no credentials must be 401"
    assert Client(d, token=False, cert=True).raw("GET", "/version")[0] == 200, "client cert"

    # create, selectors, paging
    for n in ("red-1", "red-2", "blue-1"):
        c.json("POST", NS, task(n, taskType="cdc"), want=201)
    names = lambda lst: sorted(i["metadata"]["name"] for i in lst["items"])
    assert names(c.json("GET", NS + "?labelSelector=team%3Dred")) == ["red-1", "red-2"]
    assert names(c.json("GET", NS + "?labelSelector=team+notin+(red)")) == ["blue-1"]
    assert names(c.json("GET", NS + "?labelSelector=team,team!%3Dblue")) == ["red-1", "red-2"]
    assert names(c.json("GET", NS + "?fieldSelector=metadata.name%3Dblue-1")) == ["blue-1"]
    p1 = c.json("GET", NS + "?limit=2")
    assert len(p1["items"]) == 2 and p1["metadata"].get("continue"), "limit=2 pages"
    p2 = c.json("GET", NS + "?limit=2&continue=" + p1["metadata"]["continue"])
    assert len(p2["items"]) == 1 and "continue" not in p2["metadata"]
    assert c.raw("POST", NS, task("Bad_Name"))[0] == 422
    assert c.raw("POST", NS, task("red-1"))[0] == 409
    assert c.raw("POST", NS + "?dryRun=All", task("dry-1"))[0] == 201
    assert c.raw("GET", NS + "/dry-1")[0] == 404, "dryRun stored the object"

    # optimistic concurrency and patches
    # The stand-in's controller may move the task on between the GET and
    # the PUT (a 409 then, as from an API server): read again and retry,
    # as every client does.
    for _ in range(20):
        cur = c.json("GET", NS + "/red-1")
        stale = json.loads(json.dumps(cur))
        cur["spec"]["template"] = "other"
        code = c.raw("PUT", NS + "/red-1", json.dumps(cur).encode())[0]
        if code == 200:
            break
        assert code == 409, "PUT red-1: want 200 or 409, got %d" % code
    assert code == 200, "PUT red-1 conflicted 20 times in a row"
    assert c.raw("PUT", NS + "/red-1", stale)[0] == 409, "a stale PUT must conflict"
    out = c.json("PATCH", NS + "/red-1", {"metadata": {"annotations": {"a": "1"}}},
                 "application/merge-patch+json")
    assert out["metadata"]["annotations"] == {"a": "1"}
    out = c.json("PATCH", NS + "/red-1", [{"op": "replace", "path": "/spec/template", "value": "x"}],
                 "application/json-patch+json")
    assert out["spec"]["template"] == "x"
    assert c.raw("PATCH", NS + "/red-1", b"{}", "application/apply-patch+yaml")[0] == 415

    # watches: ADDED for the current state, resume, bookmark, timeout, 410
    evs = c.watch_lines(NS + "?watch=1&timeoutSeconds=1", 5)
    assert sorted(e["object"]["metadata"]["name"] for e in evs if e["type"] == "ADDED") == \
        ["blue-1", "red-1", "red-2"], evs
    rv = c.json("GET", NS)["metadata"]["resourceVersion"]
    c.json("PATCH", NS + "/blue-1", {"metadata": {"labels": {"x": "y"}}}, "application/merge-patch+json")
    evs = c.watch_lines(NS + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=" + rv, 5)
    types = [e["type"] for e in evs]
    # (the controller's CDC metrics updates of the other tasks interleave)
    assert ("MODIFIED", "blue-1") in [(e["type"], e["object"]["metadata"].get("name")) for e in evs], types
    assert "BOOKMARK" in types, "bookmark interval is 1 s here: %s" % types
    c.ctl("compact")
    evs = c.watch_lines(NS + "?watch=1&resourceVersion=" + rv, 5)
    assert len(evs) == 1 and evs[0]["type"] == "ERROR" and evs[0]["object"]["code"] == 410, evs
    # an object that stops matching the selector is DELETED for that watch
    rv = c.json("GET", NS)["metadata"]["resourceVersion"]
    c.json("PATCH", NS + "/red-2", {"metadata": {"labels": {"team": "green"}}}, "application/merge-patch+json")
    evs = c.watch_lines(NS + "?watch=1&timeoutSeconds=1&labelSelector=team%3Dred&resourceVersion=" + rv, 5)
    assert [e["type"] for e in evs if e["object"]["metadata"]["name"] == "red-2"] == ["DELETED"], evs

    # the controller and pod logs
    c.json("POST", NS, task("logs-1"), want=201)
    pods = "/api/v1/namespaces/default/pods"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        lst = c.json("GET", pods + "?labelSelector=datamigration.apecloud.io%2Fmigrationtask%3Dlogs-1")
        if any(p["metadata"]["name"] == "logs-1-cdc-0" and p["status"]["phase"] == "Running"
               for p in lst["items"]):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("logs-1 never got a running CDC pod")
    time.sleep(1.5)
    log = pods + "/logs-1-cdc-0/log"
    code, _, body = c.raw("GET", log + "?tailLines=1")
    assert code == 200 and body.count(b"\n") == 1 and b"current_position" in body, body
    code, _, body = c.raw("GET", log + "?limitBytes=10")
    assert len(body) == 10
    code, _, body = c.raw("GET", log + "?sinceSeconds=600&timestamps=true")
    assert body.startswith(b"20") and b"Z " in body.split(b"\n")[0]
    assert c.raw("GET", log + "?container=other")[0] == 400
    c.json("DELETE", NS + "/logs-1")
    t = c.json("GET", NS + "/logs-1")
    assert t["metadata"].get("deletionTimestamp"), "DELETE sets deletionTimestamp first"

    # fault switches
    c.ctl("fail", count=1, code=503, path="/migrationtasks")
    assert c.raw("GET", "/version")[0] == 200, "path= must leave /version alone"
    code, hdrs, body = c.raw("GET", NS)
    assert code == 503 and hdrs.get("Retry-After") == "1" and json.loads(body)["reason"] == "ServiceUnavailable"
    assert c.raw("GET", NS)[0] == 200, "count=1 must clear itself"
    c.ctl("garbage", count=1, kind="html")
    code, hdrs, body = c.raw("GET", NS)
    assert code == 502 and hdrs.get_content_type() == "text/html" and b"Bad Gateway" in body
    c.ctl("garbage", count=1, kind="truncated")
    code, _, body = c.raw("GET", NS)
    assert code == 200
    try:
        json.loads(body)
        raise AssertionError("truncated body parsed")
    except ValueError:
        pass
    c.ctl("slow", ms=400)
    t0 = time.monotonic()
    c.raw("GET", "/version")
    assert time.monotonic() - t0 >= 0.4, "slow ms=400"
    c.ctl("slow", ms=0)
    c.ctl("stall")
    try:
        c.raw("GET", "/version", timeout=1)
        raise AssertionError("a stalled request was answered")
    except (TimeoutError, OSError):
        pass
    assert c.ctl("state")["faults"]["stalled"] is True
    c.ctl("clear")
    assert c.raw("GET", "/version")[0] == 200
    st = c.ctl("stats")
    assert st["users"]["token"]["requests"] > 10 and "cert:migtop-test" in st["users"], st["users"]
    assert st["classes"]["log pods" if "log pods" in st["classes"] else "log"]["requests"] >= 3
    c.ctl("seed", tasks=3, prefix="s-")
    assert len([i for i in c.json("GET", NS)["items"] if i["metadata"]["name"].startswith("s-")]) == 3
    c.ctl("reset")
    assert c.json("GET", NS)["items"] == [], "reset leaves no tasks"


def main():
    d = tempfile.mkdtemp(prefix="standin-selftest-")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "kube_standin.py"), "--dir", d,
                             "--controller-speed", "4", "--bookmark-interval", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        line = proc.stdout.readline().decode()
        assert line.startswith("READY https://127.0.0.1:"), "no READY line: %r" % line
        check(Client(d), d)
        print("PASS: stand-in self-test")
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
