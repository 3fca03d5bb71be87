"""HTTPS transport of the stand-in: TLS, HTTP/1.1 keep-alive, one thread per
connection, authentication, fault injection, chunked streams, the request
log and traffic statistics. The API itself is in api.py, /_standin/ in
control_api.py."""
import base64
import http.server
import json
import os
import socket
import ssl
import threading
import time
import urllib.parse

from . import api, control_api
from .control import GARBAGE_HTML
from .util import ApiError, status_body


class App:
    """Everything a request handler needs, shared by all threads."""

    def __init__(self, store, logs, controller, faults, stats, token, opts, log_path):
        self.store, self.logs, self.controller = store, logs, controller
        self.faults, self.stats, self.token, self.opts = faults, stats, token, opts
        self.crds = not opts.no_crds
        self.conns = set()
        self.conns_lock = threading.Lock()
        self.drop_gen = 0
        self.stopping = False
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", buffering=1)
        self.url = ""

    def drop_all(self):
        with self.conns_lock:
            self.drop_gen += 1
            conns = list(self.conns)
        for c in conns:
            try:
                # The plain socket's shutdown: wakes a thread blocked in a read
                # without touching the TLS object another thread is using.
                socket.socket.shutdown(c, socket.SHUT_RDWR)
            except OSError:
                pass
        self.store.wake()
        self.logs.wake()
        return len(conns)

    def log_request(self, method, target, status, nbytes, ms, user):
        now = time.time()
        line = "%s\t%s\t%s\t%d\t%d\t%d\t%s\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + ".%03dZ" % (int(now * 1000) % 1000),
            method, target, status, nbytes, ms, user)
        with self.log_lock:
            self.log_file.write(line)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-standin/1.0"
    sys_version = ""
    app = None  # set by make_server

    # ---- connection bookkeeping ----
    def setup(self):
        super().setup()
        with self.app.conns_lock:
            self.app.conns.add(self.connection)
            self.my_gen = self.app.drop_gen

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        with self.app.conns_lock:
            self.app.conns.discard(self.connection)

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, OSError, ValueError):
            # Handshake failures (wrong CA, plain HTTP), resets and drops.
            self.close_connection = True

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # requests.log replaces stderr logging
        pass

    def dropped(self):
        return self.app.drop_gen != self.my_gen or self.app.stopping

    def client_gone(self):
        """True when the peer closed its side (checked while streaming)."""
        try:
            data = socket.socket.recv(self.connection, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            return data == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    # ---- responses ----
    def _count(self, n):
        self.nbytes += n
        if self.cls != "control":  # the benchmark measures API traffic only
            self.app.stats.sent(self.cls, self.user, n)

    def send_raw(self, code, body, ctype, headers=None):
        self.code = code
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
            self._count(len(body))

    def send_json(self, code, obj, headers=None):
        self.send_raw(code, json.dumps(obj, separators=(",", ":")).encode() + b"\n",
                      "application/json", headers)

    def send_error_status(self, err):
        headers = {"Retry-After": "1"} if err.code in (429, 503) else None
        self.send_json(err.code, err.body, headers)

    def start_stream(self, ctype):
        self.code = 200
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.streaming = True

    def write_chunk(self, data):
        """False when the peer is gone or the connection was dropped."""
        if not data:
            return True
        if self.dropped():
            return False
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self._count(len(data))
            return True
        except OSError:
            self.close_connection = True
            return False

    def end_stream(self):
        if self.dropped():
            self.close_connection = True
            return
        try:
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True

    # ---- requests ----
    def read_body(self):
        """The request body, read once (it must always be consumed, or it
        would be taken for the next request on a keep-alive connection)."""
        if self.body is None:
            self.body = self._read_body()
        return self.body

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        if n > 16 * 1024 * 1024:
            raise ApiError(413, "request entity too large")
        return self.rfile.read(n) if n else b""

    def authenticate(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:].strip() == self.app.token:
            return "token"
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user, pw = "", ""
            if user == "standin-admin" and pw == self.app.token:
                return "basic:" + user
        try:
            cert = self.connection.getpeercert()
        except (ValueError, ssl.SSLError):
            cert = None
        if cert:
            cn = ""
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
            return "cert:" + cn
        return None

    def dispatch(self):
        t0 = time.monotonic()
        self.code, self.nbytes, self.streaming = 0, 0, False
        self.user, self.body, self.cls = "-", None, "other"
        split = urllib.parse.urlsplit(self.path)
        path = split.path
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        self.query = query
        try:
            self.read_body()
            if path.startswith("/_standin/") or path == "/_standin":
                self.cls = "control"
                control_api.handle(self, path, query)
                return
            route = api.route(path)
            self.cls = api.classify(self.command, route, query)
            self.user = self.authenticate() or "anonymous"
            self.app.stats.request(self.cls if self.user != "anonymous" else "auth-failed", self.user)
            if self.user == "anonymous":
                self.cls = "auth-failed"
                raise ApiError(401, "Unauthorized")
            if self.apply_faults():
                return
            api.handle(self, self.command, route, query)
        except ApiError as e:
            if self.streaming:
                self.close_connection = True
            else:
                self.send_error_status(e)
        except (OSError, ssl.SSLError):
            self.close_connection = True
        except Exception as e:  # a server bug answers 500, never a hang
            if not self.streaming:
                self.send_json(500, status_body(500, "stand-in internal error: %r" % e))
            self.close_connection = True
        finally:
            self.app.log_request(self.command, self.path, self.code, self.nbytes,
                                 int((time.monotonic() - t0) * 1000), self.user)

    def apply_faults(self):
        """True when a fault already answered (or swallowed) the request."""
        f = self.app.faults
        while f.stalled():
            if f.released.wait(0.2):
                break
            if self.dropped():
                self.close_connection = True
                return True
        slow_ms, act = f.take(self.path)
        if slow_ms:
            time.sleep(slow_ms / 1000.0)
        if act is None:
            return False
        if act[0] == "fail":
            code = act[1]
            raise ApiError(code, "stand-in fault: injected HTTP %d" % code)
        if act[1] == "truncated":
            body = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure", "message": "truncated"}).encode()
            self.send_raw(200, body[: len(body) // 2], "application/json")
        else:
            self.send_raw(502, GARBAGE_HTML, "text/html")
        return True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = dispatch


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(app, port, certdir):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(certdir, "server.crt"), os.path.join(certdir, "server.key"))
    ctx.load_verify_locations(os.path.join(certdir, "ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL  # client certificate or bearer token
    ctx.set_alpn_protocols(["http/1.1"])  # no h2: Go clients fall back to HTTP/1.1
    handler = type("BoundHandler", (Handler,), {"app": app})
    srv = Server(("127.0.0.1", port), handler)
    # Handshake lazily in the connection's own thread, so a client that
    # never speaks TLS cannot block accept().
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    return srv
