"""Link previews (issue 18 item 8): the Open Graph and Twitter card of a world or a share.

A preview is what a chat app's crawler sees, without cookies: it holds a world's name and a
drawn wrist, never a partner's name, a state that depends on one, or a token.  A share link
keeps its token after "#", which no crawler sends, so its card is the site's own.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from starlette.requests import Request

from soulmark.core.links import world_url
from soulmark.web.drawing import STROKE_PATHS
from soulmark.web.lang import speech_of
from soulmark.web.render import link
from soulmark.web.words import SHARE_CARD, SHARE_TITLE

__all__ = ["SITE_CARD", "SIZE", "card", "card_png", "share_card", "world_card"]

SITE_CARD = "/card.png"


def world_card(slug: str) -> str:
    return world_url(slug, rest="/card.png")


def share_card(request: Request) -> dict[str, str]:
    """A share's card is the site's: the server never sees which share a link is for."""
    say = speech_of(request).gettext
    return card(request, say(SHARE_TITLE), say(SHARE_CARD), SITE_CARD, "/share/")


SIZE = (1200, 630)
_FONTS = (
    # fonts-noto-cjk: one face for Latin and Japanese alike, so any world's name is drawn.
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
_BACK = (59, 31, 94)
_SKIN = (226, 184, 154)
_SKIN_EDGE = (196, 150, 120)
_INK = (59, 31, 94)
_TEXT = (255, 250, 246)


def card(request: Request, title: str, description: str, image: str, path: str) -> dict[str, str]:
    """What base.html writes as og: and twitter: tags, with absolute URLs on the host the
    crawler asked (``image`` and ``path`` are this site's paths)."""
    return {
        "title": title,
        "description": description,
        "image": link(request, image),
        "url": link(request, path),
    }


def _font(size: int) -> Any:
    for path in _FONTS:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)  # no CJK face installed: Latin still reads


def _bezier(
    p0: tuple[float, float],
    p1: tuple[float, float],
    p2: tuple[float, float],
    p3: tuple[float, float],
    steps: int = 24,
) -> list[tuple[float, float]]:
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
        out.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return out


def _arm(draw: ImageDraw.ImageDraw, scale: float, dy: float) -> None:
    """The page's own forearm (_arm.svg.html), scaled from its 320-wide box."""

    def p(x: float, y: float) -> tuple[float, float]:
        return (x * scale, y * scale + dy)

    top = _bezier(p(0, 48), p(70, 34), p(250, 34), p(320, 52))
    bottom = _bezier(p(320, 160), p(250, 176), p(70, 174), p(0, 156))
    draw.polygon(top + bottom, fill=_SKIN, outline=_SKIN_EDGE)
    for x in (30, 44):
        crease = _bezier(p(x, 70), p(x + 6, 100), p(x + 6, 130), p(x, 150))
        draw.line(crease, fill=_SKIN_EDGE, width=4)


def _ink(draw: ImageDraw.ImageDraw, scale: float, dy: float) -> None:
    """The fixed ink strokes (the same for every name, R6), as simple loops."""
    for i, _ in enumerate(STROKE_PATHS):
        x = (62 + i * 17) * scale
        up = (14 + (i * 7) % 9) * scale
        y = 104 * scale + dy
        loop = _bezier(
            (x, y),
            (x + 4 * scale, y - up),
            (x + 10 * scale, y - up),
            (x + 11 * scale, y - 2 * scale),
            12,
        )
        tail = _bezier(
            loop[-1],
            (x + 5 * scale, y + 10 * scale),
            (x + 10 * scale, y + 10 * scale),
            (x + 20 * scale, y - up / 2),
            12,
        )
        draw.line(loop + tail, fill=_INK, width=max(3, int(scale * 2.2)), joint="curve")


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int) -> tuple[Any, str]:
    """The largest face (72 down to 36) that fits ``text``; cut with "…" below that."""
    for size in range(72, 35, -6):
        face = _font(size)
        if draw.textlength(text, font=face) <= width:
            return face, text
    face = _font(36)
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return face, text + "…"


@lru_cache(maxsize=256)
def card_png(title: str) -> bytes:
    """A 1200x630 PNG: ``title`` (a world's name, or the site's) over a drawn, inked wrist."""
    image = Image.new("RGB", SIZE, _BACK)
    draw = ImageDraw.Draw(image)
    scale = 3.75  # the forearm crosses the card, under the title
    _arm(draw, scale, SIZE[1] - 172 * scale)
    _ink(draw, scale, SIZE[1] - 172 * scale)
    face, shown = _fit(draw, title, SIZE[0] - 120)
    draw.text((60, 40), shown, font=face, fill=_TEXT)
    draw.text((60, SIZE[1] - 80), "soulmark", font=_font(36), fill=_INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
