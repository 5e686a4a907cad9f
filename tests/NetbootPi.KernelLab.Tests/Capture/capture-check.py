#!/usr/bin/python3
# Reads a snapshot the agent served (a JPEG) with Pillow and says what it is: its format and size, and, for vivid's
# 100% colour bar pattern, the colour of each of the eight bars at mid-height, by the nearest of the pattern's colours.
# Usage: capture-check.py FILE [bars]
import sys
from PIL import Image

BARS = {
    "white": (255, 255, 255), "yellow": (255, 255, 0), "cyan": (0, 255, 255), "green": (0, 255, 0),
    "magenta": (255, 0, 255), "red": (255, 0, 0), "blue": (0, 0, 255), "black": (0, 0, 0),
}

def nearest(rgb):
    name, ref = min(BARS.items(), key=lambda kv: sum((a - b) ** 2 for a, b in zip(rgb, kv[1])))
    # Far from every bar colour: not the pattern (a JPEG's error is a few levels, not a hundred).
    return name if sum((a - b) ** 2 for a, b in zip(rgb, ref)) < 60 ** 2 else "?%02x%02x%02x" % rgb

image = Image.open(sys.argv[1])
image.load()
print("%s %dx%d" % (image.format, image.width, image.height))
if len(sys.argv) > 2 and sys.argv[2] == "bars":
    rgb = image.convert("RGB")
    width, height = rgb.size
    # The middle of each bar, a few pixels averaged: chroma subsampling blurs only the edges.
    names = []
    for bar in range(8):
        x = int((bar + 0.5) * width / 8)
        y = height // 2
        samples = [rgb.getpixel((x + dx, y + dy)) for dx in (-2, 0, 2) for dy in (-2, 0, 2)]
        names.append(nearest(tuple(sum(s[i] for s in samples) // len(samples) for i in range(3))))
    print("bars: " + " ".join(names))
