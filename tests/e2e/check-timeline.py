#!/usr/bin/env python3
"""Validate a sysdma-run timeline (Chrome/Perfetto trace-event JSON) and,
with --png, that a screenshot of its HTML is not blank.

  check-timeline.py FILE.json [--require-driver] [--png SHOT.png]

Checks: the top level is {"traceEvents": [...]} with displayTimeUnit;
every event has name/ph/ts/pid/tid of the right types and a known phase;
times are monotonic (non-decreasing) outside metadata; every request's
B has its E on the same track, in order; X events have dur >= 0; every
track that has events is named (thread_name metadata); there are device,
request and driver-party events.  Exit 0 valid, 1 invalid.
"""
import json
import struct
import sys
import zlib


def fail(msg):
    print(f"# invalid: {msg}")
    sys.exit(1)


def check_json(path, require_driver):
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("no traceEvents array")
    if doc.get("displayTimeUnit") not in ("ms", "ns"):
        fail("displayTimeUnit missing")
    evs = doc["traceEvents"]
    named = set()
    last = None
    open_b = {}
    pids = set()
    requests = 0
    for i, e in enumerate(evs):
        for k, t in (("name", str), ("ph", str), ("pid", int), ("tid", int)):
            if not isinstance(e.get(k), t):
                fail(f"event {i}: '{k}' missing or not {t.__name__}: {e}")
        if not isinstance(e.get("ts"), (int, float)):
            fail(f"event {i}: no numeric ts: {e}")
        ph = e["ph"]
        if ph not in "MXBEi" or len(ph) != 1:
            fail(f"event {i}: unknown phase {ph}")
        if ph == "M":
            if e["name"] == "thread_name":
                named.add((e["pid"], e["tid"]))
            continue
        if last is not None and e["ts"] < last:
            fail(f"event {i}: time goes back ({e['ts']} < {last})")
        last = e["ts"]
        pids.add(e["pid"])
        track = (e["pid"], e["tid"])
        if track not in named:
            fail(f"event {i}: track {track} has no thread_name")
        if ph == "X" and (not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0):
            fail(f"event {i}: X without dur >= 0")
        if ph == "B":
            if track in open_b:
                fail(f"event {i}: {track} begins twice")
            open_b[track] = e["name"]
            requests += 1
        if ph == "E":
            if open_b.pop(track, None) != e["name"]:
                fail(f"event {i}: E without its B on {track}")
    if open_b:
        fail(f"unpaired begins: {open_b}")
    if 1 not in pids:
        fail("no device event")
    if require_driver and (2 not in pids or 3 not in pids or not requests):
        fail("no request or driver-party events")
    print(f"# valid: {path}: {len(evs)} events, {requests} request(s), tracks {sorted(named)}")


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("screenshot is not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                fail(f"unsupported PNG (depth {depth}, color type {ctype})")
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def check_png(path):
    w, h, bpp, rows = png_pixels(path)
    colors = set()
    nonwhite = 0
    for r in rows[::2]:
        for x in range(0, w * bpp, bpp * 2):
            px = r[x:x + 3]
            colors.add(px)
            if px != b"\xff\xff\xff":
                nonwhite += 1
    if len(colors) < 8 or nonwhite < 500:
        fail(f"screenshot looks blank: {len(colors)} colours, {nonwhite} non-white samples")
    print(f"# not blank: {path}: {w}x{h}, {len(colors)} colours, {nonwhite} non-white samples")


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    check_json(argv[1], "--require-driver" in argv)
    if "--png" in argv:
        check_png(argv[argv.index("--png") + 1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
