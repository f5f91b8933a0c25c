"""Later rounds through the services (R4, R5): sealed mid-window, refused, given a new window."""

from __future__ import annotations

import json
from itertools import count

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from soulmark.core.audit import audit, load_transcript
from soulmark.core.beacon import BeaconSpec
from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.times import DAY, HOUR, iso, parse_iso
from soulmark.services import create_world, join, seal, transcript_text, world_info
from soulmark.services.organizer import organizer_window
from soulmark.store import Store
from soulmark.store.models import MarkRow, RoundRow

T0 = parse_iso("2030-04-01T00:00:00Z")
END = T0 + 100 * DAY
_serial = count()


def world_with(store: Store, people: int, *, beacon: BeaconSpec | None = None) -> tuple[str, str]:
    made = create_world(
        store,
        name="Later Academy",
        window_start=T0,
        window_end=END,
        at=T0 - DAY,
        slug=f"later-{next(_serial)}",
        beacon=beacon,
    )
    for i in range(people):
        join(store, world=made.world, name=f"P{i}", email=f"p{i}@ua.example", at=T0 - DAY + i)
    return made.world, made.organizer_token


def marks_of(store: Store, round_no: int) -> list[MarkRow]:
    with store.transaction() as s:
        return list(s.scalars(select(MarkRow).where(MarkRow.round == round_no)))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.integers(min_value=-2 * DAY, max_value=90 * DAY),
    gaps=st.lists(st.integers(min_value=1, max_value=40 * DAY), min_size=1, max_size=3),
    joiners=st.integers(min_value=2, max_value=5),
)
@example(first=50 * DAY, gaps=[20 * DAY, 29 * DAY], joiners=3)
@example(first=-DAY, gaps=[99 * DAY], joiners=2)
def test_r4_every_mark_of_every_later_round_lies_between_its_seal_and_the_window_end(
    store: Store, first: int, gaps: list[int], joiners: int
) -> None:
    slug, _ = world_with(store, 5)
    at = T0 + first
    for gap in [0, *gaps]:
        at += gap
        number = world_info(store, slug=slug).open_round
        for i in range(joiners):
            join(store, world=slug, name=f"L{at}-{i}", email=f"l{at}-{i}@ua.example", at=at - 1)
        try:
            seal(store, world=slug, at=at)
        except Conflict as exc:
            assert "new window" in str(exc) and "\n" not in str(exc)
            assert not world_info(store, slug=slug, at=at).joins_open
            continue
        doc = json.loads(transcript_text(store, world=slug, round=number))
        assert audit(load_transcript(json.dumps(doc))) == []
        for line in doc["lines"]:
            if line[1] is not None:
                for moment in map(parse_iso, line[2:]):
                    assert max(at, T0) <= moment <= END, (number, line)


def test_r4_too_late_to_seal_then_the_organizer_gives_the_next_round_a_new_window(
    store: Store,
) -> None:
    slug, organizer = world_with(store, 4)
    late = END - HOUR
    with pytest.raises(Conflict, match="too little of the window is left"):
        seal(store, world=slug, at=late)
    before = world_info(store, slug=slug, at=late)
    assert not before.joins_open
    with pytest.raises(InvalidInput, match="too little time"):
        organizer_window(store, token=organizer, window_start=iso(T0), window_end=iso(END), at=late)
    after = organizer_window(
        store,
        token=organizer,
        window_start=iso(END + DAY),
        window_end=iso(END + 200 * DAY),
        at=late,
    )
    assert after.joins_open and after.commitment != before.commitment
    assert after.window_end == iso(END + 200 * DAY)
    seal(store, world=slug, at=late + 1)
    doc = json.loads(transcript_text(store, world=slug, round=1))
    assert doc["commitment"] == after.commitment and audit(doc) == []
    assert "marks_from" not in doc, "sealed before its new window opened"
    assert all(m.itch_start >= END + DAY for m in marks_of(store, 1))


def test_b1_a_round_whose_beacon_is_out_keeps_its_window(store: Store) -> None:
    beacon = BeaconSpec("quicknet", 1)  # published long before 2030
    slug, organizer = world_with(store, 2)
    with store.transaction() as s:
        row = s.scalars(select(RoundRow).where(RoundRow.number == 1)).one()
        row.beacon_chain, row.beacon_round = beacon.chain, beacon.round
    with pytest.raises(Conflict, match="beacon that is already out"):
        organizer_window(
            store, token=organizer, window_start=iso(END), window_end="2031-01-01", at=T0
        )
