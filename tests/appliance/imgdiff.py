#!/usr/bin/env python3
"""tests/appliance/imgdiff.py SCREEN REFERENCE: compare a QMP screendump (PPM, P6) with an offscreen
screenshot (PNG, 8-bit RGB/RGBA, as ui_screenshot writes). Standard library only (no PIL in the image
tool set). Exit 0 when they match within the tolerance, 1 when not, 2 on unreadable input.

Tolerance: both images are the same pixels drawn by the same software code (SDL_ttf, HarfBuzz, the
toolkit) into a 32-bit surface; on KMSDRM that surface is only copied 1:1 into a GLES2 texture and
scanned out, so the expected difference is zero. A pixel counts as different when a channel is off by
more than 24 (room for a dithered or 16-bit scanout); at most 0.5% of the pixels may differ (a blinking
caret, a one-pixel shift of a glyph edge). A screen showing only a clear colour or black differs in
every text and button pixel (about 20% of the attract screen) and fails, and a screen with fewer than
16 colours fails whatever the reference (text is antialiased: the attract screen has hundreds).
"""
import struct
import sys
import zlib

CHANNEL_SLACK = 24
MAX_DIFFERENT = 0.005
MIN_COLOURS = 16


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not an 8-bit P6 PPM")
    w, h = int(fields[1]), int(fields[2])
    pix = data[pos + 1:pos + 1 + w * h * 3]
    if len(pix) != w * h * 3:
        raise ValueError(f"{path}: truncated")
    return w, h, pix


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError(f"{path}: only 8-bit RGB/RGBA, not interlaced")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if w is None:
        raise ValueError(f"{path}: no IHDR")
    raw, stride = zlib.decompress(idat), w * bpp
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3)
        prev = line
    return w, h, bytes(out)


def main():
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    try:
        sw, sh, s = read_ppm(sys.argv[1])
        rw, rh, r = read_png(sys.argv[2])
    except (OSError, ValueError, zlib.error, struct.error) as e:
        print(f"imgdiff: {e}", file=sys.stderr)
        return 2
    if (sw, sh) != (rw, rh):
        print(f"imgdiff: the screen is {sw}x{sh}, the reference {rw}x{rh}")
        return 1
    n = sw * sh
    colours = len({s[i:i + 3] for i in range(0, n * 3, 3)})
    diff = sum(1 for i in range(0, n * 3, 3)
               if max(abs(s[i] - r[i]), abs(s[i + 1] - r[i + 1]), abs(s[i + 2] - r[i + 2])) > CHANNEL_SLACK)
    print(f"imgdiff: {sw}x{sh}, {diff} pixels differ ({100 * diff / n:.3f}%, limit {100 * MAX_DIFFERENT:.1f}%), "
          f"{colours} colours on the screen")
    if colours < MIN_COLOURS:
        print(f"imgdiff: the screen has {colours} colours: blank (clear colour or black), not the kiosk's drawing")
        return 1
    return 0 if diff <= MAX_DIFFERENT * n else 1


if __name__ == "__main__":
    sys.exit(main())
