"""Mark moments: when each wrist itches, inks and becomes legible (R4, R5, R6, R7, B3).

All arithmetic is on integer microseconds so the schedule is reproducible byte for byte.

Scaling.  With ``D = 2 * (itch_lead_max + same_day)``, a window ``W < D`` scales every
duration ``x`` of the parameters to ``max(1, x * W // D)`` (the tolerance to
``x * W // D``); longer windows use them as they
are.  Either way ``L + T <= W / 2`` where ``L`` is the (scaled) longest itch lead and ``T``
the (scaled) same-day tolerance.

Pair ``k`` of ``P`` pairs (see :mod:`soulmark.core.fate`) draws from
``Stream(seed, b"marks", k)``, in this order:

1. ``A = window_start + L + (k * R + below(R)) // P`` with ``R = W - L - T``: one anchor per
   pair, pair ``k`` in the ``k``-th of ``P`` equal strata, so pairs are spread over the window.
2. For the member in slot ``2k`` then the one in slot ``2k + 1``:
   ``legible_at = A + below(T + 1)``; ``ink = ink_min + below(ink_max - ink_min + 1)``;
   ``pre = itch_min + below(L - ink - itch_min + 1)``; ``ink_start = legible_at - ink``;
   ``itch_start = ink_start - pre``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import NamedTuple

from soulmark.core.stream import Stream
from soulmark.core.times import DAY, HOUR

__all__ = ["Mark", "MarkParams", "Window", "scaled", "schedule_pair", "schedule_scaled"]


@dataclass(frozen=True, slots=True)
class MarkParams:
    """Durations in microseconds.  ``itch_min`` is the shortest itch before the ink starts."""

    itch_min: int = 1 * HOUR
    itch_lead_max: int = 7 * DAY
    ink_min: int = 2 * HOUR
    ink_max: int = 6 * HOUR
    same_day: int = 12 * HOUR

    def __post_init__(self) -> None:
        if min(self.itch_min, self.ink_min) < 1 or self.same_day < 0:
            raise ValueError("mark durations must be positive")
        if self.ink_min > self.ink_max:
            raise ValueError("ink_min must not exceed ink_max")
        if self.itch_min + self.ink_max > self.itch_lead_max:
            raise ValueError("itch_lead_max must cover itch_min + ink_max")

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, int]) -> MarkParams:
        return cls(**{k: int(data[k]) for k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Window:
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the window's end must be after its start")

    @property
    def length(self) -> int:
        return self.end - self.start


class Mark(NamedTuple):
    itch_start: int
    ink_start: int
    legible_at: int


def scaled(params: MarkParams, window: Window) -> MarkParams:
    """The parameters a window actually uses (short windows shrink every duration)."""
    w = window.length
    d = 2 * (params.itch_lead_max + params.same_day)
    if w >= d:
        return params

    def s(x: int) -> int:
        return max(1, x * w // d)

    return MarkParams(
        itch_min=s(params.itch_min),
        itch_lead_max=s(params.itch_lead_max),
        ink_min=s(params.ink_min),
        ink_max=s(params.ink_max),
        # No floor of 1 here: a zero tolerance is valid and keeps L + T <= W / 2 exact.
        same_day=params.same_day * w // d,
    )


def schedule_pair(
    seed: bytes, k: int, pair_count: int, params: MarkParams, window: Window
) -> tuple[Mark, Mark]:
    """Marks of pair ``k``: first for the member in slot ``2k``, then slot ``2k + 1``."""
    return schedule_scaled(seed, k, pair_count, scaled(params, window), window)


def schedule_scaled(
    seed: bytes, k: int, pair_count: int, p: MarkParams, window: Window
) -> tuple[Mark, Mark]:
    """:func:`schedule_pair` with parameters already :func:`scaled` to the window."""
    lead, tol = p.itch_lead_max, p.same_day
    spread = window.length - lead - tol
    below = Stream(seed, b"marks", k).below
    anchor = window.start + lead + (k * spread + below(spread)) // pair_count
    ink_span = p.ink_max - p.ink_min + 1
    out = []
    for _ in (0, 1):
        legible = anchor + below(tol + 1)
        ink = p.ink_min + below(ink_span)
        pre = p.itch_min + below(lead - ink - p.itch_min + 1)
        out.append(Mark(legible - ink - pre, legible - ink, legible))
    return out[0], out[1]
