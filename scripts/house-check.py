#!/usr/bin/env python3
"""The house's rules, checked on the sources (README, "How the code is
laid out"): a folder includes only the folders below it, no two files
include or call into each other in a circle, no source file is over 600
lines and no function over 80. Prints every breach and exits 1 if any.
Usage: scripts/house-check.py [SOURCE_DIR]"""
import os
import re
import sys

# What each folder may include besides itself: the layers below it.
ALLOWED = {
    "libs": set(),
    "model": set(),
    "pgprobe": {"model"},
    "kube": {"model"},
    "engine": {"model", "pgprobe"},
    "backends": {"model", "kube", "engine"},
    "cutover": {"model", "pgprobe", "engine"},
    "panes": {"model"},
    "settings": {"model", "panes"},
    "wizards": {"model", "pgprobe", "engine", "backends", "cutover", "panes", "settings"},
    "tui": {"libs", "model", "backends", "panes", "settings", "wizards"},
    "cli": {"model", "pgprobe", "kube", "engine", "backends", "cutover"},
    "main": {"model", "engine", "backends", "cli", "tui", "wizards", "panes", "settings"},
}
MAX_FILE, MAX_FUNC = 600, 80
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([a-z_0-9]+)\.(h|def)"', re.M)


def sources(root):
    for folder in ALLOWED:
        d = os.path.join(root, folder)
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                yield folder, os.path.join(folder, name)


def long_functions(text):
    """(first line, length, signature) of each function over MAX_FUNC lines:
    a body opens with '{' alone at column 0 and closes with '}' there."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line != "{":
            continue
        j = i + 1
        while j < len(lines) and lines[j] != "}":
            j += 1
        k = i - 1
        while k > 0 and not re.match(r"[A-Za-z_]", lines[k]):
            k -= 1
        if j - k + 1 > MAX_FUNC:
            yield k + 1, j - k + 1, lines[k].strip()


def unit(path):
    """A .c and its .h are one unit; X_internal.h is X's private header."""
    path = path[:-2]
    return path[:-len("_internal")] if path.endswith("_internal") else path


def find_circles(edges):
    """Strongly connected components of more than one unit (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    breaches, edges = [], {}
    for folder, path in sources(root):
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        n = text.count("\n")
        if path.endswith(".c") and n > MAX_FILE:
            breaches.append(f"{path}: {n} lines (at most {MAX_FILE}: split it along a seam)")
        for first, length, sig in long_functions(text):
            breaches.append(f"{path}:{first}: {sig[:60]}... is {length} lines (at most {MAX_FUNC})")
        for inc_folder, inc_name, _ in INCLUDE.findall(text):
            target = f"{inc_folder}/{inc_name}"
            if inc_folder != folder and inc_folder not in ALLOWED[folder]:
                breaches.append(f"{path}: includes {target} — {folder}/ may not stand on "
                                f"{inc_folder}/ (arrows point down)")
            target = target[:-len("_internal")] if target.endswith("_internal") else target
            if unit(path) != target:
                edges.setdefault(unit(path), set()).add(target)
    for comp in find_circles(edges):
        breaches.append("circle: " + " -> ".join(comp) + " include each other")
    for b in breaches:
        print(b)
    print(f"house check: {len(breaches)} breach(es)")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
