"""The state of a wrist at a moment (SPEC "Wrist states", R5, R6, R8, B3).

This module never receives a partner's name: the state is computed from the mark and the
clock alone, so no byte derived from the name can exist in a state before ``covered``.  The
name is attached by the service only when the state is ``revealed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from soulmark.core.marks import Mark

__all__ = ["STROKES", "State", "WristState", "next_change", "wrist_at"]

STROKES = 12
"""Inking is drawn as this many strokes, the same for every name (R6)."""

State = Literal["bare", "itching", "inking", "covered", "revealed"]


@dataclass(frozen=True, slots=True)
class WristState:
    state: State
    progress: float | None = None
    """In [0, 1) while inking; None otherwise."""
    strokes: int | None = None
    """Strokes drawn so far while inking, out of :data:`STROKES`."""
    legible_at: int | None = None
    """From ``covered`` on: when the itch stopped."""
    looked_at: int | None = None

    @property
    def tingles(self) -> bool:
        return self.state in ("itching", "inking")


def wrist_at(mark: Mark | None, t: int, looked_at: int | None = None) -> WristState:
    """The wrist at ``t`` for a bearer whose sealed mark is ``mark`` (None: bare, R9)."""
    if mark is None or t < mark.itch_start:
        return WristState("bare")
    if t < mark.ink_start:
        return WristState("itching")
    if t < mark.legible_at:
        progress = (t - mark.ink_start) / (mark.legible_at - mark.ink_start)
        return WristState("inking", progress=progress, strokes=int(progress * STROKES))
    if looked_at is not None and looked_at <= t:
        return WristState("revealed", legible_at=mark.legible_at, looked_at=looked_at)
    return WristState("covered", legible_at=mark.legible_at)


def next_change(mark: Mark | None, t: int, looked_at: int | None = None) -> int | None:
    """The first moment after ``t`` at which :func:`wrist_at` gives another state or another
    stroke count; None when nothing changes any more by the clock alone (B3).

    Only the mark's moments enter: the answer never depends on the partner's name.
    """
    if mark is None:
        return None
    if t < mark.itch_start:
        return mark.itch_start
    if t < mark.ink_start:
        return mark.ink_start
    if t < mark.legible_at:
        now = wrist_at(mark, t).strokes or 0
        span = mark.legible_at - mark.ink_start
        for k in range(now + 1, STROKES):
            # The first moment whose (float) progress gives stroke k; checked, not trusted.
            moment = max(t + 1, mark.ink_start + -(-k * span // STROKES) - 1)
            while moment < mark.legible_at and (wrist_at(mark, moment).strokes or 0) < k:
                moment += 1
            if moment < mark.legible_at:
                return moment
        return mark.legible_at
    if looked_at is not None and t < looked_at:
        return looked_at
    return None
