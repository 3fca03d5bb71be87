#!/usr/bin/env python3
"""Drive the stand-in's control API without curl.

    python3 tests/standin/standinctl.py DIR OP [key=value ...]

OP is a /_standin/ path: drop, fail, slow, garbage, stall, clear, compact,
cdc-lag, seed, reset, stats/reset (POSTed) or stats, state (GET).
Examples: `standinctl.py $D fail count=2 code=503`, `standinctl.py $D stats`.
Prints the JSON answer; exits 1 on an HTTP error.
"""
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

GETS = ("stats", "state")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    d, op, params = argv[0], argv[1], argv[2:]
    with open(os.path.join(d, "url")) as f:
        url = f.read().strip()
    pairs = []
    for p in params:
        if "=" not in p:
            print("standinctl: parameters are key=value, got %r" % p, file=sys.stderr)
            return 2
        pairs.append(tuple(p.split("=", 1)))
    query = urllib.parse.urlencode(pairs)
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.crt"))
    req = urllib.request.Request("%s/_standin/%s%s" % (url, op, "?" + query if query else ""),
                                 data=None if op in GETS else b"",
                                 method="GET" if op in GETS else "POST")
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            sys.stdout.write(r.read().decode())
        return 0
    except urllib.error.HTTPError as e:
        sys.stderr.write("standinctl: %s: HTTP %d: %s\n" % (op, e.code, e.read().decode(errors="replace")))
        return 1
    except (urllib.error.URLError, OSError) as e:
        sys.stderr.write("standinctl: %s: %s\n" % (op, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
