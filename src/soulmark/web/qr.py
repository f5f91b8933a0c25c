"""QR codes of join links, as inline SVG (segno): to print on a poster or project in a room."""

from __future__ import annotations

import segno

__all__ = ["qr_svg"]


def qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#2b1d2e"))
