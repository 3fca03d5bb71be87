#!/usr/bin/env python3
"""Writes a kubectl-style v1 List of migration objects in every state the
KubeBlocks migration add-on uses, with times relative to --now.

  make-sample.py [--now EPOCH] [--tasks N] [--lag SECONDS] > snapshot.json

The bundled tests/data/sample-snapshot.json is this script's output at a
fixed --now; tests call it with the real time so that lags are small.
Object shapes follow ../shared/k8s/README.md (kbcli's migration types)."""
import argparse, json, sys, time
from datetime import datetime, timezone

p = argparse.ArgumentParser()
p.add_argument("--now", type=int, default=1790000000)
p.add_argument("--tasks", type=int, default=0, help="extra Running tasks (benchmarks)")
p.add_argument("--lag", type=int, default=3, help="CDC timestamp lag of the running task")
p.add_argument("--position", default="0/3000148")
a = p.parse_args()
NOW = a.now
API = "datamigration.apecloud.io/v1alpha1"
LABEL = "datamigration.apecloud.io/migrationtask"

def ts(off):  # RFC 3339, off seconds before now
    return datetime.fromtimestamp(NOW - off, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

def pod_local(off):  # the add-on's metric timestamp: no zone, pod local time (UTC here)
    return datetime.fromtimestamp(NOW - off, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

def meta(name, ns, created_off, **extra):
    m = {"name": name, "namespace": ns, "creationTimestamp": ts(created_off),
         "resourceVersion": str(1000 + created_off % 997), "uid": f"uid-{ns}-{name}"}
    m.update(extra)
    return m

items = [{
    "apiVersion": API, "kind": "MigrationTemplate",
    "metadata": {"name": "apecloud-pg2pg", "creationTimestamp": ts(86400 * 30),
                 "resourceVersion": "501", "uid": "uid-apecloud-pg2pg"},
    "spec": {"taskType": ["initialization", "cdc", "initialization-and-cdc"],
             "description": "PostgreSQL ==> PostgreSQL",
             "source": {"dbType": "PostgreSQL", "dbVersion": "14.x"},
             "target": {"dbType": "PostgreSQL", "dbVersion": "14.x"},
             "initialization": {"isPositionPreparation": True, "steps": [
                 {"step": s, "container": {"image": "registry.example/migration-tool:0.5"}}
                 for s in ("preCheck", "initStruct", "initData")]},
             "cdc": {"container": {"image": "registry.example/migration-tool:0.5"}}},
    "status": {"phase": "Available"}}, {
    "apiVersion": API, "kind": "MigrationTemplate",
    "metadata": {"name": "apecloud-mysql2mysql", "creationTimestamp": ts(86400 * 30),
                 "resourceVersion": "502", "uid": "uid-apecloud-mysql2mysql"},
    "spec": {"taskType": ["initialization", "cdc", "initialization-and-cdc"],
             "description": "MySQL ==> MySQL",
             "source": {"dbType": "MySQL", "dbVersion": "8.*"},
             "target": {"dbType": "MySQL", "dbVersion": "8.*"},
             "initialization": {"steps": [{"step": s} for s in ("preCheck", "initStruct", "initData")]}},
    "status": {"phase": "Available"}}]

def task(name, ns, created_off, status, type_="initialization-and-cdc", steps=("preCheck", "initStruct", "initData"),
         st=None, deleted=None, objects=None):
    md = meta(name, ns, created_off)
    if deleted is not None:
        md["deletionTimestamp"] = ts(deleted)
        md["finalizers"] = ["datamigration.apecloud.io/finalizer"]
    t = {"apiVersion": API, "kind": "MigrationTask", "metadata": md,
         "spec": {"taskType": type_, "template": "apecloud-pg2pg",
                  "sourceEndpoint": {"endpointType": "address", "address": "10.1.0.5:5432",
                                     "databaseName": "orders", "userName": "migrator",
                                     "password": "Src-Pa55-w0rd!"},
                  "sinkEndpoint": {"endpointType": "address",
                                   "address": "pg-orders-postgresql.prod.svc:5432",
                                   "databaseName": "orders", "userName": "postgres",
                                   "password": "Snk-Pa55-w0rd!"},
                  "initialization": {"steps": list(steps)},
                  "cdc": {"config": {"param": {"extractor.server_id": 10001}}},
                  "migrationObj": {"whiteList": objects or [
                      {"schemaName": "public", "tableList": [
                          {"tableName": "orders", "isAll": True},
                          {"tableName": "order_items", "isAll": True}]}]}},
         "status": dict(taskStatus=status, **(st or {}))}
    return t

def job(task_name, ns, i, created_off, cond=None, start=None, done=None):
    j = {"apiVersion": "batch/v1", "kind": "Job",
         "metadata": meta(f"{task_name}-job-{i}", ns, created_off, labels={LABEL: task_name}),
         "status": {}}
    if start is not None:
        j["status"]["startTime"] = ts(start)
    if done is not None:
        j["status"]["completionTime"] = ts(done)
    if cond:
        j["status"]["conditions"] = [{"type": cond, "status": "True", "lastTransitionTime": ts(done or 0)}]
        j["status"]["succeeded" if cond == "Complete" else "failed"] = 1
    else:
        j["status"]["active"] = 1
    return j

def pod(task_name, ns, name, created_off, phase, ann, start=None):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta(name, ns, created_off, labels={LABEL: task_name}, annotations=ann),
            "spec": {"containers": [{"name": "migration", "image": "registry.example/migration-tool:0.5"}]},
            "status": {"phase": phase, **({"startTime": ts(start)} if start is not None else {})}}

def sts(task_name, ns, created_off, replicas, available):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": meta(f"{task_name}-cdc", ns, created_off, labels={LABEL: task_name}),
            "spec": {"replicas": replicas},
            "status": {"replicas": replicas, "availableReplicas": available, "readyReplicas": available}}

def init_jobs(name, ns, base, states):
    out = []
    for i, s in enumerate(states):
        off = base - i * 300
        if s == "Complete":
            out.append(job(name, ns, i, off, "Complete", off - 5, off - 290))
        elif s == "Failed":
            out.append(job(name, ns, i, off, "Failed", off - 5, off - 60))
        else:
            out.append(job(name, ns, i, off, None, off - 5))
        out.append(pod(name, ns, f"{name}-job-{i}-x{i}k", off, {"Complete": "Succeeded", "Failed": "Failed"}.get(s, "Running"),
                       {"common.apecloud.io/serial_job_order": str(i)}, off - 5))
    return out

# Prepare: just created, no jobs yet.
items.append(task("orders-prepare", "default", 20, "Prepare"))
# Init: precheck done, init-struct running.
items.append(task("orders-init", "default", 900, "Init",
                  st={"startTime": ts(890), "initialization": {"startTime": ts(890)}}))
items += init_jobs("orders-init", "default", 895, ["Complete", "Running"])
# Running: initialization finished, CDC running with metrics.
run = task("orders-running", "prod", 7200, "Running",
           st={"startTime": ts(7190),
               "initialization": {"startTime": ts(7190), "finishTime": ts(5400)},
               "cdc": {"startTime": ts(5390),
                       "metrics": {"source_position": a.position,
                                   "source_timestamp": pod_local(a.lag)}}})
run["spec"]["migrationObj"]["whiteList"].append({"schemaName": "billing", "isAll": True})
items.append(run)
items += init_jobs("orders-running", "prod", 7195, ["Complete", "Complete", "Complete"])
items.append(sts("orders-running", "prod", 5395, 1, 1))
items.append(pod("orders-running", "prod", "orders-running-cdc-0", 5395, "Running",
                 {"datamigration.apecloud.io/step": "cdc"}, 5390))
# Failed precheck.
items.append(task("orders-precheck-failed", "staging", 3600, "Init",
                  st={"startTime": ts(3590),
                      "initialization": {"startTime": ts(3590), "finishTime": ts(3500),
                                         "failedReason": "precheck failed: source wal_level is replica, logical is required"}}))
items += init_jobs("orders-precheck-failed", "staging", 3595, ["Failed"])
# Done: initialization only.
items.append(task("archive-copy", "default", 86400 * 3, "Done", type_="initialization",
                  st={"startTime": ts(86400 * 3 - 10), "finishTime": ts(86400 * 3 - 4000),
                      "initialization": {"startTime": ts(86400 * 3 - 10), "finishTime": ts(86400 * 3 - 4000)}},
                  objects=[{"schemaName": "archive", "isAll": True}]))
items += init_jobs("archive-copy", "default", 86400 * 3 - 5, ["Complete", "Complete", "Complete"])
# Terminating: deletion requested, CDC pod still shutting down.
items.append(task("legacy-sync", "prod", 86400 * 9, "Running", deleted=40,
                  st={"startTime": ts(86400 * 9 - 10),
                      "initialization": {"startTime": ts(86400 * 9 - 10), "finishTime": ts(86400 * 8)},
                      "cdc": {"startTime": ts(86400 * 8 - 5),
                              "metrics": {"source_position": "2A/1F00C3D8",
                                          "source_timestamp": pod_local(65)}}}))
items += init_jobs("legacy-sync", "prod", 86400 * 9 - 5, ["Complete", "Complete", "Complete"])
items.append(sts("legacy-sync", "prod", 86400 * 8, 1, 0))
items.append(pod("legacy-sync", "prod", "legacy-sync-cdc-0", 86400 * 8, "Running",
                 {"datamigration.apecloud.io/step": "cdc"}, 86400 * 8 - 5))
# Benchmark bulk: many running tasks.
for i in range(a.tasks):
    n = f"bulk-{i:03d}"
    items.append(task(n, f"team-{i % 7}", 3600 + i, "Running",
                      st={"startTime": ts(3590), "initialization": {"startTime": ts(3590), "finishTime": ts(1800)},
                          "cdc": {"startTime": ts(1790), "metrics": {"source_position": f"{i:X}/1000",
                                                                      "source_timestamp": pod_local(i % 30)}}}))
    items += init_jobs(n, f"team-{i % 7}", 3595, ["Complete", "Complete", "Complete"])
    items.append(sts(n, f"team-{i % 7}", 1795, 1, 1))
    items.append(pod(n, f"team-{i % 7}", f"{n}-cdc-0", 1795, "Running", {"datamigration.apecloud.io/step": "cdc"}, 1790))

json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items},
          sys.stdout, indent=1)
sys.stdout.write("\n")
