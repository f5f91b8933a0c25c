"""The state of a wrist at a moment (SPEC "Wrist states", R5, R6, R8, B3).

This module never receives a partner's name: the state is computed from the mark and the
clock alone, so no byte derived from the name can exist in a state before ``covered``.  The
name is attached by the service only when the state is ``revealed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from soulmark.core.marks import Mark

__all__ = ["STROKES", "State", "WristState", "wrist_at"]

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
