"""The wrist state machine (SPEC "Wrist states", R5, R6, R8, B3)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.marks import Mark
from soulmark.core.wrist import STROKES, next_change, wrist_at


@st.composite
def marks_st(draw) -> Mark:
    itch = draw(st.integers(min_value=0, max_value=10**15))
    ink = itch + draw(st.integers(min_value=1, max_value=10**12))
    legible = ink + draw(st.integers(min_value=1, max_value=10**12))
    return Mark(itch, ink, legible)


@settings(max_examples=300, deadline=None)
@given(mark=marks_st(), dt=st.integers(min_value=-(10**13), max_value=3 * 10**12), data=st.data())
def test_b3_wrist_state_follows_the_spec_table(mark: Mark, dt: int, data: st.DataObject) -> None:
    t = mark.itch_start + dt
    looked = None
    if t >= mark.legible_at:
        looked = data.draw(st.one_of(st.none(), st.integers(mark.legible_at, t)))
    w = wrist_at(mark, t, looked)
    assert w == wrist_at(mark, t, looked), "a pure function of mark and clock"
    if t < mark.itch_start:
        assert w.state == "bare"
    elif t < mark.ink_start:
        assert w.state == "itching"
    elif t < mark.legible_at:
        assert w.state == "inking"
        assert w.progress is not None and 0 <= w.progress < 1
        assert w.strokes is not None and 0 <= w.strokes < STROKES
    elif looked is None:
        assert w.state == "covered"
    else:
        assert w.state == "revealed"
        assert w.looked_at == looked
    if w.state in ("bare", "itching", "inking"):
        # R5/R6: nothing about when the name will be ready, nor when it was looked at
        assert w.legible_at is None and w.looked_at is None
    else:
        assert w.legible_at == mark.legible_at
    if w.state != "inking":
        assert w.progress is None and w.strokes is None
    assert w.tingles == (w.state in ("itching", "inking"))


def test_r9_no_mark_is_bare_at_every_moment() -> None:
    for t in (-(10**15), 0, 10**15):
        assert wrist_at(None, t).state == "bare"
        assert wrist_at(None, t, looked_at=0).state == "bare"


def test_r6_wrist_state_has_no_field_for_a_name() -> None:
    # The core never receives the partner's name: no field of WristState could carry it.
    names = {f.name for f in dataclasses.fields(wrist_at(None, 0))}
    assert names == {"state", "progress", "strokes", "legible_at", "looked_at"}


def test_r8_revealed_only_once_looked_and_looking_is_not_undone_by_time() -> None:
    mark = Mark(100, 200, 300)
    assert wrist_at(mark, 300).state == "covered"
    assert wrist_at(mark, 10**12).state == "covered", "may wait as long as they like"
    assert wrist_at(mark, 400, looked_at=350).state == "revealed"
    assert wrist_at(mark, 10**12, looked_at=350).state == "revealed"


def test_r6_inking_strokes_grow_and_are_name_independent() -> None:
    mark = Mark(0, 1000, 2200)
    strokes = [wrist_at(mark, t).strokes for t in range(1000, 2200, 50)]
    assert strokes == sorted(strokes)
    assert strokes[0] == 0 and strokes[-1] == STROKES - 1


def _seen(mark: Mark, t: int, looked: int | None) -> tuple[str, int | None]:
    state = wrist_at(mark, t, looked)
    return state.state, state.strokes


@given(
    itch=st.integers(0, 10**12),
    pre=st.integers(1, 10**9),
    ink=st.integers(1, 10**9),
    dt=st.integers(-(10**9), 3 * 10**9),
    looked=st.one_of(st.none(), st.integers(0, 10**9)),
)
def test_b3_next_change_is_the_first_moment_the_wrist_changes(
    itch: int, pre: int, ink: int, dt: int, looked: int | None
) -> None:
    mark = Mark(itch, itch + pre, itch + pre + ink)
    looked_at = None if looked is None else mark.legible_at + looked
    t = itch + dt
    nxt = next_change(mark, t, looked_at)
    if nxt is None:
        assert t >= mark.legible_at and (looked_at is None or t >= looked_at)
        return
    # Not a moment late (the one before still shows what t shows), and a real change.
    assert nxt > t
    assert _seen(mark, nxt - 1, looked_at) == _seen(mark, t, looked_at)
    assert _seen(mark, nxt, looked_at) != _seen(mark, t, looked_at)


def test_b3_a_wrist_changes_at_itch_ink_every_stroke_and_legible() -> None:
    mark, t, moments = Mark(1_000, 2_000, 2_000 + 12 * 977), 0, []
    while (t := next_change(mark, t)) is not None:
        moments.append(t)
    assert moments[:2] == [1_000, 2_000] and moments[-1] == mark.legible_at
    assert len(moments) == 2 + (STROKES - 1) + 1
    assert next_change(None, 0) is None
