"""The resource types the stand-in serves: discovery data, Table columns,
and the objects seeded at start (the MigrationTemplate and the CRDs)."""
import time

from .util import rfc3339, age, parse_time

DM_GROUP = "datamigration.apecloud.io"
DM_VERSION = "v1alpha1"
TASK_LABEL = "datamigration.apecloud.io/migrationtask"
STEP_ANNOTATION = "datamigration.apecloud.io/step"
ORDER_ANNOTATION = "common.apecloud.io/serial_job_order"
TEMPLATE_STEP_ORDER = ["preCheck", "initStruct", "initData"]

RW = ["create", "delete", "get", "list", "patch", "update", "watch"]
RO_DEL = ["delete", "get", "list", "watch"]
RO = ["get", "list", "watch"]


class Resource:
    def __init__(self, plural, group, version, kind, namespaced, verbs,
                 short=None, crd=False, singular=None, subresources=()):
        self.plural = plural
        self.group = group
        self.version = version
        self.kind = kind
        self.namespaced = namespaced
        self.verbs = verbs
        self.short = short or []
        self.crd = crd  # only served when the CRDs are installed
        self.singular = singular or kind.lower()
        self.subresources = subresources

    @property
    def api_version(self):
        return self.version if not self.group else "%s/%s" % (self.group, self.version)

    @property
    def list_kind(self):
        return self.kind + "List"

    def discovery(self):
        out = [{"name": self.plural, "singularName": self.singular,
                "namespaced": self.namespaced, "kind": self.kind,
                "verbs": self.verbs}]
        if self.short:
            out[0]["shortNames"] = self.short
        if self.crd:
            out[0]["categories"] = ["all"] if self.plural == "migrationtasks" else []
        for sub, verbs in self.subresources:
            out.append({"name": "%s/%s" % (self.plural, sub), "singularName": "",
                        "namespaced": self.namespaced, "kind": self.kind if sub == "status" else "",
                        "verbs": verbs})
        return out


RESOURCES = [
    Resource("pods", "", "v1", "Pod", True, RO_DEL, ["po"], subresources=[("log", ["get"])]),
    Resource("namespaces", "", "v1", "Namespace", False, RO, ["ns"]),
    # Always empty; kubectl describe lists them.
    Resource("events", "", "v1", "Event", True, RO, ["ev"]),
    Resource("jobs", "batch", "v1", "Job", True, RO_DEL, subresources=[("status", ["get"])]),
    Resource("statefulsets", "apps", "v1", "StatefulSet", True, RO_DEL, ["sts"],
             subresources=[("status", ["get"])]),
    Resource("customresourcedefinitions", "apiextensions.k8s.io", "v1",
             "CustomResourceDefinition", False, RO, ["crd", "crds"]),
    Resource("migrationtasks", DM_GROUP, DM_VERSION, "MigrationTask", True, RW, ["mt"],
             crd=True, subresources=[("status", ["get", "patch", "update"])]),
    Resource("migrationtemplates", DM_GROUP, DM_VERSION, "MigrationTemplate", False, RW,
             ["mtp"], crd=True, subresources=[("status", ["get", "patch", "update"])]),
    Resource("serialjobs", "common.apecloud.io", "v1alpha1", "SerialJob", True, RO, crd=True),
]


def find(group, version, plural, crds):
    for r in RESOURCES:
        if r.group == group and r.version == version and r.plural == plural:
            if r.crd and not crds:
                return None
            return r
    return None


def group_versions(crds):
    """[(group, version)] served, core group excluded."""
    seen = []
    for r in RESOURCES:
        if r.group and (crds or not r.crd) and (r.group, r.version) not in seen:
            seen.append((r.group, r.version))
    return seen


# ---- Table columns (kubectl get sends Accept: ...;as=Table) ----

def _col(name, typ="string", fmt="", desc=""):
    return {"name": name, "type": typ, "format": fmt, "description": desc or name, "priority": 0}


def _get(obj, *path, default=""):
    cur = obj
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return default
        cur = cur[p]
    return cur


def _job_duration(o):
    st = parse_time(_get(o, "status", "startTime"))
    if st is None:
        return ""
    end = parse_time(_get(o, "status", "completionTime")) or time.time()
    s = int(end - st)
    return "%ds" % s if s < 120 else "%dm%ds" % (s // 60, s % 60)


def _job_status(o):
    conds = _get(o, "status", "conditions", default=[]) or []
    return conds[-1].get("type", "-") if conds else ("Running" if _get(o, "status", "active", default=0) else "-")


TABLE_COLUMNS = {
    "migrationtasks": ([_col("Name", fmt="name"), _col("Template"), _col("Status"), _col("Age", "date")],
                       lambda o: [_get(o, "spec", "template"), _get(o, "status", "taskStatus")]),
    "migrationtemplates": ([_col("Name", fmt="name"), _col("Database-Mapping"), _col("Status"), _col("Age", "date")],
                           lambda o: [_get(o, "spec", "description"), _get(o, "status", "phase")]),
    "pods": ([_col("Name", fmt="name"), _col("Ready"), _col("Status"), _col("Restarts", "integer"), _col("Age")],
             lambda o: ["1/1" if _get(o, "status", "phase") == "Running" else "0/1",
                        _get(o, "status", "phase"), 0]),
    "jobs": ([_col("Name", fmt="name"), _col("Status"), _col("Completions"), _col("Duration"), _col("Age")],
             lambda o: [_job_status(o), "%d/1" % (_get(o, "status", "succeeded", default=0) or 0),
                        _job_duration(o)]),
    "statefulsets": ([_col("Name", fmt="name"), _col("Ready"), _col("Age")],
                     lambda o: ["%d/%d" % (_get(o, "status", "availableReplicas", default=0) or 0,
                                           _get(o, "spec", "replicas", default=1) or 0)]),
    "customresourcedefinitions": ([_col("Name", fmt="name"), _col("Created At", "date")],
                                  lambda o: [_get(o, "metadata", "creationTimestamp")]),
}


def table_row(plural, obj, include):
    cols, fn = TABLE_COLUMNS.get(plural, ([_col("Name", fmt="name"), _col("Age")], lambda o: []))
    cells = [obj["metadata"]["name"]] + fn(obj)
    if len(cells) < len(cols):
        cells.append(age(_get(obj, "metadata", "creationTimestamp")))
    row = {"cells": cells}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                         "metadata": obj["metadata"]}
    return row


def table_columns(plural):
    return TABLE_COLUMNS.get(plural, ([_col("Name", fmt="name"), _col("Age")], None))[0]


# ---- seed objects ----

def seed_template():
    img = {"image": "registry.example/migration-tool:0.5"}
    return {
        "apiVersion": "%s/%s" % (DM_GROUP, DM_VERSION), "kind": "MigrationTemplate",
        "metadata": {"name": "apecloud-pg2pg"},
        "spec": {
            "taskType": ["initialization", "cdc", "initialization-and-cdc"],
            "description": "PostgreSQL ==> PostgreSQL",
            "source": {"dbType": "PostgreSQL", "dbVersion": "14.x"},
            "target": {"dbType": "PostgreSQL", "dbVersion": "14.x"},
            "initialization": {"isPositionPreparation": True,
                               "steps": [{"step": s, "container": dict(img)} for s in TEMPLATE_STEP_ORDER]},
            "cdc": {"container": dict(img)},
        },
        "status": {"phase": "Available"},
    }


def _crd(plural, group, kind, scope, short, columns):
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "%s.%s" % (plural, group)},
        "spec": {
            "group": group, "scope": scope,
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind,
                      "listKind": kind + "List", "shortNames": short},
            "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                          "subresources": {"status": {}},
                          "additionalPrinterColumns": columns,
                          "schema": {"openAPIV3Schema": {"type": "object",
                                                         "x-kubernetes-preserve-unknown-fields": True}}}],
        },
        "status": {"conditions": [{"type": "Established", "status": "True"}],
                   "acceptedNames": {"plural": plural, "kind": kind}},
    }


def seed_crds():
    return [
        _crd("migrationtasks", DM_GROUP, "MigrationTask", "Namespaced", ["mt"], [
            {"name": "TEMPLATE", "type": "string", "jsonPath": ".spec.template"},
            {"name": "STATUS", "type": "string", "jsonPath": ".status.taskStatus"},
            {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]),
        _crd("migrationtemplates", DM_GROUP, "MigrationTemplate", "Cluster", ["mtp"], [
            {"name": "DATABASE-MAPPING", "type": "string", "jsonPath": ".spec.description"},
            {"name": "STATUS", "type": "string", "jsonPath": ".status.phase"},
            {"name": "AGE", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]),
        _crd("serialjobs", "common.apecloud.io", "SerialJob", "Namespaced", [], []),
    ]


def seed_namespaces():
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n},
             "status": {"phase": "Active"}} for n in ("default", "kube-system")]


__all__ = ["RESOURCES", "find", "group_versions", "table_row", "table_columns", "rfc3339"]
