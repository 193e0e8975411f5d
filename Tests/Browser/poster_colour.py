#!/usr/bin/env python3
"""Opens a troupe report in headless Chromium and reports where a colour is in one cell's
poster as a person sees it: a screenshot of the poster's picture (Page.captureScreenshot,
clipped to the image as drawn with object-fit: contain), decoded here (8-bit PNG, no PIL).

  poster_colour.py INDEX.html --cell CHARACTER/CLIP --rgb R,G,B [--tolerance N] [--png OUT.png]

Prints one JSON object: {"width", "height" (screenshot pixels of the picture), "count" (pixels
within `tolerance` of the colour on every channel), "box": [x0, y0, x1, y1] and "centroid":
[x, y] of those pixels as fractions of the picture (null when none)}. Exit status 0 when the
poster was found and decoded, 1 when not, 2 when the browser cannot be started."""
import argparse, base64, json, os, struct, sys, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_page import start_browser, wait  # noqa: E402


def decode_png(data):
    """(width, height, channels, rows of bytes) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("unsupported PNG: depth %d, colour type %d, interlace %d" % (depth, colour, interlace))
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def find_colour(png, rgb, tolerance):
    width, height, channels, rows = decode_png(png)
    count, sx, sy, box = 0, 0, 0, [width, height, -1, -1]
    for y, row in enumerate(rows):
        for x in range(width):
            p = row[x * channels:x * channels + 3]
            if all(abs(p[i] - rgb[i]) <= tolerance for i in range(3)):
                count += 1
                sx += x + 0.5
                sy += y + 0.5
                box = [min(box[0], x), min(box[1], y), max(box[2], x + 1), max(box[3], y + 1)]
    found = {"width": width, "height": height, "count": count, "box": None, "centroid": None}
    if count:
        found["box"] = [box[0] / width, box[1] / height, box[2] / width, box[3] / height]
        found["centroid"] = [sx / count / width, sy / count / height]
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("index")
    p.add_argument("--cell", required=True)
    p.add_argument("--rgb", required=True)
    p.add_argument("--tolerance", type=int, default=40)
    p.add_argument("--png", help="also write the poster's screenshot here")
    a = p.parse_args()
    rgb = [int(v) for v in a.rgb.split(",")]
    driver = start_browser(1280, 900)
    try:
        driver.get("file://" + os.path.abspath(a.index))
        wait(driver, "return document.readyState === 'complete'", 10)
        cell = driver.find_element("css selector", 'td[data-cell="%s"]' % a.cell)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", cell)
        # The picture's box on the page: object-fit: contain letterboxes it inside the <img>.
        rect = wait(driver, """
            const i = arguments[0].querySelector('.frame img');
            if (!i || !i.complete || !i.naturalWidth) return null;
            const r = i.getBoundingClientRect();
            const s = Math.min(r.width / i.naturalWidth, r.height / i.naturalHeight);
            const w = i.naturalWidth * s, h = i.naturalHeight * s;
            return {x: r.left + scrollX + (r.width - w) / 2, y: r.top + scrollY + (r.height - h) / 2, width: w, height: h};
        """, 10, cell)
        if not rect:
            print("error: cell %s has no decoded poster" % a.cell)
            return 1
        # Two screenshot pixels per CSS pixel, inset by one so the letterbox never counts.
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": rect["x"] + 1, "y": rect["y"] + 1, "width": rect["width"] - 2,
                     "height": rect["height"] - 2, "scale": 2}})
    finally:
        driver.quit()
    png = base64.b64decode(shot["data"])
    if a.png:
        with open(a.png, "wb") as f:
            f.write(png)
    print(json.dumps(find_colour(png, rgb, a.tolerance)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
