"""Fault switches and traffic statistics, driven through /_standin/."""
import threading
import time

from .util import rfc3339


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.released = threading.Event()  # set = not stalled
        self.released.set()
        self.clear()

    def clear(self):
        with self.lock:
            self.fail_left = 0      # >0 count, -1 until cleared
            self.fail_code = 500
            self.slow_ms = 0
            self.garbage_left = 0
            self.garbage_kind = "html"
            self.fail_path = ""     # only requests whose path contains this
            self.garbage_path = ""
        self.released.set()

    def set_fail(self, count, code, path=""):
        with self.lock:
            self.fail_left, self.fail_code, self.fail_path = count, code, path

    def set_slow(self, ms):
        with self.lock:
            self.slow_ms = ms

    def set_garbage(self, count, kind, path=""):
        with self.lock:
            self.garbage_left, self.garbage_kind, self.garbage_path = count, kind, path

    def stall(self):
        self.released.clear()

    def stalled(self):
        return not self.released.is_set()

    def take(self, path):
        """The fault the request for path gets: (slow_ms, ("fail", code) | ("garbage", kind) | None).
        A fault limited to a path substring leaves other requests alone (and
        uncounted): kubectl's own /version probe must not eat a count=1."""
        with self.lock:
            act = None
            if self.fail_left and self.fail_path in path:
                act = ("fail", self.fail_code)
                if self.fail_left > 0:
                    self.fail_left -= 1
            elif self.garbage_left and self.garbage_path in path:
                act = ("garbage", self.garbage_kind)
                if self.garbage_left > 0:
                    self.garbage_left -= 1
            return self.slow_ms, act

    def state(self):
        with self.lock:
            return {"fail": {"left": self.fail_left, "code": self.fail_code, "path": self.fail_path},
                    "slow_ms": self.slow_ms,
                    "garbage": {"left": self.garbage_left, "kind": self.garbage_kind,
                                "path": self.garbage_path},
                    "stalled": self.stalled()}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.since = time.time()
            self.classes = {}
            self.users = {}  # token | cert:<CN> | anonymous: two clients side by side

    def request(self, cls, user):
        with self.lock:
            self.classes.setdefault(cls, [0, 0])[0] += 1
            self.users.setdefault(user, [0, 0])[0] += 1

    def sent(self, cls, user, n):
        with self.lock:
            self.classes.setdefault(cls, [0, 0])[1] += n
            self.users.setdefault(user, [0, 0])[1] += n

    def report(self):
        with self.lock:
            total_r = sum(v[0] for v in self.classes.values())
            total_b = sum(v[1] for v in self.classes.values())
            return {"since": rfc3339(self.since), "elapsed_s": round(time.time() - self.since, 3),
                    "total": {"requests": total_r, "bytes": total_b},
                    "classes": {k: {"requests": v[0], "bytes": v[1]}
                                for k, v in sorted(self.classes.items())},
                    "users": {k: {"requests": v[0], "bytes": v[1]}
                              for k, v in sorted(self.users.items())}}


GARBAGE_HTML = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
                b"<body><center><h1>502 Bad Gateway</h1></center>\n"
                b"<hr><center>nginx</center>\n</body></html>\n")
