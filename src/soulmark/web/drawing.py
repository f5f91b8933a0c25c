"""What the wrist SVG is drawn from.  The ink strokes are fixed shapes, the same for every
name (R6): only the count of strokes drawn so far, from the progress, ever changes."""

from __future__ import annotations

from soulmark.core.wrist import STROKES

__all__ = ["STROKE_PATHS", "stroke_fill", "name_size"]


def _stroke(i: int) -> str:
    # A loop of cursive-like ink, shifted right for each stroke; shapes depend on i only.
    x = 62 + i * 17
    up = 14 + (i * 7) % 9
    return f"M{x} 104 c4 -{up} 10 -{up} 11 -2 s-6 12 -1 12 s8 -8 9 -{up // 2}"


STROKE_PATHS: tuple[str, ...] = tuple(_stroke(i) for i in range(STROKES))


def stroke_fill(progress: float | None, state: str) -> list[float]:
    """How much of each stroke is drawn (0..1): strokes fill in one after another."""
    if state in ("covered", "revealed"):
        return [1.0] * STROKES
    if state != "inking" or progress is None:
        return [0.0] * STROKES
    done = progress * STROKES
    return [max(0.0, min(1.0, done - i)) for i in range(STROKES)]


def name_size(name: str) -> int:
    """A font size that fits the name across the wrist (the SVG is 320 units wide)."""
    return max(9, min(30, int(420 / max(1, len(name)))))
