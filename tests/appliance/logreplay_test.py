#!/usr/bin/env python3
"""tests/appliance/logreplay_test.py: logreplay.py on logs made here in the dm-log-writes format (the format
QEMU's blklogwrites writes): the state at each flush point is every write logged before it and nothing
after, writes outside the region are skipped, a discard zeroes, a failing check stops the replay with its
status, and malformed logs are refused with their entry. Runs without QEMU or root."""
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "logreplay.py")
MAGIC = 0x6A736677736872
SS = 512
failed = 0
passed = 0


def check(cond, what):
    global failed, passed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)


def sector(b):
    return b + bytes(SS - len(b))


def log(entries, nr=None, magic=MAGIC, version=1, ssize=SS):
    """entries: (sector, count, flags, data bytes or None)."""
    out = [sector(struct.pack("<QQQI", magic, version, len(entries) if nr is None else nr, ssize))]
    for s, c, fl, data in entries:
        out.append(sector(struct.pack("<QQQQ", s, c, fl, 0)))
        if data is not None:
            out.append(data)
    return b"".join(out)


def run(t, logbytes, base, region=None, points="200", check_cmd=None):
    lp, bp, op = (os.path.join(t, n) for n in ("log", "base", "out"))
    open(lp, "wb").write(logbytes)
    open(bp, "wb").write(base)
    cmd = [sys.executable, TOOL, lp, bp, op, "--points", points]
    if region:
        cmd += ["--region", region]
    if check_cmd:
        cmd += ["--check"] + check_cmd
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p, op


with tempfile.TemporaryDirectory() as t:
    base = bytes(range(256)) * 64  # 16 KiB: 32 sectors
    A, B, C, D = (bytes([x]) * SS * n for x, n in ((0xA1, 2), (0xB2, 1), (0xC3, 1), (0xD4, 1)))
    entries = [
        (2, 2, 0, A),        # 0 write A at sectors 2-3
        (0, 0, 1, None),     # 1 flush: A durable
        (10, 1, 0, B),       # 2 write B at 10
        (12, 1, 2, C),       # 3 FUA write C at 12
        (2, 1, 4, None),     # 4 discard sector 2
        (0, 0, 1, None),     # 5 flush
        (40, 1, 0, D),       # 6 write D at 40: past the 32-sector base
        (11, 1, 0, B),       # 7 write B at 11, never flushed
    ]
    # A check that snapshots OUT at each point.
    snap = os.path.join(t, "snap.sh")
    open(snap, "w").write('#!/bin/sh\ncp "$1" "%s/point-$2-entry-$3"\n' % t)
    os.chmod(snap, 0o755)
    p, out = run(t, log(entries), base, check_cmd=[snap])
    check(p.returncode == 0, "replay of a good log: exit %d: %s" % (p.returncode, p.stderr))
    pts = sorted(f for f in os.listdir(t) if f.startswith("point-"))
    check(pts == ["point-1-entry-1", "point-2-entry-5", "point-3-entry-8"], "points: %s" % pts)
    if len(pts) == 3:
        s1 = open(os.path.join(t, "point-1-entry-1"), "rb").read()
        check(s1[2 * SS:4 * SS] == A and s1[:2 * SS] == base[:2 * SS] and s1[4 * SS:] == base[4 * SS:],
              "point 1: A written, nothing else")
        s2 = open(os.path.join(t, "point-2-entry-5"), "rb").read()
        check(s2[2 * SS:3 * SS] == bytes(SS), "point 2: the discarded sector is zero")
        check(s2[3 * SS:4 * SS] == A[:SS], "point 2: the sector after the discard keeps A")
        check(s2[10 * SS:11 * SS] == B and s2[12 * SS:13 * SS] == C, "point 2: B and C written")
        check(s2[11 * SS:12 * SS] == base[11 * SS:12 * SS], "point 2: the unflushed write not there yet")
        s3 = open(os.path.join(t, "point-3-entry-8"), "rb").read()
        check(s3[11 * SS:12 * SS] == B, "end: every write applied")
        check(len(s3) == len(base), "end: the image keeps its size (the write past it skipped)")
    check("1 outside the region" in p.stdout, "summary: %s" % p.stdout.strip().splitlines()[-1:])

    # A region: only sectors 8..15, at offset 0 of OUT.
    p, out = run(t, log(entries), base, region="%d:%d" % (8 * SS, 8 * SS), points="0")
    r = open(out, "rb").read()
    check(p.returncode == 0 and len(r) == 8 * SS, "region replay: %s" % p.stderr)
    check(r[2 * SS:3 * SS] == B and r[3 * SS:4 * SS] == B and r[4 * SS:5 * SS] == C, "region: B, B, C at 10, 11, 12")
    check(r[:2 * SS] == base[8 * SS:10 * SS], "region: sectors 8-9 as in the base")
    # The base given as the region alone (saved before the guest ran): the same result.
    p, out = run(t, log(entries), base[8 * SS:16 * SS], region="%d:%d" % (8 * SS, 8 * SS), points="0")
    check(p.returncode == 0 and open(out, "rb").read() == r, "region from a region-only base: %s" % p.stderr)

    # A failing check stops the replay with its status.
    p, _ = run(t, log(entries), base, check_cmd=["sh", "-c", 'test "$2" -lt 2 || exit 7', "x"])
    check(p.returncode == 7 and "the check failed at point 2" in p.stderr, "failing check: %d %s" % (p.returncode, p.stderr))

    # Malformed logs: refused, with where.
    bad = {
        "magic": (log(entries, magic=1), "not a write log"),
        "version": (log(entries, version=2), "log version 2"),
        "sector size": (log(entries, ssize=100), "sector size 100"),
        "short": (b"\x01\x02", "shorter than its super block"),
        "promised": (log(entries, nr=20), "the log ends inside its header"),
        "flags": (log([(0, 0, 64, None)]), "unknown flags 0x40"),
        "empty": (log([(0, 0, 0, None)]), "an empty entry"),
        "past end": (log([(0, 4, 0, A)]), "run past the end"),
    }
    garbage = bytearray(log(entries))
    garbage[SS + 100] = 1
    bad["padding"] = (bytes(garbage), "entry 0 at byte 512: garbage after the header")
    for name, (data, want) in bad.items():
        p, _ = run(t, data, base)
        check(p.returncode != 0 and want in p.stderr, "%s: exit %d, stderr %r, want %r" % (name, p.returncode, p.stderr, want))
    p, _ = run(t, log(entries), base, region="0:999999")
    check(p.returncode != 0 and "--region" in p.stderr, "a region past the base refused: %s" % p.stderr)

print("logreplay_test.py: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
