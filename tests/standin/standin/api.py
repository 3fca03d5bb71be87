"""Kubernetes API endpoints: discovery, openapi, and the verbs on resources.
Watches and log streams are in streams.py."""
import base64
import json

from . import resources as R
from . import streams
from .store import not_found
from .util import ApiError, parse_label_selector, parse_field_selector, merge_patch, json_patch

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-standin",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
           "platform": "linux/amd64"}


def route(path):
    """Split an API path into a route dict; unknown paths give {"type": "unknown"}."""
    segs = [s for s in path.split("/") if s]
    if path in ("/version", "/version/", "/api", "/api/", "/apis", "/apis/", "/healthz", "/livez", "/readyz"):
        return {"type": "discovery", "path": path.rstrip("/") or "/"}
    if segs[:1] == ["openapi"]:
        return {"type": "openapi", "segs": segs[1:]}
    if segs[:1] == ["api"] and len(segs) >= 2:
        group, version, rest = "", segs[1], segs[2:]
    elif segs[:1] == ["apis"] and len(segs) >= 2:
        if len(segs) == 2:
            return {"type": "group", "group": segs[1]}
        group, version, rest = segs[1], segs[2], segs[3:]
    else:
        return {"type": "unknown"}
    if not rest:
        return {"type": "gv", "group": group, "version": version}
    ns = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        ns, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return {"type": "unknown"}
    return {"type": "resource", "group": group, "version": version, "plural": rest[0], "ns": ns,
            "name": rest[1] if len(rest) > 1 else None, "sub": rest[2] if len(rest) > 2 else None}


def classify(method, route_, query):
    t = route_["type"]
    if t in ("discovery", "openapi", "group", "gv"):
        return "discovery"
    if t != "resource":
        return "other"
    plural, name, sub = route_["plural"], route_["name"], route_["sub"]
    if sub == "log":
        return "log"
    verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method)
    if verb is None:
        if name:
            verb = "get"
        else:
            verb = "watch" if query.get("watch") in ("1", "true") else "list"
    return "%s %s" % (verb, plural)


def wants_table(h):
    return "as=Table" in h.headers.get("Accept", "")


def as_table(h, res, objs, rv, cont=None):
    include = h.query.get("includeObject", "PartialObjectMetadata")
    meta = {"resourceVersion": str(rv)}
    if cont:
        meta["continue"] = cont
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": R.table_columns(res.plural),
            "rows": [R.table_row(res.plural, o, include) for o in objs]}


def handle(h, method, rt, query):
    t = rt["type"]
    if t == "discovery":
        return discovery(h, rt["path"])
    if t == "openapi":
        return openapi(h, rt["segs"])
    crds = h.app.crds
    if t == "group":
        gvs = [v for g, v in R.group_versions(crds) if g == rt["group"]]
        if not gvs:
            raise ApiError(404, "the server could not find the requested resource")
        return h.send_json(200, _group(rt["group"], gvs))
    if t == "gv":
        return group_version(h, rt["group"], rt["version"], crds)
    if t != "resource":
        raise ApiError(404, "the server could not find the requested resource")
    res = R.find(rt["group"], rt["version"], rt["plural"], crds)
    if res is None or (res.namespaced is False and rt["ns"] is not None) or \
            (res.namespaced and rt["ns"] is None and (rt["name"] or method != "GET")):
        raise ApiError(404, "the server could not find the requested resource")
    name, ns, sub = rt["name"], rt["ns"], rt["sub"]
    if sub and sub not in [s for s, _ in res.subresources]:
        raise ApiError(404, "the server could not find the requested resource")
    if sub == "log":
        if method != "GET":
            raise ApiError(405, "method %s not allowed on pods/log" % method)
        return streams.pod_log(h, ns, name, query)
    verb = classify(method, rt, query).split(" ")[0]
    if verb == "delete" and not name:
        verb = "deletecollection"
    if verb not in res.verbs or (sub == "status" and method not in ("GET", "PUT", "PATCH")):
        raise ApiError(405, "%s is not allowed on %s" % (verb, res.plural), reason="MethodNotAllowed")
    dry = query.get("dryRun") == "All"
    store = h.app.store
    if verb == "list":
        return do_list(h, res, ns, query)
    if verb == "watch":
        return streams.watch(h, res, ns, query)
    if verb == "get":
        obj = store.get(res, ns, name)
        if wants_table(h):
            return h.send_json(200, as_table(h, res, [obj], obj["metadata"]["resourceVersion"]))
        return h.send_json(200, obj)
    if verb == "create":
        obj = _body_object(h, res)
        out = store.create(res, ns, obj, dry_run=dry)
        if res.plural == "migrationtasks" and not dry:
            h.app.controller.task_created(out)
        return h.send_json(201, out)
    if verb == "update":
        obj = _body_object(h, res)
        return h.send_json(200, store.replace(res, ns, name, obj, status_only=sub == "status", dry_run=dry))
    if verb == "patch":
        return do_patch(h, res, ns, name, sub == "status", dry)
    if verb == "delete":
        return do_delete(h, res, ns, name, dry)
    raise ApiError(405, "%s is not supported by the stand-in" % verb, reason="MethodNotAllowed")


def _body_json(h):
    raw = h.read_body()
    ctype = h.headers.get("Content-Type", "application/json").split(";")[0].strip()
    if "yaml" in ctype or "protobuf" in ctype:
        raise ApiError(415, "the body of the request was in an unknown format - accepted media types include: application/json",
                       reason="UnsupportedMediaType")
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, "the body of the request could not be decoded as JSON: %s" % e)


def _body_object(h, res):
    obj = _body_json(h)
    if not isinstance(obj, dict):
        raise ApiError(400, "the request body must be a JSON object")
    if obj.get("kind", res.kind) != res.kind or obj.get("apiVersion", res.api_version) != res.api_version:
        raise ApiError(400, "the API version in the data (%s) does not match the expected API version (%s)"
                       % (obj.get("apiVersion"), res.api_version))
    return obj


def do_list(h, res, ns, query):
    lsel = parse_label_selector(query.get("labelSelector", ""))
    fsel = parse_field_selector(query.get("fieldSelector", ""))
    items, rv = h.app.store.list(res, ns, lambda o: lsel(o["metadata"].get("labels")) and fsel(o))
    start = 0
    if query.get("continue"):
        try:
            start = int(base64.urlsafe_b64decode(query["continue"].encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "invalid continue token")
    cont = None
    limit = int(query.get("limit") or 0) if (query.get("limit") or "0").isdigit() else 0
    items = items[start:]
    if limit and len(items) > limit:
        items = items[:limit]
        cont = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    if wants_table(h):
        return h.send_json(200, as_table(h, res, items, rv, cont))
    meta = {"resourceVersion": str(rv)}
    if cont:
        meta["continue"] = cont
    h.send_json(200, {"kind": res.list_kind, "apiVersion": res.api_version, "metadata": meta,
                      "items": items})


def do_patch(h, res, ns, name, status_only, dry):
    ctype = h.headers.get("Content-Type", "").split(";")[0].strip()
    patch = _body_json(h)
    cur = h.app.store.get(res, ns, name)
    if ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
        if not isinstance(patch, dict):
            raise ApiError(400, "a merge patch must be a JSON object")
        new = merge_patch(cur, patch)
        check = "resourceVersion" in (patch.get("metadata") or {})
    elif ctype == "application/json-patch+json":
        new = json_patch(cur, patch)
        check = False
    elif ctype == "application/apply-patch+yaml":
        raise ApiError(415, "server-side apply is not supported by the stand-in", reason="UnsupportedMediaType")
    else:
        raise ApiError(415, "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json",
                       reason="UnsupportedMediaType")
    if not check:
        new.setdefault("metadata", {})["resourceVersion"] = cur["metadata"]["resourceVersion"]
    out = h.app.store.replace(res, ns, name, new, status_only=status_only, dry_run=dry, check_rv=True)
    h.send_json(200, out)


def do_delete(h, res, ns, name, dry):
    store = h.app.store
    obj = store.get(res, ns, name)  # 404 when missing
    if dry:
        return h.send_json(200, obj)
    if res.plural == "migrationtasks":
        out = h.app.controller.task_delete_requested(ns, name)
        if out is None:
            raise not_found(res, name)
        return h.send_json(200, out)
    out = store.remove(res.plural, ns or "", name)
    if out is None:
        raise not_found(res, name)
    if res.plural == "pods":
        h.app.logs.forget(ns, name)
    h.send_json(200, out)


# ---- discovery ----

def _group(group, versions):
    return {"name": group, "versions": [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions],
            "preferredVersion": {"groupVersion": "%s/%s" % (group, versions[0]), "version": versions[0]}}


def discovery(h, path):
    if path == "/version":
        return h.send_json(200, VERSION)
    if path in ("/healthz", "/livez", "/readyz"):
        return h.send_raw(200, b"ok", "text/plain; charset=utf-8")
    if path == "/api":
        host = h.app.url.split("//", 1)[-1]
        return h.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                 "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]})
    groups = {}
    for g, v in R.group_versions(h.app.crds):
        groups.setdefault(g, []).append(v)
    h.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                      "groups": [_group(g, vs) for g, vs in groups.items()]})


def group_version(h, group, version, crds):
    rs = [r for r in R.RESOURCES if r.group == group and r.version == version and (crds or not r.crd)]
    if not rs:
        raise ApiError(404, "the server could not find the requested resource")
    out = []
    for r in rs:
        out.extend(r.discovery())
    h.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1",
                      "groupVersion": "%s/%s" % (group, version) if group else version, "resources": out})


def _pb_field(num, payload):
    """One length-delimited protobuf field (wire type 2)."""
    out = bytes([num << 3 | 2])
    n = len(payload)
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n]) + payload


# gnostic's openapi_v2.Document with only swagger (1) and info (2: title 1,
# version 2): no definitions, so kubectl validates nothing against it and
# uses a JSON merge patch for the custom resources, as with a real server.
OPENAPI_V2_PB = _pb_field(1, b"2.0") + _pb_field(2, _pb_field(1, b"Kubernetes stand-in") +
                                                  _pb_field(2, VERSION["gitVersion"].encode()))


def openapi(h, segs):
    """Minimal OpenAPI. v3: kubectl apply checks that PATCH takes
    fieldValidation. v2 (protobuf, what kubectl before 1.27 reads): an empty
    document."""
    if segs == ["v2"]:
        if "protobuf" in h.headers.get("Accept", ""):
            return h.send_raw(200, OPENAPI_V2_PB, "application/octet-stream")  # as kube-openapi does
        return h.send_json(200, {"swagger": "2.0", "info": {"title": "Kubernetes stand-in",
                                                             "version": VERSION["gitVersion"]},
                                 "paths": {}, "definitions": {}})
    if segs[:1] != ["v3"]:
        raise ApiError(404, "the server could not find the requested resource")
    gvs = [("", "v1")] + R.group_versions(h.app.crds)
    if len(segs) == 1:
        paths = {}
        for g, v in gvs:
            key = "api/v1" if not g else "apis/%s/%s" % (g, v)
            paths[key] = {"serverRelativeURL": "/openapi/v3/%s?hash=standin" % key}
        return h.send_json(200, {"paths": paths})
    rest = segs[1:]
    if rest[:1] == ["api"]:
        g, v = "", rest[1] if len(rest) > 1 else ""
    elif rest[:1] == ["apis"] and len(rest) == 3:
        g, v = rest[1], rest[2]
    else:
        raise ApiError(404, "the server could not find the requested resource")
    if (g, v) not in gvs:
        raise ApiError(404, "the server could not find the requested resource")
    paths = {}
    for r in R.RESOURCES:
        if r.group != g or r.version != v or (r.crd and not h.app.crds):
            continue
        prefix = "/api/v1" if not g else "/apis/%s/%s" % (g, v)
        p = "%s/%s%s/{name}" % (prefix, "namespaces/{namespace}/" if r.namespaced else "", r.plural)
        gvk = {"group": g, "version": v, "kind": r.kind}
        params = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                  {"name": "dryRun", "in": "query", "schema": {"type": "string"}}]
        paths[p] = {"get": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "get"},
                    "patch": {"x-kubernetes-group-version-kind": gvk, "x-kubernetes-action": "patch",
                              "parameters": params}}
    h.send_json(200, {"openapi": "3.0.0", "info": {"title": "Kubernetes stand-in", "version": "v1.32.0"},
                      "paths": paths, "components": {"schemas": {}}})
