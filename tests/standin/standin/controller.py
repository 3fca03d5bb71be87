"""Scripted controller: moves MigrationTasks through the add-on's life
(Prepare, Init with one Job per step, InitFinished, Running with a CDC
StatefulSet and pod, Terminating, gone). See README.md for the timeline."""
import hashlib
import heapq
import itertools
import random
import threading
import time

from .resources import (DM_GROUP, DM_VERSION, TASK_LABEL, STEP_ANNOTATION, ORDER_ANNOTATION,
                        TEMPLATE_STEP_ORDER)
from .util import rfc3339, pod_local

IMAGE = "registry.example/migration-tool:0.5"
FINALIZER = "datamigration.apecloud.io/finalizer"
STEP_NAMES = {"preCheck": "precheck", "initStruct": "init-struct", "initData": "init-data"}


def fmt_lsn(v):
    return "%X/%X" % (v >> 32, v & 0xFFFFFFFF)


def _suffix(name):
    h = hashlib.sha1(name.encode()).hexdigest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[int(h[i:i + 2], 16) % len(alphabet)] for i in range(0, 10, 2))


def _stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".%03d" % int((t % 1) * 1000)


class TaskRun:
    def __init__(self, ns, name, uid, steps, task_type, fail_precheck):
        self.ns, self.name, self.uid = ns, name, uid
        self.steps, self.task_type, self.fail_precheck = steps, task_type, fail_precheck
        self.terminating = False
        self.cdc_running = False
        seed = int(hashlib.sha1(name.encode()).hexdigest()[:6], 16)
        self.lsn = 0x3000000 + seed
        self.rng = random.Random(seed)
        self.pods = []  # pod names, for cleanup
        self.jobs = []


class Controller:
    def __init__(self, store, logs, speed=1.0):
        self.store, self.logs, self.speed = store, logs, max(speed, 0.001)
        self.heap, self.seq = [], itertools.count()
        self.cv = threading.Condition()
        self.runs = {}  # (ns, name) -> TaskRun
        self.cdc_lag = 0.0
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name="controller", daemon=True)

    # ---- scheduling ----
    def start(self):
        self.thread.start()

    def stop(self):
        with self.cv:
            self.stopping = True
            self.cv.notify_all()

    def at(self, delay, fn, *args):
        with self.cv:
            heapq.heappush(self.heap, (time.monotonic() + delay / self.speed, next(self.seq), fn, args))
            self.cv.notify_all()

    def _loop(self):
        while True:
            with self.cv:
                while not self.stopping and (not self.heap or self.heap[0][0] > time.monotonic()):
                    self.cv.wait(None if not self.heap else max(0.0, self.heap[0][0] - time.monotonic()))
                if self.stopping:
                    return
                _, _, fn, args = heapq.heappop(self.heap)
            try:
                fn(*args)
            except Exception as e:  # a bug here must not kill the controller
                print("controller: %s: %r" % (getattr(fn, "__name__", fn), e), flush=True)

    # ---- helpers ----
    def _live(self, run):
        return (not run.terminating and self.runs.get((run.ns, run.name)) is run
                and self.store.exists("migrationtasks", run.ns, run.name))

    def _task_status(self, run, fn):
        def edit(o):
            st = o.setdefault("status", {}) or {}
            o["status"] = st
            fn(st)
        self.store.mutate("migrationtasks", run.ns, run.name, edit)

    def _owner(self, run, kind="MigrationTask", name=None, uid=None, api=None):
        return [{"apiVersion": api or "%s/%s" % (DM_GROUP, DM_VERSION), "kind": kind,
                 "name": name or run.name, "uid": uid or run.uid,
                 "controller": True, "blockOwnerDeletion": True}]

    def _log(self, run, pod, text, level="INFO"):
        t = time.time()
        self.logs.write(run.ns, pod, "%s %s %s" % (_stamp(t), level, text), t)

    def _pod(self, run, name, annotations, owner, extra_labels):
        labels = {TASK_LABEL: run.name}
        labels.update(extra_labels)
        return {"metadata": {"name": name, "namespace": run.ns, "labels": labels,
                             "annotations": annotations, "ownerReferences": owner},
                "spec": {"containers": [{"name": "main", "image": IMAGE}],
                         "restartPolicy": "Never", "nodeName": "standin-node"},
                "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True"}],
                           "containerStatuses": [{"name": "main", "image": IMAGE, "ready": False,
                                                  "restartCount": 0, "started": False,
                                                  "state": {"waiting": {"reason": "ContainerCreating"}}}]}}

    def _pod_phase(self, run, pod, phase, reason=None):
        now = rfc3339()

        def edit(o):
            st = o["status"]
            st["phase"] = phase
            cs = st["containerStatuses"][0]
            if phase == "Running":
                st["startTime"] = now
                st["podIP"] = "10.0.0.%d" % (1 + run.rng.randrange(250))
                st["conditions"] = [{"type": t, "status": "True", "lastTransitionTime": now}
                                    for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")]
                cs.update(ready=True, started=True, state={"running": {"startedAt": now}})
            else:
                code = 0 if phase == "Succeeded" else 1
                st["conditions"] = [{"type": "Ready", "status": "False", "reason": "PodCompleted",
                                     "lastTransitionTime": now}]
                cs.update(ready=False, started=False, state={"terminated": {
                    "exitCode": code, "reason": reason or ("Completed" if code == 0 else "Error"),
                    "startedAt": st.get("startTime", now), "finishedAt": now}})
        self.store.mutate("pods", run.ns, pod, edit)

    # ---- life of a task ----
    def task_created(self, task):
        meta, spec = task["metadata"], task.get("spec") or {}
        want = (spec.get("initialization") or {}).get("steps") or []
        task_type = spec.get("taskType") or "initialization-and-cdc"
        steps = [s for s in TEMPLATE_STEP_ORDER if s in want] if task_type != "cdc" else []
        addr = str((spec.get("sourceEndpoint") or {}).get("address", ""))
        run = TaskRun(meta["namespace"], meta["name"], meta["uid"], steps, task_type,
                      "fail-precheck" in addr)
        self.runs[(run.ns, run.name)] = run
        self.store.mutate("migrationtasks", run.ns, run.name,
                          lambda o: o["metadata"].setdefault("finalizers", [FINALIZER]))
        self.at(0.3, self._prepare, run)

    def _prepare(self, run):
        if not self._live(run):
            return
        self._task_status(run, lambda st: st.update(taskStatus="Prepare", startTime=rfc3339()))
        self.at(0.7, self._init, run)

    def _init(self, run):
        if not self._live(run):
            return
        if not run.steps:
            self._start_cdc(run)
            return
        self._task_status(run, lambda st: st.update(
            taskStatus="Init", initialization={"startTime": rfc3339()}))
        self._start_job(run, 0)

    def _job_name(self, run, i):
        return "%s-job-%d" % (run.name, i)

    def _start_job(self, run, i):
        jname = self._job_name(run, i)
        job = self.store.put_raw("jobs", "batch/v1", "Job", {
            "metadata": {"name": jname, "namespace": run.ns, "ownerReferences": self._owner(run),
                         "labels": {TASK_LABEL: run.name}},
            "spec": {"backoffLimit": 0, "completions": 1, "parallelism": 1,
                     "template": {"spec": {"containers": [{"name": "main", "image": IMAGE}],
                                           "restartPolicy": "Never"}}},
            "status": {"startTime": rfc3339(), "active": 1}})
        run.jobs.append(jname)
        pname = "%s-%s" % (jname, _suffix(jname))
        run.pods.append(pname)
        self.store.put_raw("pods", "v1", "Pod", self._pod(
            run, pname, {ORDER_ANNOTATION: str(i)},
            self._owner(run, "Job", jname, job["metadata"]["uid"], "batch/v1"),
            {"job-name": jname}))
        self.at(0.3, self._job_running, run, i, pname)
        self.at(2.0, self._job_done, run, i, pname)

    def _job_running(self, run, i, pname):
        if not self._live(run):
            return
        self._pod_phase(run, pname, "Running")
        step = STEP_NAMES[run.steps[i]]
        self._log(run, pname, "[%s] starting %s for task %s" % (step, run.steps[i], run.name))
        self.at(0.4, self._job_tick, run, i, pname, 1)

    def _job_tick(self, run, i, pname, n):
        if not self._live(run) or n > 3:
            return
        step = STEP_NAMES[run.steps[i]]
        msgs = {"precheck": ["checking wal_level", "checking replication slots", "checking privileges"],
                "init-struct": ["creating schemas", "creating tables", "creating indexes"],
                "init-data": ["copying public.table_test_1", "copying public.table_test_2",
                              "copied %d rows" % (1000 + run.rng.randrange(9000))]}[step]
        self._log(run, pname, "[%s] %s" % (step, msgs[n - 1]))
        self.at(0.4, self._job_tick, run, i, pname, n + 1)

    def _job_done(self, run, i, pname):
        if not self._live(run):
            return
        jname = self._job_name(run, i)
        now = rfc3339()
        step = STEP_NAMES[run.steps[i]]
        if run.fail_precheck and run.steps[i] == "preCheck":
            reason = "precheck failed: source endpoint is not reachable (could not connect to server)"
            self._log(run, pname, "[%s] %s" % (step, reason), "ERROR")
            self.logs.end(run.ns, pname)
            self.store.mutate("jobs", run.ns, jname, lambda o: o.update(status={
                "startTime": o["status"].get("startTime"), "failed": 1,
                "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                                "message": "Job has reached the specified backoff limit",
                                "lastProbeTime": now, "lastTransitionTime": now}]}))
            self._pod_phase(run, pname, "Failed")
            self._task_status(run, lambda st: st.setdefault("initialization", {}).update(
                failedReason=reason))
            return
        self._log(run, pname, "[%s] finished" % step)
        self.logs.end(run.ns, pname)
        self.store.mutate("jobs", run.ns, jname, lambda o: o.update(status={
            "startTime": o["status"].get("startTime"), "completionTime": now, "succeeded": 1,
            "conditions": [{"type": "Complete", "status": "True",
                            "lastProbeTime": now, "lastTransitionTime": now}]}))
        self._pod_phase(run, pname, "Succeeded")
        if i + 1 < len(run.steps):
            self._start_job(run, i + 1)
            return
        self._task_status(run, lambda st: (st.update(taskStatus="InitFinished"),
                                           st.setdefault("initialization", {}).update(finishTime=now)))
        if run.task_type == "initialization":
            self.at(1.0, self._done, run)
        else:
            self.at(1.0, self._start_cdc, run)

    def _done(self, run):
        if self._live(run):
            self._task_status(run, lambda st: st.update(taskStatus="Done", finishTime=rfc3339()))

    def _cdc_objects(self, run):
        sname = run.name + "-cdc"
        sts = self.store.put_raw("statefulsets", "apps/v1", "StatefulSet", {
            "metadata": {"name": sname, "namespace": run.ns, "labels": {TASK_LABEL: run.name},
                         "ownerReferences": self._owner(run)},
            "spec": {"replicas": 1, "serviceName": sname,
                     "selector": {"matchLabels": {TASK_LABEL: run.name}},
                     "template": {"spec": {"containers": [{"name": "main", "image": IMAGE}]}}},
            "status": {"replicas": 1, "availableReplicas": 0, "readyReplicas": 0,
                       "currentReplicas": 1, "updatedReplicas": 1, "observedGeneration": 1}})
        pname = sname + "-0"
        run.pods.append(pname)
        self.store.put_raw("pods", "v1", "Pod", self._pod(
            run, pname, {STEP_ANNOTATION: "cdc"},
            self._owner(run, "StatefulSet", sname, sts["metadata"]["uid"], "apps/v1"),
            {"statefulset.kubernetes.io/pod-name": pname}))
        return sname, pname

    def _start_cdc(self, run):
        if not self._live(run):
            return
        self._task_status(run, lambda st: st.update(taskStatus="Running", cdc={"startTime": rfc3339()}))
        sname, pname = self._cdc_objects(run)
        self.at(1.0, self._cdc_ready, run, sname, pname)

    def _sts_ready(self, run, sname):
        self.store.mutate("statefulsets", run.ns, sname, lambda o: o["status"].update(
            availableReplicas=1, readyReplicas=1))

    def _cdc_ready(self, run, sname, pname):
        if not self._live(run):
            return
        self._pod_phase(run, pname, "Running")
        self._sts_ready(run, sname)
        run.cdc_running = True
        self._log(run, pname, "[cdc] starting change data capture, slot %s" % run.name.replace("-", "_"))
        self._cdc_tick(run, pname, 0)

    def _position_line(self, run):
        run.lsn += 200 + run.rng.randrange(5000)
        ts = pod_local(time.time() - self.cdc_lag)
        return ts, "[cdc] current_position: %s, timestamp: %s, applied %d changes" % (
            fmt_lsn(run.lsn), ts, run.rng.randrange(1, 50))

    def _metrics(self, run, ts):
        self._task_status(run, lambda st: st.setdefault("cdc", {}).update(
            metrics={"source_position": fmt_lsn(run.lsn), "source_timestamp": ts}))

    def _cdc_tick(self, run, pname, n):
        if not self._live(run):
            return
        ts, line = self._position_line(run)
        self._log(run, pname, line)
        if n % 3 == 0:
            self._metrics(run, ts)
        self.at(1.0, self._cdc_tick, run, pname, n + 1)

    # ---- seeding (already Running, then quiet unless live) ----
    def seed_running(self, task, live):
        meta = task["metadata"]
        run = TaskRun(meta["namespace"], meta["name"], meta["uid"], list(TEMPLATE_STEP_ORDER),
                      "initialization-and-cdc", False)
        self.runs[(run.ns, run.name)] = run
        t0 = time.time() - 60
        for i, step in enumerate(run.steps):
            jname = self._job_name(run, i)
            start, end = rfc3339(t0 + i * 10), rfc3339(t0 + i * 10 + 8)
            job = self.store.put_raw("jobs", "batch/v1", "Job", {
                "metadata": {"name": jname, "namespace": run.ns, "labels": {TASK_LABEL: run.name},
                             "ownerReferences": self._owner(run)},
                "spec": {"backoffLimit": 0, "completions": 1, "parallelism": 1},
                "status": {"startTime": start, "completionTime": end, "succeeded": 1,
                           "conditions": [{"type": "Complete", "status": "True",
                                           "lastProbeTime": end, "lastTransitionTime": end}]}})
            run.jobs.append(jname)
            pname = "%s-%s" % (jname, _suffix(jname))
            run.pods.append(pname)
            pod = self._pod(run, pname, {ORDER_ANNOTATION: str(i)},
                            self._owner(run, "Job", jname, job["metadata"]["uid"], "batch/v1"),
                            {"job-name": jname})
            pod["status"] = {"phase": "Succeeded", "startTime": start, "containerStatuses": [
                {"name": "main", "image": IMAGE, "ready": False, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}
            self.store.put_raw("pods", "v1", "Pod", pod)
            self.logs.write(run.ns, pname, "%s INFO [%s] finished" % (_stamp(t0 + i * 10 + 8),
                                                                       STEP_NAMES[step]), t0 + i * 10 + 8)
            self.logs.end(run.ns, pname)
        sname, pname = self._cdc_objects(run)
        self._pod_phase(run, pname, "Running")
        self._sts_ready(run, sname)
        run.cdc_running = True
        ts, line = self._position_line(run)
        self._log(run, pname, line)
        self.store.mutate("migrationtasks", run.ns, run.name, lambda o: (
            o["metadata"].setdefault("finalizers", [FINALIZER]),
            o.update(status={"taskStatus": "Running", "startTime": rfc3339(t0),
                             "initialization": {"startTime": rfc3339(t0), "finishTime": rfc3339(t0 + 28)},
                             "cdc": {"startTime": rfc3339(t0 + 30),
                                     "metrics": {"source_position": fmt_lsn(run.lsn),
                                                 "source_timestamp": ts}}})))
        if live:
            self.at(1.0, self._cdc_tick, run, pname, 1)

    # ---- deletion ----
    def task_delete_requested(self, ns, name):
        """Returns the task with deletionTimestamp set; it goes after the finalizer delay."""
        run = self.runs.get((ns, name))
        obj = self.store.mutate("migrationtasks", ns, name, lambda o: o["metadata"].setdefault(
            "deletionTimestamp", rfc3339()))
        if run is None:  # not ours (e.g. created before a reset): finalize anyway
            run = TaskRun(ns, name, obj["metadata"]["uid"] if obj else "", [], "", False)
            self.runs[(ns, name)] = run
        if not run.terminating:
            run.terminating = True
            self.at(2.0, self._finalize, run)
        return obj

    def _finalize(self, run):
        for pod in run.pods:
            self.store.remove("pods", run.ns, pod)
            self.logs.forget(run.ns, pod)
        self.store.remove("statefulsets", run.ns, run.name + "-cdc")
        for job in run.jobs:
            self.store.remove("jobs", run.ns, job)
        self.store.remove("migrationtasks", run.ns, run.name)
        if self.runs.get((run.ns, run.name)) is run:
            del self.runs[(run.ns, run.name)]

    def forget_all(self):
        """For /_standin/reset: every run stops."""
        for run in list(self.runs.values()):
            run.terminating = True
        self.runs.clear()
