"""Draws the installed app's icons from the favicon's mark (run once; the PNGs are committed).

``python -m soulmark.web.icons`` writes ``static/icon-192.png``, ``icon-512.png`` and
``icon-maskable-512.png``: the favicon's ink stroke on its skin tone.  A maskable icon fills
its square and keeps the mark inside the middle 60 %, the part every mask leaves visible.
Nothing at run time draws or fetches an icon.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from PIL import Image, ImageDraw

__all__ = ["draw", "main"]

SKIN = (243, 217, 196, 255)
INK = (59, 31, 94, 255)
_SUPER = 4  # drawn large, then shrunk: smooth edges without an antialiasing library
Point = tuple[float, float]

# The favicon's path "M7 18c3-7 6-7 6-1s3 5 5-2 5-4 7 1" as absolute cubic segments (of 32).
_SEGMENTS: list[tuple[Point, Point, Point, Point]] = [
    ((7, 18), (10, 11), (13, 11), (13, 17)),
    ((13, 17), (13, 23), (16, 22), (18, 15)),
    ((18, 15), (20, 8), (23, 11), (25, 16)),
]


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 400) -> list[Point]:
    out = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
        out.append((x, y))
    return out


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    big = size * _SUPER
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=SKIN)
        scale, shift = big * 0.6 / 18, big * 0.2 - 7 * big * 0.6 / 18
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 4, fill=SKIN)
        scale, shift = big / 32, 0.0
    points = [p for seg in _SEGMENTS for p in _bezier(*seg)]
    # Centred vertically: the stroke spans y 11..22 of the favicon's 32.
    lift = (big / 2) - (16.5 * scale + shift)
    line = [(x * scale + shift, y * scale + shift + lift) for x, y in points]
    r = 1.25 * scale
    for x, y in line:  # a round brush stamped along the path: round caps, clean joints
        pen.ellipse((x - r, y - r, x + r, y + r), fill=INK)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    static = Path(str(files("soulmark.web") / "static"))
    draw(192).save(static / "icon-192.png", optimize=True)
    draw(512).save(static / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(static / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
