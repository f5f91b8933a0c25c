"""Later rounds (R4, R5): a round sealed inside its window draws its marks in what is left.

A round sealed at moment ``s`` draws every mark in ``[max(window_start, s + lead),
window_end]``: nobody's itch may start before the round that decides it was sealed, and the
short ``lead`` leaves time for the seal to be published before the first itch.  When less than
``min_span`` is left, the itch and ink of R5 would be squeezed into nothing, so the round is
not sealed at all and the organizer may give the next round a new window.

Both durations follow the window's length so that a demo window of a few minutes behaves
like a school year.
"""

from __future__ import annotations

from dataclasses import dataclass

from soulmark.core.marks import Window
from soulmark.core.times import DAY, MINUTE, iso

__all__ = ["MarksFrom", "TooLate", "marks_from", "min_span", "seal_lead"]

MAX_LEAD = 5 * MINUTE
MAX_MIN_SPAN = DAY


class TooLate(ValueError):
    """Too little of the window is left to draw a round's marks in."""


def seal_lead(window: Window) -> int:
    """The pause between a seal and the earliest itch it may schedule (microseconds)."""
    return min(MAX_LEAD, window.length // 100)


def min_span(window: Window) -> int:
    """The least part of the window a round needs to spread its marks over."""
    return min(MAX_MIN_SPAN, window.length // 4)


@dataclass(frozen=True, slots=True)
class MarksFrom:
    """When a round was sealed and where its marks may begin, as its transcript records it."""

    sealed_at: int
    lead: int
    start: int

    def to_json(self) -> dict[str, object]:
        return {"sealed_at": iso(self.sealed_at), "lead": self.lead, "start": iso(self.start)}


def start_after(window: Window, sealed_at: int, lead: int) -> int:
    """The earliest moment a mark of a round sealed at ``sealed_at`` may take (audit re-runs it)."""
    return max(window.start, sealed_at + lead)


def marks_from(window: Window, sealed_at: int) -> MarksFrom:
    """Where a round sealed at ``sealed_at`` draws its marks; :class:`TooLate` when it cannot."""
    lead = seal_lead(window)
    start = start_after(window, sealed_at, lead)
    left = window.end - start
    if left < min_span(window):
        raise TooLate(
            f"too little of the window is left to seal (needs {_span(min_span(window))}, "
            f"{_span(max(left, 0))} left): give the next round a new window"
        )
    return MarksFrom(sealed_at=sealed_at, lead=lead, start=start)


def _span(us: int) -> str:
    minutes = us // MINUTE
    if minutes >= 120:
        return f"{minutes // 60} h"
    if minutes >= 1:
        return f"{minutes} min"
    return f"{us / 1_000_000:.0f} s"
