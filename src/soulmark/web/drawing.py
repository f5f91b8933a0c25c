"""What the wrist SVG is drawn from.  The ink strokes are fixed shapes, the same for every
name (R6): only how much of each is drawn, from the progress, ever changes."""

from __future__ import annotations

import unicodedata

from soulmark.core.wrist import STROKES

__all__ = ["STROKE_PATHS", "name_class", "name_script", "name_size", "stroke_fill"]

# Letter-like cursive strokes along one baseline: a hand that writes something, never what.
# Each is (path relative to its start on the baseline, advance to the next start).
_HAND: tuple[tuple[str, int], ...] = (
    ("c4 -4 9 -14 7 -20 c-1 -3 -5 -1 -5 5 c0 6 1 12 4 15", 6),
    ("c4 -2 8 -6 6 -9 c-2 -2 -6 1 -6 5 c0 4 4 5 9 4", 9),
    ("c1 -3 2 -7 3 -9 c0 3 -1 6 -1 9 c1 -5 4 -9 6 -9 c2 0 2 5 3 9", 11),
    ("c2 -2 4 -6 4 -8 c-1 -2 -6 -2 -7 2 c-1 4 3 6 6 1 c0 3 0 5 4 5", 7),
    ("c4 -4 10 -16 8 -22 c-1 -3 -5 -1 -5 6 c0 6 1 13 4 16", 6),
    ("c4 -2 8 -6 6 -9 c-2 -2 -6 1 -6 5 c0 4 4 5 9 4", 9),
    (
        "c1 -3 2 -7 3 -9 c0 3 -1 6 -1 9 c1 -5 4 -9 5 -9 c2 0 1 5 1 9 c1 -5 4 -9 5 -9 c2 0 2 5 3 9",
        16,
    ),
    ("c2 -3 5 -8 6 -9 c-3 2 -3 4 0 6 c2 2 0 4 -3 3 c3 0 6 0 8 0", 11),
    ("c2 -6 3 -14 3 -18 c0 6 -1 13 1 17 c1 1 3 1 5 1 m-9 -12 c2 0 5 0 7 -1", 9),
    ("c4 -2 8 -6 6 -9 c-2 -2 -6 1 -6 5 c0 4 4 5 9 4", 9),
    ("c1 -3 2 -7 3 -9 c0 3 -1 6 -1 9 c1 -5 4 -9 6 -9 c2 0 2 5 3 9", 11),
    ("c4 -1 8 -3 12 -8 c1 -1 2 -2 4 -2", 0),
)
_START_X = 38
_BASELINE = 94


def _strokes() -> tuple[str, ...]:
    x, paths = _START_X, []
    for rel, advance in _HAND:
        paths.append(f"M{x} {_BASELINE} {rel}")
        x += advance
    return tuple(paths)


STROKE_PATHS: tuple[str, ...] = _strokes()


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


_CJK = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC")


def name_script(name: str) -> str:
    """``cjk`` when the name is written in Han, kana or hangul (it takes a mincho face), else
    ``latin`` (a handwriting face, falling back per glyph for other scripts)."""
    for ch in name:
        if any(unicodedata.name(ch, "").startswith(p) for p in _CJK):
            return "cjk"
    return "latin"


def name_class(name: str) -> str:
    """Longer names take a smaller size so that they stay on the wrist."""
    return "long" if len(name) > 14 else ""
