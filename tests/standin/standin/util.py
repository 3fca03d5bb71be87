"""Small helpers: times, Status bodies, selectors, patches."""
import calendar
import copy
import re
import time


def rfc3339(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if t is None else t))


def rfc3339nano(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + (".%09dZ" % int((t % 1) * 1e9))


def pod_local(t):
    """The pod's local time (UTC) in the add-on's "YYYY-MM-DD HH:MM:SS" form."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def parse_time(s):
    if not s:
        return None
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$", s)
    if not m:
        return None
    return calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")) + float(m.group(2) or 0)


def age(ts):
    t = parse_time(ts)
    if t is None:
        return "<unknown>"
    s = max(0, int(time.time() - t))
    if s < 120:
        return "%ds" % s
    if s < 3600:
        return "%dm" % (s // 60)
    return "%dh" % (s // 3600)


REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
           405: "MethodNotAllowed", 406: "NotAcceptable", 409: "Conflict", 410: "Expired",
           413: "RequestEntityTooLarge", 415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
           500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}


def status_body(code, message, reason=None, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason or REASONS.get(code, "Unknown"), "code": code}
    if details:
        body["details"] = details
    return body


class ApiError(Exception):
    def __init__(self, code, message, reason=None, details=None):
        super().__init__(message)
        self.code = code
        self.body = status_body(code, message, reason, details)


# ---- selectors ----

def _split_top(s):
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(s):
    """Returns a predicate over a labels dict; raises ApiError on bad syntax."""
    if not s:
        return lambda labels: True
    preds = []
    for term in _split_top(s):
        m = re.match(r"^([^\s!=()]+)\s+(in|notin)\s+\((.*)\)$", term)
        if m:
            k, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in":
                preds.append(lambda L, k=k, vals=vals: L.get(k) in vals)
            else:
                preds.append(lambda L, k=k, vals=vals: L.get(k) not in vals)
            continue
        m = re.match(r"^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)$", term)
        if m:
            k, op, v = m.groups()
            if op == "!=":
                preds.append(lambda L, k=k, v=v: L.get(k) != v)
            else:
                preds.append(lambda L, k=k, v=v: L.get(k) == v)
            continue
        m = re.match(r"^(!?)([^\s!=()]+)$", term)
        if m:
            neg, k = m.groups()
            preds.append((lambda L, k=k: k not in L) if neg else (lambda L, k=k: k in L))
            continue
        raise ApiError(400, "unable to parse requirement: invalid label selector %r" % s)
    return lambda labels: all(p(labels or {}) for p in preds)


FIELDS = {
    "metadata.name": lambda o: o["metadata"].get("name", ""),
    "metadata.namespace": lambda o: o["metadata"].get("namespace", ""),
    "status.phase": lambda o: (o.get("status") or {}).get("phase", ""),
}
for _f in ("name", "namespace", "kind", "uid", "apiVersion", "resourceVersion", "fieldPath"):
    FIELDS["involvedObject." + _f] = lambda o, f=_f: (o.get("involvedObject") or {}).get(f, "")
FIELDS["reason"] = lambda o: o.get("reason", "")
FIELDS["type"] = lambda o: o.get("type", "")


def parse_field_selector(s):
    if not s:
        return lambda obj: True
    preds = []
    for term in _split_top(s):
        m = re.match(r"^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$", term)
        if not m or m.group(1) not in FIELDS:
            raise ApiError(400, "field label not supported: %s" % (m.group(1) if m else term))
        f, op, v = FIELDS[m.group(1)], m.group(2), m.group(3)
        if op == "!=":
            preds.append(lambda o, f=f, v=v: f(o) != v)
        else:
            preds.append(lambda o, f=f, v=v: f(o) == v)
    return lambda obj: all(p(obj) for p in preds)


# ---- patches ----

def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _ptr(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, "invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc, ops):
    """RFC 6902 subset: add, replace, remove, test."""
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise ApiError(400, "json patch must be a list of operations")
    for op in ops:
        parts = _ptr(op.get("path", ""))
        if not parts:
            raise ApiError(422, "json patch on the whole document is not supported")
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent.get(p)
            if parent is None:
                raise ApiError(422, "json patch path %s does not exist" % op.get("path"))
        last, kind = parts[-1], op.get("op")
        if isinstance(parent, list):
            idx = len(parent) if last == "-" else int(last)
            if kind == "add":
                parent.insert(idx, op.get("value"))
            elif kind == "replace":
                parent[idx] = op.get("value")
            elif kind == "remove":
                parent.pop(idx)
            elif kind == "test":
                if parent[idx] != op.get("value"):
                    raise ApiError(422, "json patch test failed at %s" % op.get("path"))
            else:
                raise ApiError(422, "json patch op %r not supported" % kind)
        else:
            if kind in ("add", "replace"):
                if kind == "replace" and last not in parent:
                    raise ApiError(422, "json patch replace: %s does not exist" % op.get("path"))
                parent[last] = op.get("value")
            elif kind == "remove":
                if last not in parent:
                    raise ApiError(422, "json patch remove: %s does not exist" % op.get("path"))
                del parent[last]
            elif kind == "test":
                if parent.get(last) != op.get("value"):
                    raise ApiError(422, "json patch test failed at %s" % op.get("path"))
            else:
                raise ApiError(422, "json patch op %r not supported" % kind)
    return doc
