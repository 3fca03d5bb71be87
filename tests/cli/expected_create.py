#!/usr/bin/env python3
"""What `kbcli migration create` POSTs for a set of flags, rebuilt here from
kbcli's own rules (pkg/cmd/migration/create.go, base.go and
cue/migration_template.cue, apecloud/kbcli before May 2024), independently
of migtop's model/task_build.c, and compared field by field with the object
the API server stored.

usage: expected_create.py STORED.json NAME NAMESPACE TEMPLATE SOURCE SINK OBJECTS STEPS
(OBJECTS and STEPS exactly as given on the command line; STEPS may be "")
Prints every difference as `path: expected X, stored Y`; exit 1 if any."""
import csv
import json
import sys


def endpoint(s):
    # EndpointModel.BuildFromStr: user:password@address[/database]
    account, url = s.strip().split("@")
    user, password = account.split(":")
    e = {"userName": user, "password": password}
    if "/" in url:
        parts = url.split("/")
        e["address"] = "/".join(parts[:-1])
        if parts[-1]:
            e["databaseName"] = parts[-1]  # omitempty
    else:
        e["address"] = url
    return e


def objects(flag):
    # cobra StringSlice reads the flag as one CSV record.
    values = next(csv.reader([flag]))
    white = []
    for v in values:
        pair = v.split(".")
        if len(pair) == 1:
            white.append({"schemaName": v, "isAll": True, "tableList": None})
            continue
        for w in white:
            if w["schemaName"] == pair[0]:
                w["tableList"] = (w["tableList"] or []) + [{"tableName": pair[1], "isAll": True}]
                break
        else:
            white.append({"schemaName": pair[0], "isAll": False,
                          "tableList": [{"tableName": pair[1], "isAll": True}]})
    return {"whiteList": white}


def steps(flag):
    on = {"precheck": True, "init-struct": True, "init-data": True, "cdc": True}
    task_type = "initialization-and-cdc"
    if flag:
        for kv in next(csv.reader([flag])):
            k, v = kv.split("=")
            on[k.strip().lower()] = v.strip().lower() == "true"
        task_type = "initialization-and-cdc" if on["cdc"] else "initialization"
    model = [s for s, k in (("preCheck", "precheck"), ("initStruct", "init-struct"),
                            ("initData", "init-data")) if on[k]]
    return task_type, model


def expected(name, ns, template, source, sink, objs, step_flag):
    task_type, model = steps(step_flag)
    cfg = lambda: {"resource": {"limits": {}}, "tolerations": []}
    cdc = cfg()
    cdc["param"] = {"extractor.server_id": 10001}  # not a MySQL source
    return {
        "apiVersion": "datamigration.apecloud.io/v1alpha1",
        "kind": "MigrationTask",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "taskType": task_type,
            "template": template,
            "sourceEndpoint": endpoint(source),
            "sinkEndpoint": endpoint(sink),
            "initialization": {"steps": model,
                               "config": {"preCheck": cfg(), "initStruct": cfg(),
                                          "initData": cfg()}},
            "cdc": {"config": cdc},
            "migrationObj": objects(objs),
            "globalTolerations": [],
            "globalResources": {"limits": {}},
        },
    }


def compare(path, want, got, out):
    # A null the client sends and a field left out are the same to the API
    # server (it prunes nulls of non-nullable fields).
    if want is None and got is None:
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            out.append(f"{path}: expected an object, stored {json.dumps(got)}")
            return
        for k in want:
            compare(f"{path}.{k}", want[k], got.get(k), out)
        return
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            out.append(f"{path}: expected {json.dumps(want)}, stored {json.dumps(got)}")
            return
        for i, (w, g) in enumerate(zip(want, got)):
            compare(f"{path}[{i}]", w, g, out)
        return
    if want != got or type(want) is not type(got):
        out.append(f"{path}: expected {json.dumps(want)}, stored {json.dumps(got)}")


def main():
    stored_path, name, ns, template, source, sink, objs, step_flag = sys.argv[1:9]
    with open(stored_path) as f:
        stored = json.load(f)
    want = expected(name, ns, template, source, sink, objs, step_flag)
    diffs = []
    compare("", want, stored, diffs)
    # Nothing kbcli does not send may appear in spec either.
    for k in stored.get("spec", {}):
        if k not in want["spec"]:
            diffs.append(f".spec.{k}: not sent by kbcli, stored {json.dumps(stored['spec'][k])}")
    for d in diffs:
        print(d)
    print(f"{len(diffs)} difference(s) in the stored object")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
