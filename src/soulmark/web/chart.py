"""The organizer's chart, drawn on the server as SVG: aggregate counts per slice of the
window (B2).  Its only inputs are numbers, so it cannot carry a name."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from markupsafe import Markup, escape

from soulmark.i18n import DEFAULT, N_, pick
from soulmark.web.lang import Speech

__all__ = ["histogram_svg"]

W, H, PAD, AXIS = 320, 150, 8, 22

_LABEL = N_("When wrists began to tingle and when names became readable, over the marks' dates")
_TITLES = {
    "itch": N_("%(start)s–%(end)s (%(zone)s): %(n)s wrists began to tingle"),
    "legible": N_("%(start)s–%(end)s (%(zone)s): %(n)s names became readable"),
}
_WEEK = 7 * 24 * 3600
_HOURS_2 = 2 * 3600


class Axis:
    """Moments as the chart says them: in the world's zone, in the reader's language; hours
    and minutes for a window of a week or less, dates for a longer one."""

    def __init__(self, speech: Speech, zone: ZoneInfo, bins: list[dict[str, Any]]) -> None:
        self.speech, self.locale, self.zone = speech, pick(speech.code) or DEFAULT, zone
        span = (_moment(bins[-1]["end"]) - _moment(bins[0]["start"])).total_seconds()
        self.time = "Hms" if span <= _HOURS_2 else "Hm"  # a demo's minutes need seconds
        self.tick_skeleton = "MMMdHm" if span <= _WEEK else "yMMMd"

    def say(self, text: str, skeleton: str = "MMMdHm") -> str:
        """``skeleton`` as CLDR gives it ("MMMd", "Hm"); "MMMdHm" is the date, then the time."""
        moment = _moment(text).astimezone(self.zone)
        wanted = ["MMMd", "Hm"] if skeleton == "MMMdHm" else [skeleton]
        parts = [self.time if p == "Hm" else p for p in wanted]
        return " ".join(
            str(format_skeleton(p, moment, tzinfo=self.zone, locale=self.locale)) for p in parts
        )

    def end_skeleton(self, b: dict[str, Any]) -> str:
        """A slice that ends on the day it began says its end as a time alone."""
        start, end = (_moment(b[k]).astimezone(self.zone) for k in ("start", "end"))
        return "Hm" if start.date() == end.date() else "MMMdHm"

    def tick(self, text: str) -> str:
        return self.say(text, self.tick_skeleton)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


_TOP = N_("at most %(n)s")


def _bars(
    bins: list[dict[str, Any]], key: str, scale: float, css: str, dx: float, axis: Axis
) -> list[str]:
    width = (W - 2 * PAD) / len(bins)
    out = []
    for i, b in enumerate(bins):
        h = b[key] * scale
        x = PAD + i * width + dx * width
        y = H - AXIS - h
        start, end = axis.say(b["start"]), axis.say(b["end"], axis.end_skeleton(b))
        title = axis.speech.gettext(
            _TITLES[key], start=start, end=end, zone=axis.zone.key, n=b[key]
        )
        out.append(
            f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{width * 0.45:.1f}" '
            f'height="{h:.1f}"><title>{escape(title)}</title></rect>'
        )
    return out


def histogram_svg(
    bins: list[dict[str, Any]],
    speech: Speech,
    now_fraction: float | None = None,
    zone: ZoneInfo | None = None,
) -> Markup:
    """Itch starts and legible moments per slice, with a line at now (when inside), its
    words in the viewer's language and its moments in the world's zone (UTC by default)."""
    axis = Axis(speech, zone or ZoneInfo("UTC"), bins)
    top = max([1] + [max(b["itch"], b["legible"]) for b in bins])
    scale = (H - AXIS - PAD) / top
    parts = [
        f'<svg id="timeline" class="chart" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(speech.gettext(_LABEL))}">',
        f'<line class="axis" x1="{PAD}" y1="{H - AXIS}" x2="{W - PAD}" y2="{H - AXIS}"/>',
        *_bars(bins, "itch", scale, "bar-itch", 0.05, axis),
        *_bars(bins, "legible", scale, "bar-legible", 0.5, axis),
        f'<text class="tick" x="{PAD}" y="{H - 6}">{escape(axis.tick(bins[0]["start"]))}</text>',
        f'<text class="tick" x="{W - PAD}" y="{H - 6}" text-anchor="end">'
        f"{escape(axis.tick(bins[-1]['end']))}</text>",
        f'<text class="tick" x="{PAD}" y="{PAD + 4}">{escape(speech.gettext(_TOP, n=top))}</text>',
    ]
    if now_fraction is not None and 0 <= now_fraction <= 1:
        x = PAD + now_fraction * (W - 2 * PAD)
        parts.append(f'<line class="now" x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{H - AXIS}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
