#!/usr/bin/env python3
"""A minimal HTTP CONNECT proxy for the kubeconfig proxy-url test.

    python3 connect_proxy.py LOGFILE PORTFILE

Listens on a free 127.0.0.1 port (written to PORTFILE), appends one line
"CONNECT host:port" to LOGFILE per tunnel, and relays bytes both ways."""
import os
import select
import socket
import sys
import threading


def relay(a, b):
    socks = [a, b]
    try:
        while True:
            r, _, _ = select.select(socks, [], [], 60)
            if not r:
                return
            for s in r:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        a.close()
        b.close()


def serve(conn, log):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            return
        head += chunk
    first = head.split(b"\r\n", 1)[0].decode(errors="replace").split()
    if len(first) < 2 or first[0] != "CONNECT":
        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        conn.close()
        return
    host, port = first[1].rsplit(":", 1)
    with open(log, "a") as f:
        f.write("CONNECT %s\n" % first[1])
    try:
        up = socket.create_connection((host, int(port)), timeout=10)
    except OSError:
        conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        conn.close()
        return
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    relay(conn, up)


def main():
    log, portfile = sys.argv[1], sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.replace(portfile + ".tmp", portfile)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, log), daemon=True).start()


if __name__ == "__main__":
    main()
