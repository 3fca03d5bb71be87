"""Container logs of the stand-in's pods (one container, `main`, per pod)."""
import threading
import time

MAX_LINES = 5000


class PodLog:
    def __init__(self):
        self.base = 0          # absolute index of lines[0] (old lines are dropped)
        self.lines = []        # [(unix time, text)]
        self.ended = False     # container stopped: follow streams end


class LogBook:
    def __init__(self):
        self.cond = threading.Condition()
        self.pods = {}

    def _get(self, ns, pod):
        return self.pods.setdefault((ns, pod), PodLog())

    def write(self, ns, pod, text, t=None):
        with self.cond:
            pl = self._get(ns, pod)
            pl.lines.append((time.time() if t is None else t, text))
            if len(pl.lines) > MAX_LINES:
                drop = len(pl.lines) - MAX_LINES
                del pl.lines[:drop]
                pl.base += drop
            self.cond.notify_all()

    def end(self, ns, pod):
        with self.cond:
            self._get(ns, pod).ended = True
            self.cond.notify_all()

    def forget(self, ns, pod):
        with self.cond:
            pl = self.pods.pop((ns, pod), None)
            if pl:
                pl.ended = True
            self.cond.notify_all()

    def snapshot(self, ns, pod):
        """(absolute index after the last line, [(t, text)], ended)."""
        with self.cond:
            pl = self._get(ns, pod)
            return pl.base + len(pl.lines), list(pl.lines), pl.ended

    def wait_after(self, ns, pod, index, timeout):
        """Lines with absolute index >= index, waiting up to timeout for one."""
        with self.cond:
            pl = self.pods.get((ns, pod))
            if pl is None:
                return index, [], True
            if pl.base + len(pl.lines) <= index and not pl.ended:
                self.cond.wait(timeout)
                pl = self.pods.get((ns, pod))
                if pl is None:
                    return index, [], True
            start = max(index - pl.base, 0)
            new = pl.lines[start:]
            return pl.base + len(pl.lines), new, pl.ended

    def wake(self):
        with self.cond:
            self.cond.notify_all()

    def clear(self):
        with self.cond:
            for pl in self.pods.values():
                pl.ended = True
            self.pods.clear()
            self.cond.notify_all()
