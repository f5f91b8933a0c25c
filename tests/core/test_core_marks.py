"""Mark moments (R4, R5, R6, R7, B3) for any window from 10 minutes to 10 years."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.marks import Mark, MarkParams, Window, scaled, schedule_pair
from soulmark.core.stream import Stream
from soulmark.core.times import DAY, HOUR, MINUTE, SECOND

T0 = 1_893_456_000 * SECOND  # 2030-01-01T00:00:00Z
YEAR = 365 * DAY


@st.composite
def params_st(draw) -> MarkParams:
    itch_min = draw(st.integers(min_value=SECOND, max_value=DAY))
    ink_min = draw(st.integers(min_value=MINUTE, max_value=DAY))
    ink_max = draw(st.integers(min_value=ink_min, max_value=2 * DAY))
    lead = draw(st.integers(min_value=itch_min + ink_max, max_value=30 * DAY))
    same_day = draw(st.integers(min_value=0, max_value=2 * DAY))
    return MarkParams(
        itch_min=itch_min, itch_lead_max=lead, ink_min=ink_min, ink_max=ink_max, same_day=same_day
    )


windows_st = st.builds(
    lambda start, length: Window(start, start + length),
    st.integers(min_value=0, max_value=T0),
    st.one_of(
        st.integers(min_value=10 * MINUTE, max_value=10 * YEAR),
        st.sampled_from([10 * MINUTE, 10 * YEAR, 15 * DAY, 15 * DAY - 1]),
    ),
)


def ref_schedule(seed: bytes, k: int, count: int, p: MarkParams, w: Window) -> tuple[Mark, Mark]:
    """The docstring of soulmark.core.marks, re-implemented independently."""
    stream = Stream(seed, b"marks", k)
    lead, tol = p.itch_lead_max, p.same_day
    r = w.length - lead - tol
    anchor = w.start + lead + (k * r + stream.below(r)) // count
    out = []
    for _ in range(2):
        legible = anchor + stream.below(tol + 1)
        ink = p.ink_min + stream.below(p.ink_max - p.ink_min + 1)
        pre = p.itch_min + stream.below(lead - ink - p.itch_min + 1)
        out.append(Mark(legible - ink - pre, legible - ink, legible))
    return out[0], out[1]


def check_pair(a: Mark, b: Mark, p: MarkParams, w: Window) -> None:
    for m in (a, b):
        # R4: every moment inside the window; the SPEC order itch < ink < legible
        assert w.start <= m.itch_start < m.ink_start < m.legible_at <= w.end
        # R5: the itch is the only warning, within the (scaled) lead
        assert m.legible_at - m.itch_start <= p.itch_lead_max
        assert m.ink_start - m.itch_start >= p.itch_min
        # R6: the letters ink in over the (scaled) ink duration
        assert p.ink_min <= m.legible_at - m.ink_start <= p.ink_max
    # R7: both halves the same day
    assert abs(a.legible_at - b.legible_at) <= p.same_day


@settings(max_examples=150, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    window=windows_st,
    params=st.one_of(st.just(MarkParams()), params_st()),
    pairs=st.integers(min_value=1, max_value=400),
    data=st.data(),
)
def test_r4_r5_r6_r7_invariants_for_every_window_and_params(
    seed: bytes, window: Window, params: MarkParams, pairs: int, data: st.DataObject
) -> None:
    p = scaled(params, window)
    # the scaled parameters still leave room for the whole schedule
    assert p.itch_lead_max + p.same_day <= window.length // 2 or p == params
    if window.length >= 2 * (params.itch_lead_max + params.same_day):
        assert p == params
    else:
        assert p.itch_lead_max <= params.itch_lead_max and p.same_day <= params.same_day
    ks = {0, pairs - 1, data.draw(st.integers(min_value=0, max_value=pairs - 1))}
    for k in ks:
        a, b = schedule_pair(seed, k, pairs, params, window)
        check_pair(a, b, p, window)
        # R4: pair k lies in the k-th of `pairs` strata, so pairs are spread over the window
        spread = window.length - p.itch_lead_max - p.same_day
        lo = window.start + p.itch_lead_max + k * spread // pairs
        hi = window.start + p.itch_lead_max + ((k + 1) * spread - 1) // pairs + p.same_day
        assert lo <= min(a.legible_at, b.legible_at)
        assert max(a.legible_at, b.legible_at) <= hi
        # B3: a pure function, reproducible from the spec
        assert (a, b) == schedule_pair(seed, k, pairs, params, window)
        assert (a, b) == ref_schedule(seed, k, pairs, p, window)


@pytest.mark.parametrize(
    "length", [10 * MINUTE, HOUR, 6 * HOUR, DAY, 15 * DAY, 30 * DAY, YEAR, 10 * YEAR]
)
def test_r5_default_itch_lead_between_an_hour_and_a_week_when_window_allows(length: int) -> None:
    window = Window(T0, T0 + length)
    p = scaled(MarkParams(), window)
    for k in range(50):
        seed = hashlib.sha256(b"lead%d" % k).digest()
        for m in schedule_pair(seed, k, 50, MarkParams(), window):
            lead = m.legible_at - m.itch_start
            if length >= 15 * DAY:  # defaults apply unscaled
                assert p == MarkParams()
                assert HOUR + 2 * HOUR <= lead <= 7 * DAY
                assert 2 * HOUR <= m.legible_at - m.ink_start <= 6 * HOUR
            else:  # scaled down, but still itch -> ink -> legible inside the window
                assert lead <= length // 2
                assert m.ink_start - m.itch_start >= 1
            assert window.start <= m.itch_start and m.legible_at <= window.end


def test_r4_different_pairs_get_different_spread_out_moments() -> None:
    window = Window(T0, T0 + YEAR)
    seed = hashlib.sha256(b"spread").digest()
    count = 200
    legible = sorted(
        schedule_pair(seed, k, count, MarkParams(), window)[0].legible_at for k in range(count)
    )
    assert len(set(legible)) == count
    # spread over the window: every tenth of the usable span holds about a tenth of the pairs
    span = legible[-1] - legible[0]
    assert span > YEAR * 0.9
    for d in range(10):
        lo = window.start + d * YEAR // 10
        inside = sum(lo <= x < lo + YEAR // 10 for x in legible)
        assert 10 <= inside <= 30, (d, inside)


def test_b3_marks_depend_on_seed() -> None:
    window = Window(T0, T0 + YEAR)
    a = schedule_pair(hashlib.sha256(b"a").digest(), 0, 1, MarkParams(), window)
    b = schedule_pair(hashlib.sha256(b"b").digest(), 0, 1, MarkParams(), window)
    assert a != b


@pytest.mark.parametrize(
    "kwargs",
    [
        {"itch_min": 0},
        {"ink_min": 0},
        {"same_day": -1},
        {"ink_min": 5 * HOUR, "ink_max": 4 * HOUR},
        {"itch_lead_max": 3 * HOUR},
    ],
)
def test_mark_params_reject_impossible_durations(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        MarkParams(**kwargs)


def test_mark_params_json_round_trip() -> None:
    p = MarkParams(itch_min=5, itch_lead_max=100, ink_min=7, ink_max=9, same_day=3)
    assert MarkParams.from_json(p.to_json()) == p


def test_window_end_must_follow_start() -> None:
    with pytest.raises(ValueError):
        Window(T0, T0)
