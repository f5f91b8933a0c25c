"""Mark moments at planet scale: the invariants of :mod:`soulmark.core.marks`, one PRF call
per draw instead of a BLAKE2b stream per pair (R4–R7, B4).

Specification, for pair ``k`` of ``P`` pairs, with the :func:`~soulmark.core.marks.scaled`
parameters (``L`` longest itch lead, ``T`` same-day tolerance) and ``R = W - L - T``:

* Keys ``K[0..7]``: u64 words of ``BLAKE2b(key=seed, person=b"planet/marks")`` as in
  :func:`soulmark.planet.engine.derive_words`.  Word ``j`` (1..7) of pair ``k`` is
  ``lite(mix64(k XOR K[0]) XOR K[j])`` with ``mix64`` the SplitMix64 finaliser and
  ``lite(z) = y XOR (y >> 29)``, ``y = (z XOR (z >> 32)) * 0xD6E8FEB86659FD93`` mod 2^64: the
  base word is fully mixed once per pair, so one multiply per further word suffices (and
  multiplies are most of the cost at 4e9 pairs).
* ``draw(w, m) = min(m - 1, trunc(((w >> 11) * 2^-53) * m))`` in IEEE double arithmetic, for
  ``m < 2^53``: a 53-bit uniform scaled to ``[0, m)``; bias below ``m / 2^53``.
* Anchor: ``A = start + L + min(R - 1, trunc(k * s + u * s))`` with ``s = R / P`` and
  ``u = (w1 >> 11) * 2^-53``: pair ``k`` falls in the ``k``-th of ``P`` equal strata.  Doubles
  because ``k * R`` overflows 64 bits at planet scale (4e9 pairs times a 10-year window in
  microseconds is ~1e24); the rounding error is below a microsecond for windows under 2^52 µs.
* Slot ``2k`` uses words 2–4, slot ``2k + 1`` words 5–7:
  ``legible = A + draw(w, T + 1)``, ``ink = ink_min + draw(w, ink_max - ink_min + 1)``,
  ``pre = itch_min + draw(w, L - ink - itch_min + 1)``, ``ink_start = legible - ink``,
  ``itch_start = ink_start - pre``.

So ``start <= A - L <= itch_start < ink_start < legible <= A + T < end`` and the partners'
legible moments are within ``T`` of each other, exactly as in the core schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np

from soulmark.core.marks import Mark, MarkParams, Window, scaled
from soulmark.planet.engine import derive_words

__all__ = [
    "MarkPlan",
    "MAX_WINDOW",
    "pair_marks_ref",
    "pair_marks",
    "mix64",
    "mix64_ref",
    "lite",
    "lite_ref",
]

MAX_WINDOW = 1 << 52
"""Longest window in microseconds (~142 years) for which the doubles above stay exact."""

_M64 = (1 << 64) - 1
_U64 = np.uint64
_C1, _C2 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)
_C3 = _U64(0xD6E8FEB86659FD93)
_S11, _S27, _S29, _S30, _S31, _S32 = (_U64(v) for v in (11, 27, 29, 30, 31, 32))
_UNIT = 2.0**-53


def mix64_ref(z: int) -> int:
    """SplitMix64's finaliser on a Python int in ``[0, 2^64)``."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


@nb.njit(inline="always")
def mix64(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


def lite_ref(z: int) -> int:
    """One multiply-xorshift: enough to spread an already mixed word (see above)."""
    y = ((z ^ (z >> 32)) * 0xD6E8FEB86659FD93) & _M64
    return y ^ (y >> 29)


@nb.njit(inline="always")
def lite(z: np.uint64) -> np.uint64:
    y = (z ^ (z >> _S32)) * _C3
    return y ^ (y >> _S29)


@dataclass(frozen=True)
class MarkPlan:
    """The scaled parameters and keys of one planet's schedule, as plain numbers."""

    start: int
    end: int
    lead: int
    tol: int
    spread: int
    ink_min: int
    ink_span: int
    itch_min: int
    pairs: int
    keys: np.ndarray

    @classmethod
    def derive(cls, seed: bytes, n: int, params: MarkParams, window: Window) -> MarkPlan:
        if window.length >= MAX_WINDOW:
            raise ValueError("the window is too long for planet marks (at most ~142 years)")
        p = scaled(params, window)
        return cls(
            start=window.start,
            end=window.end,
            lead=p.itch_lead_max,
            tol=p.same_day,
            spread=window.length - p.itch_lead_max - p.same_day,
            ink_min=p.ink_min,
            ink_span=p.ink_max - p.ink_min,
            itch_min=p.itch_min,
            pairs=max(1, n // 2),
            keys=derive_words(seed, b"planet/marks", n, 8, "<u8"),
        )

    def kernel_args(self) -> tuple[Any, ...]:
        """The arguments :func:`pair_marks` takes after ``k``.  The keys go as a tuple of
        scalars: loaded from an array inside a loop that also stores, they would have to be
        reloaded every iteration and the loop would not vectorise."""
        stride = self.spread / self.pairs
        return (
            self.start,
            self.lead,
            self.tol,
            self.spread,
            self.ink_min,
            self.ink_span,
            self.itch_min,
            stride,
            tuple(np.uint64(w) for w in self.keys.tolist()),
        )


def _draw_ref(w: int, m: int) -> int:
    return min(m - 1, int(((w >> 11) * _UNIT) * m))


def pair_marks_ref(plan: MarkPlan, k: int) -> tuple[Mark, Mark]:
    """Plain-Python reference: the marks of slot ``2k`` and slot ``2k + 1``."""
    keys = plan.keys.tolist()
    base = mix64_ref(k ^ keys[0])
    words = [lite_ref(base ^ keys[j]) for j in range(8)]
    stride = plan.spread / plan.pairs
    u = (words[1] >> 11) * _UNIT
    anchor = plan.start + plan.lead + min(plan.spread - 1, int(k * stride + u * stride))
    marks = []
    for j in (2, 5):
        legible = anchor + _draw_ref(words[j], plan.tol + 1)
        ink = plan.ink_min + _draw_ref(words[j + 1], plan.ink_span + 1)
        pre = plan.itch_min + _draw_ref(words[j + 2], plan.lead - ink - plan.itch_min + 1)
        marks.append(Mark(legible - ink - pre, legible - ink, legible))
    return marks[0], marks[1]


@nb.njit(inline="always")
def _draw(w, m):  # type: ignore[no-untyped-def]
    return min(m - 1, np.int64(np.float64(w >> _S11) * _UNIT * np.float64(m)))


@nb.njit(inline="always")
def _member(anchor, base, k1, k2, k3, tol, ink_min, ink_span, itch_min, lead):  # type: ignore[no-untyped-def]
    legible = anchor + _draw(lite(base ^ k1), tol + 1)
    ink = ink_min + _draw(lite(base ^ k2), ink_span + 1)
    pre = itch_min + _draw(lite(base ^ k3), lead - ink - itch_min + 1)
    return legible - ink - pre, legible - ink, legible


@nb.njit(inline="always")
def pair_marks(k, start, lead, tol, spread, ink_min, ink_span, itch_min, stride, keys):  # type: ignore[no-untyped-def]
    """The numba twin of :func:`pair_marks_ref`: six int64 moments (slot 2k, then 2k + 1)."""
    base = mix64(_U64(k) ^ keys[0])
    u = np.float64(lite(base ^ keys[1]) >> _S11) * _UNIT
    off = np.int64(np.float64(k) * stride + u * stride)
    anchor = start + lead + min(spread - 1, off)
    a0, b0, c0 = _member(
        anchor, base, keys[2], keys[3], keys[4], tol, ink_min, ink_span, itch_min, lead
    )
    a1, b1, c1 = _member(
        anchor, base, keys[5], keys[6], keys[7], tol, ink_min, ink_span, itch_min, lead
    )
    return a0, b0, c0, a1, b1, c1


@nb.njit(cache=True, nogil=True)
def marks_block(k0, m, args, out):  # type: ignore[no-untyped-def]
    """Marks of pairs ``k0 .. k0 + m`` into ``out[0:6, :m]`` (used by tests and the audit)."""
    start, lead, tol, spread, ink_min, ink_span, itch_min, stride, keys = args
    for j in range(m):
        r = pair_marks(k0 + j, start, lead, tol, spread, ink_min, ink_span, itch_min, stride, keys)
        for f in range(6):
            out[f, j] = r[f]
