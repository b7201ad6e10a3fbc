#!/usr/bin/env python3
"""tests/appliance/logreplay.py: replay a write log (the dm-log-writes format, which QEMU's blklogwrites
block driver writes for a guest's disk) onto a copy of the disk as it was before the guest started, and
check the disk as a storage card that drops its write cache would leave it at each flush: every write
logged before a flush (or written with FUA) is kept, nothing after it. Test tool only.

  logreplay.py LOG BASE OUT [--region OFFSET:SIZE] [--points N] [--check CMD...]

  LOG      the write log (first sector: magic, version, entry count, sector size; then per entry one
           sector of header: sector, sectors, flags, data length; then the data)
  BASE     the disk image the log starts from (read only), whole or only its REGION
  OUT      the replayed image: the disk's REGION (default: all of it), the log's writes applied
  --points N     check at N flush points spread evenly over the log (default 200; 0: only the end)
  --check CMD    run CMD OUT POINT ENTRY at each point (after OUT is synced); a non-zero exit stops the
                 replay with that status

Writes outside the region are skipped; a discard zeroes its range (a card may return zeros after one).
A log that is not one (bad magic or version, a sector size under 512 or not a power of two, an entry
running past the end, unknown flags, a header with garbage in its padding) is refused with its entry
number and offset. Prints one line per point and a summary.
"""
import os
import shutil
import struct
import subprocess
import sys

MAGIC = 0x6A736677736872
FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8
KNOWN = FLUSH | FUA | DISCARD | MARK


class LogError(Exception):
    pass


def read_super(f):
    """The log's entry count and sector size."""
    f.seek(0)
    head = f.read(28)
    if len(head) < 28:
        raise LogError("the log is shorter than its super block (28 bytes)")
    magic, version, nr, ssize = struct.unpack("<QQQI", head)
    if magic != MAGIC:
        raise LogError("not a write log: magic 0x%x, want 0x%x" % (magic, MAGIC))
    if version != 1:
        raise LogError("log version %d, want 1" % version)
    if ssize < 512 or ssize & (ssize - 1) or ssize > 1 << 16:
        raise LogError("sector size %d: want a power of two from 512 to 65536" % ssize)
    return nr, ssize


def entries(f, nr, ssize):
    """Yield (index, sector, nr_sectors, flags, data offset) for each entry; data is read by the caller."""
    size = os.fstat(f.fileno()).st_size
    pos = ssize
    for i in range(nr):
        if pos + ssize > size:
            raise LogError("entry %d at byte %d: the log ends inside its header (%d entries promised)" % (i, pos, nr))
        f.seek(pos)
        hdr = f.read(ssize)
        sector, count, flags, data_len = struct.unpack_from("<QQQQ", hdr)
        if flags & ~KNOWN:
            raise LogError("entry %d at byte %d: unknown flags 0x%x" % (i, pos, flags))
        if flags == 0 and count == 0:
            raise LogError("entry %d at byte %d: an empty entry (no flags, no sectors)" % (i, pos))
        if not flags & MARK and any(hdr[32:]):
            raise LogError("entry %d at byte %d: garbage after the header" % (i, pos))
        pos += ssize
        data = pos
        if count and not flags & DISCARD:
            pos += count * ssize
            if pos > size:
                raise LogError("entry %d: its %d sectors run past the end of the log" % (i, count))
        elif flags & MARK and data_len:
            pos += (data_len + ssize - 1) // ssize * ssize
        yield (i, sector, count, flags, data)


def main(argv):
    args = argv[1:]
    opts = {"--region": None, "--points": "200"}
    check = None
    pos = []
    while args:
        a = args.pop(0)
        if a == "--check":
            check = args
            args = []
        elif a in opts:
            if not args:
                sys.exit("logreplay: %s needs a value" % a)
            opts[a] = args.pop(0)
        elif a.startswith("-"):
            sys.exit(__doc__)
        else:
            pos.append(a)
    if len(pos) != 3:
        sys.exit(__doc__)
    log, base, out = pos
    try:
        npoints = int(opts["--points"])
        assert npoints >= 0
    except (ValueError, AssertionError):
        sys.exit("logreplay: --points wants a number, 0 or more")
    base_size = os.path.getsize(base)
    if opts["--region"]:
        try:
            off, length = (int(x) for x in opts["--region"].split(":"))
            assert off >= 0 and length > 0 and (off + length <= base_size or length == base_size)
        except (ValueError, AssertionError):
            sys.exit("logreplay: --region wants OFFSET:SIZE inside %s (%d bytes), or SIZE its size" % (base, base_size))
    else:
        off, length = 0, base_size

    with open(base, "rb") as src, open(out, "wb") as dst:
        src.seek(0 if length == base_size else off)
        left = length
        while left:
            b = src.read(min(left, 1 << 20))
            if not b:
                sys.exit("logreplay: %s ends before its region" % base)
            dst.write(b)
            left -= len(b)

    with open(log, "rb") as f:
        try:
            nr, ssize = read_super(f)
            # The flush points first (one pass over the headers), then the replay (a second).
            flushes = [e[0] for e in entries(f, nr, ssize) if e[3] & FLUSH]
        except LogError as e:
            sys.exit("logreplay: %s: %s" % (log, e))
        if npoints and flushes:
            step = max(1, len(flushes) / npoints)
            chosen = {flushes[min(len(flushes) - 1, int(k * step))] for k in range(min(npoints, len(flushes)))}
        else:
            chosen = set()
        applied = skipped = discarded = checked = 0
        dst = open(out, "r+b")

        def point(idx):
            nonlocal checked
            dst.flush()
            os.fsync(dst.fileno())
            checked += 1
            print("logreplay: point %d at entry %d of %d" % (checked, idx, nr), flush=True)
            if check:
                rc = subprocess.call(check + [out, str(checked), str(idx)])
                if rc:
                    print("logreplay: the check failed at point %d (entry %d): exit %d" % (checked, idx, rc), file=sys.stderr)
                    sys.exit(rc)

        try:
            for i, sector, count, flags, data in entries(f, nr, ssize):
                # The state at a flush: everything logged before it, nothing of the flush's own request.
                if i in chosen:
                    point(i)
                if not count:
                    continue
                start, end = sector * ssize, (sector + count) * ssize
                lo, hi = max(start, off), min(end, off + length)
                if lo >= hi:
                    skipped += 1
                    continue
                dst.seek(lo - off)
                if flags & DISCARD:
                    dst.write(bytes(hi - lo))
                    discarded += 1
                    continue
                f.seek(data + (lo - start))
                dst.write(f.read(hi - lo))
                applied += 1
        except LogError as e:
            sys.exit("logreplay: %s: %s" % (log, e))
        point(nr)
        dst.close()
    print("logreplay: %d entries (sector size %d): %d writes applied, %d outside the region, %d discards zeroed; %d flushes, %d points checked"
          % (nr, ssize, applied, skipped, discarded, len(flushes), checked))


if __name__ == "__main__":
    main(sys.argv)
