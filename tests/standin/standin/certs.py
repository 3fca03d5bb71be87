"""Certificates, token and kubeconfig files for the stand-in.

Generated with the `openssl` command line tool (the standard library cannot
make certificates). Existing files in DIR are reused so that a server
restarted on the same DIR keeps working for clients that already trust it.
"""
import os
import secrets
import subprocess
import tempfile
import base64


def _openssl(args, cwd):
    res = subprocess.run(["openssl"] + args, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], res.stderr.strip()))


def _make_ca(d, name, cn):
    _openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-keyout", name + ".key", "-out", name + ".crt", "-days", "3650",
              "-subj", "/CN=" + cn,
              "-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"], d)


def _make_leaf(d, name, subj, ext_lines):
    _openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
              "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subj], d)
    with tempfile.NamedTemporaryFile("w", dir=d, suffix=".ext", delete=False) as f:
        f.write("\n".join(ext_lines) + "\n")
        extfile = f.name
    try:
        _openssl(["x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                  "-CAcreateserial", "-out", name + ".crt", "-days", "825", "-sha256",
                  "-extfile", extfile], d)
    finally:
        os.unlink(extfile)
        os.unlink(os.path.join(d, name + ".csr"))


def ensure_certs(d):
    """Create CA, server and client certificates unless they exist."""
    need = ["ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key",
            "other-ca.crt"]
    if all(os.path.exists(os.path.join(d, n)) for n in need):
        return
    _make_ca(d, "ca", "migtop-standin-ca")
    _make_ca(d, "other-ca", "unrelated-ca")
    os.unlink(os.path.join(d, "other-ca.key"))
    _make_leaf(d, "server", "/CN=127.0.0.1", [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        "subjectAltName=IP:127.0.0.1,DNS:localhost"])
    _make_leaf(d, "client", "/O=system:masters/CN=migtop-test", [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=clientAuth"])
    for n in ("ca.key", "server.key", "client.key"):
        os.chmod(os.path.join(d, n), 0o600)


def ensure_token(d):
    path = os.path.join(d, "token")
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    tok = "standin-" + secrets.token_hex(16)
    with open(path, "w") as f:
        f.write(tok)
    os.chmod(path, 0o600)
    return tok


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def _kubeconfig(url, cluster_lines, user_lines):
    # Written by hand (no yaml module in the standard library); values are
    # plain scalars or double-quoted strings.
    return "\n".join([
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: standin",
        "  cluster:",
        "    server: %s" % url,
    ] + ["    " + x for x in cluster_lines] + [
        "users:",
        "- name: standin-user",
        "  user:",
    ] + ["    " + x for x in user_lines] + [
        "contexts:",
        "- name: standin",
        "  context:",
        "    cluster: standin",
        "    user: standin-user",
        "    namespace: default",
        "current-context: standin",
        "preferences: {}",
        "",
    ])


EXEC_PLUGIN = r"""#!/bin/sh
# Exec credential plugin for the migtop stand-in API server (test use only).
# Prints a client.authentication.k8s.io/$1 ExecCredential (v1 by default,
# v1beta1 for clients before 1.22) with the token.
here=$(cd "$(dirname "$0")" && pwd)
version=${1:-v1}
ttl=${STANDIN_EXEC_TTL:-3600}
now=$(date -u +%s)
exp=$(date -u -d "@$((now + ttl))" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$((now + ttl))" +%Y-%m-%dT%H:%M:%SZ)
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$here/exec-plugin.calls"
printf '{"apiVersion":"client.authentication.k8s.io/%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "$version" "$(cat "$here/token")" "$exp"
"""


def write_kubeconfigs(d, url, token):
    d = os.path.abspath(d)
    ca = _b64file(os.path.join(d, "ca.crt"))
    other = _b64file(os.path.join(d, "other-ca.crt"))
    cert = _b64file(os.path.join(d, "client.crt"))
    key = _b64file(os.path.join(d, "client.key"))
    cad = ["certificate-authority-data: %s" % ca]
    files = {
        "kubeconfig-token": _kubeconfig(url, cad, ["token: %s" % token]),
        "kubeconfig-tokenfile": _kubeconfig(url, cad, ["tokenFile: %s" % os.path.join(d, "token")]),
        "kubeconfig-cert": _kubeconfig(url, cad, ["client-certificate-data: %s" % cert,
                                                  "client-key-data: %s" % key]),
        "kubeconfig-files": _kubeconfig(
            url, ["certificate-authority: %s" % os.path.join(d, "ca.crt")],
            ["client-certificate: %s" % os.path.join(d, "client.crt"),
             "client-key: %s" % os.path.join(d, "client.key")]),
        "kubeconfig-exec": _kubeconfig(url, cad, [
            "exec:",
            "  apiVersion: client.authentication.k8s.io/v1",
            "  command: %s" % os.path.join(d, "exec-plugin.sh"),
            "  interactiveMode: Never",
            "  provideClusterInfo: false"]),
        "kubeconfig-exec-v1beta1": _kubeconfig(url, cad, [
            "exec:",
            "  apiVersion: client.authentication.k8s.io/v1beta1",
            "  command: %s" % os.path.join(d, "exec-plugin.sh"),
            "  args: [v1beta1]"]),
        # HTTP basic auth (kubeconfig username/password): the user
        # standin-admin with the token as its password.
        "kubeconfig-basic": _kubeconfig(url, cad, ["username: standin-admin",
                                                   "password: %s" % token]),
        "kubeconfig-badtoken": _kubeconfig(url, cad, ["token: wrong-%s" % secrets.token_hex(8)]),
        "kubeconfig-wrong-ca": _kubeconfig(url, ["certificate-authority-data: %s" % other],
                                           ["token: %s" % token]),
    }
    for name, text in files.items():
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
    plugin = os.path.join(d, "exec-plugin.sh")
    with open(plugin, "w") as f:
        f.write(EXEC_PLUGIN)
    os.chmod(plugin, 0o755)
