"""Long-lived responses: watch streams and pod logs (with follow)."""
import json
import time

from . import resources as R
from .store import Gone, not_found
from .util import ApiError, parse_label_selector, parse_field_selector, rfc3339nano, parse_time, status_body


def _line(obj):
    return json.dumps(obj, separators=(",", ":")).encode() + b"\n"


def watch(h, res, ns, query):
    store = h.app.store
    lsel = parse_label_selector(query.get("labelSelector", ""))
    fsel = parse_field_selector(query.get("fieldSelector", ""))

    def match(o):
        return o is not None and (ns is None or o["metadata"].get("namespace") == ns) \
            and lsel(o["metadata"].get("labels")) and fsel(o)

    rv_param = query.get("resourceVersion", "")
    if rv_param not in ("", "0") and not rv_param.isdigit():
        raise ApiError(400, "invalid resourceVersion %r" % rv_param)
    timeout = float(query["timeoutSeconds"]) if (query.get("timeoutSeconds") or "").isdigit() else 0
    bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
    table = "as=Table" in h.headers.get("Accept", "")
    include = query.get("includeObject", "PartialObjectMetadata")
    deadline = time.monotonic() + timeout if timeout else None
    interval = h.app.opts.bookmark_interval

    def wrap(obj):
        if not table:
            return obj
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                "metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]},
                "columnDefinitions": R.table_columns(res.plural),
                "rows": [R.table_row(res.plural, obj, include)]}

    h.start_stream("application/json")
    if rv_param in ("", "0"):
        items, last = store.list(res, ns, match)
        for o in items:
            if not h.write_chunk(_line({"type": "ADDED", "object": wrap(o)})):
                return
    else:
        last = int(rv_param)
    next_bookmark = time.monotonic() + interval
    idle_checks = 0
    while True:
        now = time.monotonic()
        if deadline and now >= deadline:
            break
        if h.dropped():
            return
        wait = min(1.0, (deadline - now) if deadline else 1.0,
                   max(0.0, next_bookmark - now) if bookmarks else 1.0)
        try:
            evs, cur = store.events_after(last, wait)
        except Gone as g:
            h.write_chunk(_line({"type": "ERROR", "object": status_body(
                410, str(g), "Expired")}))
            break
        for ev in evs:
            if ev.plural != res.plural:
                continue
            now_m, was_m = match(ev.obj), match(ev.old)
            if ev.type == "MODIFIED" and now_m and not was_m:
                typ = "ADDED"
            elif ev.type == "MODIFIED" and was_m and not now_m:
                typ = "DELETED"
            elif now_m:
                typ = ev.type
            else:
                continue
            if not h.write_chunk(_line({"type": typ, "object": wrap(ev.obj)})):
                return
        last = max(last, cur) if not evs else max(last, cur, evs[-1].rv)
        if bookmarks and time.monotonic() >= next_bookmark:
            next_bookmark = time.monotonic() + interval
            bm = {"kind": res.kind, "apiVersion": res.api_version,
                  "metadata": {"resourceVersion": str(last)}}
            if not h.write_chunk(_line({"type": "BOOKMARK", "object": bm})):
                return
        idle_checks += 1
        if not evs and idle_checks % 2 == 0 and h.client_gone():
            h.close_connection = True
            return
    h.end_stream()


def _int(query, key):
    v = query.get(key)
    if v is None or v == "":
        return None
    if not v.lstrip("-").isdigit():
        raise ApiError(400, "invalid %s %r" % (key, v))
    return int(v)


def pod_log(h, ns, name, query):
    store = h.app.store
    res = R.find("", "v1", "pods", True)
    pod = store.get(res, ns, name)
    container = query.get("container") or "main"
    if container != "main":
        raise ApiError(400, "container %s is not valid for pod %s" % (container, name))
    if query.get("previous") in ("true", "1"):
        raise ApiError(400, "previous terminated container \"main\" in pod \"%s\" not found" % name)
    if (pod.get("status") or {}).get("phase") == "Pending":
        raise ApiError(400, "container \"main\" in pod \"%s\" is waiting to start: ContainerCreating" % name)
    tail = _int(query, "tailLines")
    since = _int(query, "sinceSeconds")
    limit = _int(query, "limitBytes")
    stamps = query.get("timestamps") in ("true", "1")
    follow = query.get("follow") in ("true", "1")
    since_t = parse_time(query.get("sinceTime", "")) if query.get("sinceTime") else None
    if since is not None:
        since_t = time.time() - since

    def fmt(lines):
        out = b""
        for t, text in lines:
            if since_t is not None and t < since_t:
                continue
            out += ((rfc3339nano(t) + " ") if stamps else "").encode() + text.encode() + b"\n"
        return out

    logs = h.app.logs
    index, lines, ended = logs.snapshot(ns, name)
    if tail is not None and tail >= 0:
        lines = lines[-tail:] if tail else []
    body = fmt(lines)
    sent = 0
    if limit is not None and limit >= 0:
        body = body[:limit]
    if not follow:
        return h.send_raw(200, body, "text/plain")
    h.start_stream("text/plain")
    if not h.write_chunk(body):
        return
    sent += len(body)
    checks = 0
    while not ended and not (limit is not None and sent >= limit):
        if h.dropped():
            return
        index, new, ended = logs.wait_after(ns, name, index, 1.0)
        chunk = fmt(new)
        if limit is not None:
            chunk = chunk[: max(0, limit - sent)]
        if not h.write_chunk(chunk):
            return
        sent += len(chunk)
        checks += 1
        if not new and checks % 2 == 0 and h.client_gone():
            h.close_connection = True
            return
        if not store.exists("pods", ns, name):
            break
    h.end_stream()


__all__ = ["watch", "pod_log", "not_found"]
