"""The object store: objects by (resource, namespace, name), one global
resourceVersion counter, and a bounded history of watch events."""
import collections
import copy
import re
import threading
import time
import uuid

from .util import ApiError, rfc3339

NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")

Event = collections.namedtuple("Event", "rv type plural ns obj old")


class Gone(Exception):
    def __init__(self, requested, oldest):
        super().__init__("too old resource version: %d (%d)" % (requested, oldest))
        self.requested = requested
        self.oldest = oldest


class Store:
    def __init__(self, history=1000):
        self.cond = threading.Condition(threading.RLock())
        # Starting at the wall clock in ms keeps versions increasing across a
        # restart, so a client resuming with an old version gets 410.
        self.rv = int(time.time() * 1000)
        self.compacted_rv = self.rv
        self.history = collections.deque()
        self.history_max = history
        self.objects = {}  # plural -> {(ns, name): obj}

    # -- internals (caller holds the lock) --
    def _bump(self):
        self.rv += 1
        return self.rv

    def _emit(self, typ, plural, obj, old=None):
        ev = Event(int(obj["metadata"]["resourceVersion"]), typ, plural,
                   obj["metadata"].get("namespace", ""), copy.deepcopy(obj),
                   copy.deepcopy(old) if old is not None else None)
        self.history.append(ev)
        while len(self.history) > self.history_max:
            self.compacted_rv = self.history.popleft().rv
        self.cond.notify_all()

    def _table(self, plural):
        return self.objects.setdefault(plural, {})

    # -- API --
    def create(self, res, ns, obj, dry_run=False):
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise ApiError(400, "metadata must be an object")
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        name = meta.get("name") or ""
        if not name:
            raise ApiError(422, "%s \"\" is invalid: metadata.name: Required value: name or generateName is required" % res.kind,
                           details={"kind": res.plural, "causes": [{"reason": "FieldValueRequired", "field": "metadata.name"}]})
        if not NAME_RE.match(name):
            raise ApiError(422, "%s.%s \"%s\" is invalid: metadata.name: Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character" % (res.plural, res.group, name, name),
                           details={"name": name, "kind": res.plural,
                                    "causes": [{"reason": "FieldValueInvalid", "field": "metadata.name"}]})
        if res.namespaced:
            if meta.get("namespace") and meta["namespace"] != ns:
                raise ApiError(400, "the namespace of the provided object does not match the namespace sent on the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        obj["apiVersion"] = res.api_version
        obj["kind"] = res.kind
        with self.cond:
            tbl = self._table(res.plural)
            key = (ns if res.namespaced else "", name)
            if key in tbl:
                raise ApiError(409, "%s.%s \"%s\" already exists" % (res.plural, res.group, name) if res.group
                               else "%s \"%s\" already exists" % (res.plural, name),
                               reason="AlreadyExists",
                               details={"name": name, "group": res.group, "kind": res.plural})
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = rfc3339()
            meta["generation"] = 1
            meta.pop("deletionTimestamp", None)
            meta.pop("managedFields", None)
            if dry_run:
                meta["resourceVersion"] = str(self.rv)
                return copy.deepcopy(obj)
            meta["resourceVersion"] = str(self._bump())
            tbl[key] = copy.deepcopy(obj)
            self._emit("ADDED", res.plural, obj)
            return copy.deepcopy(obj)

    def get(self, res, ns, name):
        with self.cond:
            obj = self._table(res.plural).get((ns if res.namespaced else "", name))
            if obj is None:
                raise not_found(res, name)
            return copy.deepcopy(obj)

    def exists(self, plural, ns, name):
        with self.cond:
            return (ns, name) in self._table(plural)

    def list(self, res, ns, pred):
        with self.cond:
            items = [copy.deepcopy(o) for (ons, _), o in sorted(self._table(res.plural).items())
                     if (ns is None or ons == ns) and pred(o)]
            return items, self.rv

    def replace(self, res, ns, name, new, status_only=False, dry_run=False, check_rv=True):
        """PUT semantics (also the last step of PATCH)."""
        with self.cond:
            key = (ns if res.namespaced else "", name)
            tbl = self._table(res.plural)
            cur = tbl.get(key)
            if cur is None:
                raise not_found(res, name)
            nmeta = new.get("metadata") or {}
            if nmeta.get("name", name) != name:
                raise ApiError(400, "the name of the object (%s) does not match the name on the URL (%s)" % (nmeta.get("name"), name))
            want_rv = nmeta.get("resourceVersion")
            if check_rv and want_rv and want_rv != cur["metadata"]["resourceVersion"]:
                raise ApiError(409, "Operation cannot be fulfilled on %s.%s \"%s\": the object has been modified; please apply your changes to the latest version and try again" % (res.plural, res.group, name),
                               reason="Conflict", details={"name": name, "group": res.group, "kind": res.plural})
            old = copy.deepcopy(cur)
            out = copy.deepcopy(cur)
            if status_only:
                out["status"] = copy.deepcopy(new.get("status"))
            else:
                keep_meta = {k: cur["metadata"][k] for k in ("uid", "creationTimestamp", "namespace",
                                                             "deletionTimestamp", "generation", "name")
                             if k in cur["metadata"]}
                out = copy.deepcopy(new)
                out["metadata"] = dict(nmeta, **keep_meta)
                out["apiVersion"], out["kind"] = res.api_version, res.kind
                if res.crd:  # status subresource: the main resource cannot change status
                    out["status"] = copy.deepcopy(cur.get("status"))
                if out.get("spec") != cur.get("spec"):
                    out["metadata"]["generation"] = cur["metadata"].get("generation", 1) + 1
            if out == cur:
                return copy.deepcopy(cur)  # no-op writes do not bump the version
            if dry_run:
                return out
            out["metadata"]["resourceVersion"] = str(self._bump())
            tbl[key] = out
            self._emit("MODIFIED", res.plural, out, old)
            return copy.deepcopy(out)

    def mutate(self, plural, ns, name, fn):
        """For the controller: fn(obj) edits in place; returns the new copy or None if gone."""
        with self.cond:
            cur = self._table(plural).get((ns, name))
            if cur is None:
                return None
            old = copy.deepcopy(cur)
            fn(cur)
            if cur == old:
                return copy.deepcopy(cur)
            cur["metadata"]["resourceVersion"] = str(self._bump())
            self._emit("MODIFIED", plural, cur, old)
            return copy.deepcopy(cur)

    def put_raw(self, plural, api_version, kind, obj):
        """For the controller and seeding: store a new object without API checks."""
        with self.cond:
            meta = obj["metadata"]
            key = (meta.get("namespace", ""), meta["name"])
            obj["apiVersion"], obj["kind"] = api_version, kind
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", rfc3339())
            meta["resourceVersion"] = str(self._bump())
            tbl = self._table(plural)
            old = tbl.get(key)
            tbl[key] = copy.deepcopy(obj)
            self._emit("MODIFIED" if old else "ADDED", plural, obj, old)
            return copy.deepcopy(obj)

    def remove(self, plural, ns, name):
        """Delete at once with a DELETED event; returns the object or None."""
        with self.cond:
            cur = self._table(plural).pop((ns, name), None)
            if cur is None:
                return None
            cur["metadata"]["resourceVersion"] = str(self._bump())
            self._emit("DELETED", plural, cur)
            return copy.deepcopy(cur)

    def keys(self, plural):
        with self.cond:
            return sorted(self._table(plural).keys())

    def compact(self):
        with self.cond:
            self.history.clear()
            self.compacted_rv = self.rv

    def events_after(self, rv, timeout):
        """Events with version > rv, waiting up to timeout for one. Raises Gone."""
        with self.cond:
            if rv < self.compacted_rv:
                raise Gone(rv, self.compacted_rv + 1)
            evs = [e for e in self.history if e.rv > rv]
            if not evs and timeout > 0:
                self.cond.wait(timeout)
                if rv < self.compacted_rv:
                    raise Gone(rv, self.compacted_rv + 1)
                evs = [e for e in self.history if e.rv > rv]
            return evs, self.rv

    def wake(self):
        with self.cond:
            self.cond.notify_all()

    def counts(self):
        with self.cond:
            return {p: len(t) for p, t in self.objects.items()}


def not_found(res, name):
    what = "%s.%s" % (res.plural, res.group) if res.group else res.plural
    return ApiError(404, "%s \"%s\" not found" % (what, name),
                    details={"name": name, "group": res.group, "kind": res.plural})
