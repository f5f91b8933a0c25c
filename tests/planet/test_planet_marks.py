"""R4–R7 and B4 for planet marks: every moment inside the window, itch < ink < legible,
partners the same day, pairs spread over the window, numba equal to the reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.marks import MarkParams, Window, scaled
from soulmark.core.times import MINUTE, parse_iso
from soulmark.planet.marks import MarkPlan, marks_block, pair_marks_ref

START = parse_iso("2027-09-01T00:00:00Z")
YEAR = 365 * 24 * 60 * MINUTE


@settings(max_examples=150, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    length=st.integers(10 * MINUTE, 10 * YEAR),
    n=st.integers(2, 8_000_000_000),
    data=st.data(),
)
def test_r4_r5_r6_r7_b4_planet_marks_invariants(
    seed: bytes, length: int, n: int, data: st.DataObject
) -> None:
    window = Window(START, START + length)
    plan = MarkPlan.derive(seed, n, MarkParams(), window)
    p = scaled(MarkParams(), window)
    pairs = n // 2
    ks = sorted({0, pairs - 1, *data.draw(st.lists(st.integers(0, pairs - 1), max_size=6))})
    out = np.empty((6, 1), np.int64)
    for k in ks:
        a, b = pair_marks_ref(plan, k)
        marks_block(k, 1, plan.kernel_args(), out)
        want = [a.itch_start, a.ink_start, a.legible_at, b.itch_start, b.ink_start, b.legible_at]
        assert out[:, 0].tolist() == want
        for m in (a, b):
            assert window.start <= m.itch_start < m.ink_start < m.legible_at <= window.end
            assert p.itch_min + p.ink_min <= m.legible_at - m.itch_start <= p.itch_lead_max
            assert p.ink_min <= m.legible_at - m.ink_start <= p.ink_max
        assert abs(a.legible_at - b.legible_at) <= p.same_day
        # Stratified: pair k's legible moments lie in its share of the spread (R4).
        spread = length - p.itch_lead_max - p.same_day
        low = window.start + p.itch_lead_max + k * spread // pairs - 1
        high = window.start + p.itch_lead_max + -(-(k + 1) * spread // pairs) + p.same_day + 1
        assert low <= min(a.legible_at, b.legible_at) and max(a.legible_at, b.legible_at) <= high


def test_r4_b4_planet_marks_spread_over_the_window() -> None:
    window = Window(START, START + 12 * YEAR)
    n = 8_000_000_000
    plan = MarkPlan.derive(bytes(32), n, MarkParams(), window)
    k = np.linspace(0, n // 2 - 1, 4000).astype(np.int64)
    legible = np.array([pair_marks_ref(plan, int(x))[0].legible_at for x in k])
    assert np.all(np.diff(legible) > 0)  # strata far apart at this spacing keep their order
    counts = np.histogram(legible, bins=12, range=(window.start, window.end))[0]
    assert counts.min() > 0.9 * counts.mean()


def test_b4_planet_marks_numba_block_equals_reference() -> None:
    window = Window(START, START + 3 * YEAR)
    plan = MarkPlan.derive(bytes(range(32)), 10_001, MarkParams(), window)
    out = np.empty((6, 5000), np.int64)
    marks_block(0, 5000, plan.kernel_args(), out)
    for k in range(0, 5000, 37):
        a, b = pair_marks_ref(plan, k)
        want = [a.itch_start, a.ink_start, a.legible_at, b.itch_start, b.ink_start, b.legible_at]
        assert out[:, k].tolist() == want
