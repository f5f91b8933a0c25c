"""The organizer's chart, drawn on the server as SVG: aggregate counts per slice of the
window (B2).  Its only inputs are numbers, so it cannot carry a name."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from soulmark.i18n import N_
from soulmark.web.lang import Speech

__all__ = ["histogram_svg"]

W, H, PAD, AXIS = 320, 150, 8, 22

_LABEL = N_("When wrists began to tingle and when names became readable, over the marks' dates")
_TITLES = {
    "itch": N_("%(start)s–%(end)s UTC: %(n)s wrists began to tingle"),
    "legible": N_("%(start)s–%(end)s UTC: %(n)s names became readable"),
}
_TOP = N_("at most %(n)s")


def _bars(
    bins: list[dict[str, Any]], key: str, scale: float, css: str, dx: float, speech: Speech
) -> list[str]:
    width = (W - 2 * PAD) / len(bins)
    out = []
    for i, b in enumerate(bins):
        h = b[key] * scale
        x = PAD + i * width + dx * width
        y = H - AXIS - h
        title = speech.gettext(_TITLES[key], start=b["start"][11:19], end=b["end"][11:19], n=b[key])
        out.append(
            f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{width * 0.45:.1f}" '
            f'height="{h:.1f}"><title>{escape(title)}</title></rect>'
        )
    return out


def histogram_svg(
    bins: list[dict[str, Any]], speech: Speech, now_fraction: float | None = None
) -> Markup:
    """Itch starts and legible moments per slice, with a line at now (when inside), its
    words in the viewer's language."""
    top = max([1] + [max(b["itch"], b["legible"]) for b in bins])
    scale = (H - AXIS - PAD) / top
    parts = [
        f'<svg id="timeline" class="chart" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(speech.gettext(_LABEL))}">',
        f'<line class="axis" x1="{PAD}" y1="{H - AXIS}" x2="{W - PAD}" y2="{H - AXIS}"/>',
        *_bars(bins, "itch", scale, "bar-itch", 0.05, speech),
        *_bars(bins, "legible", scale, "bar-legible", 0.5, speech),
        f'<text class="tick" x="{PAD}" y="{H - 6}">{escape(bins[0]["start"][5:16])}</text>',
        f'<text class="tick" x="{W - PAD}" y="{H - 6}" text-anchor="end">'
        f"{escape(bins[-1]['end'][5:16])}</text>",
        f'<text class="tick" x="{PAD}" y="{PAD + 4}">{escape(speech.gettext(_TOP, n=top))}</text>',
    ]
    if now_fraction is not None and 0 <= now_fraction <= 1:
        x = PAD + now_fraction * (W - 2 * PAD)
        parts.append(f'<line class="now" x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{H - AXIS}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
