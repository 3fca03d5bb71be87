#!/usr/bin/python3
"""Checks a screenshot of the cutover report's HTML, taken by a real
headless browser: both charts are drawn (the lag's red curve and the
writes' blue one, each across most of its chart's width, the lag curve
rising above its baseline), not a blank page or a broken SVG.
    report_shot.py PNG   (Debian's python3, for python3-pil)"""
import sys
from PIL import Image

LAG = (0xC6, 0x28, 0x28)
WRITES = (0x15, 0x65, 0xC0)


def near(p, c, tol=40):
    return all(abs(p[i] - c[i]) <= tol for i in range(3))


def curve(img, colour):
    """The curve's pixels: their columns and rows."""
    w, h = img.size
    px = img.load()
    cols, rows = set(), set()
    for y in range(h):
        for x in range(w):
            if near(px[x, y], colour):
                cols.add(x)
                rows.add(y)
    return cols, rows


def main():
    img = Image.open(sys.argv[1]).convert("RGB")
    ok = True
    for name, colour in (("lag", LAG), ("writes", WRITES)):
        cols, rows = curve(img, colour)
        span = (max(cols) - min(cols)) if cols else 0
        height = (max(rows) - min(rows)) if rows else 0
        print(f"{name}: {len(cols)} columns drawn, {span} px wide, {height} px high")
        # The charts are 760 px wide with 680 px of plot: most of it drawn.
        if span < 400:
            print(f"FAIL: the {name} curve is not drawn across its chart", file=sys.stderr)
            ok = False
        if name == "lag" and height < 20:
            print("FAIL: the lag curve is flat: the sink's outage is not on it", file=sys.stderr)
            ok = False
    sys.exit(0 if ok else 1)


main()
