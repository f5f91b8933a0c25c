"""B1: once a round's beacon is due, nothing about its roster can change (issue 13, failure 1).

Whoever knows the beacon can compute every draw; if joiners could still be removed or added,
the one who removes them would choose the pairing.  Each way in is tried after the beacon.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from soulmark.core.audit import audit, load_transcript
from soulmark.core.beacon import BeaconSpec
from soulmark.core.errors import Conflict, NotFound
from soulmark.core.private_exclusions import never_commitment
from soulmark.core.times import DAY
from soulmark.services import create_world, join, seal, transcript_text, wrist
from soulmark.services.confirm import confirm
from soulmark.services.exclusions import add_exclusion, round_exclusions
from soulmark.services.intake import join_csv
from soulmark.services.lifecycle import (
    erase_expired,
    export_person,
    leave,
    leave_outcome,
    set_retention,
)
from soulmark.services.receipts import own_receipts
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.models import ExclusionRow, PersonRow
from tests.mailbox import confirmations

VECTOR = json.loads((Path(__file__).parents[1] / "vectors" / "drand_quicknet.json").read_text())[
    "rounds"
][0]
SPEC = BeaconSpec("quicknet", VECTOR["round"])
DUE = SPEC.published_at
OPENED = DUE - DAY
T0 = DUE + 30 * DAY


def _world(store: Store, *, domain: str | None = None) -> tuple[str, str]:
    made = create_world(
        store,
        name="Drawn",
        window_start=T0,
        window_end=T0 + 365 * DAY,
        at=OPENED,
        beacon=SPEC,
        email_domain=domain,
    )
    return made.world, made.organizer_token


def _seal_roster(store: Store, world: str) -> list[str]:
    seal(store, world=world, at=DUE + 10, beacon_signature=VECTOR["signature"])
    doc = load_transcript(transcript_text(store, world=world, round=1))
    assert audit(doc) == []
    return sorted(doc["roster"])


def test_b1_leaving_once_the_beacon_is_due_keeps_the_id_in_the_draw(store: Store) -> None:
    world, _ = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(4)
    ]
    gone = leave(store, token=people[0].token, at=DUE)
    assert gone["removed"] is False
    with pytest.raises(NotFound):  # the link is dead, as after a seal
        wrist(store, token=people[0].token, at=DUE + 1)
    assert _seal_roster(store, world) == sorted(p.person for p in people)


def test_i9_leave_outcome_says_the_place_in_the_draw_stays_once_the_beacon_is_due(
    store: Store,
) -> None:
    world, _ = _world(store)
    me = join(store, world=world, name="P0", email="p0@x.example", at=OPENED)
    assert leave_outcome(store, token=me.token, at=DUE - 1) == "removed"
    assert leave_outcome(store, token=me.token, at=DUE) == "in_draw"
    gone = leave(store, token=me.token, at=DUE)
    assert gone["outcome"] == "in_draw" and "stay in it" in gone["message"]


def test_b1_leaving_before_the_beacon_is_due_still_removes(store: Store) -> None:
    world, _ = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(4)
    ]
    assert leave(store, token=people[0].token, at=DUE - 1)["removed"] is True
    assert _seal_roster(store, world) == sorted(p.person for p in people[1:])


def test_b1_leaving_erases_contact_after_the_beacon(store: Store) -> None:
    world, _ = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(2)
    ]
    before = export_person(store, token=people[0].token, at=DUE)
    assert before["you"]["email"] == "p0@x.example"
    leave(store, token=people[0].token, at=DUE)
    with store.transaction() as s:
        row = s.scalars(select(PersonRow).where(PersonRow.pid == people[0].person)).one()
        assert row.email == "" and row.left_at == DUE


def test_b1_a_join_after_the_beacon_waits_for_the_next_round(store: Store) -> None:
    world, _ = _world(store)
    early = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(3)
    ]
    late = join(store, world=world, name="Late", email="late@x.example", at=DUE)
    assert late.round == 2
    assert _seal_roster(store, world) == sorted(p.person for p in early)


def test_b1_a_pending_join_confirmed_after_the_beacon_waits_for_the_next_round(
    store: Store,
) -> None:
    world, _ = _world(store, domain="ua.example")
    pending = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@ua.example", at=OPENED + i)
        for i in range(4)
    ]
    links = [m["link"].rsplit("#", 1)[1] for m in confirmations(store)]
    for link in links[:3]:
        assert confirm(store, token=link, at=OPENED + 10).round == 1
    late = confirm(store, token=links[3], at=DUE)
    assert late.round == 2
    assert _seal_roster(store, world) == sorted(p.person for p in pending[:3])


def test_b1_csv_intake_after_the_beacon_waits_for_the_next_round(store: Store) -> None:
    world, _ = _world(store)
    early = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(2)
    ]
    report = join_csv(
        store,
        world=world,
        source=io.StringIO("name,email\nC1,c1@x.example\nC2,c2@x.example\n"),
        at=DUE,
    )
    assert (report.joined, report.round) == (2, 2)
    assert _seal_roster(store, world) == sorted(p.person for p in early)


def test_b1_purge_after_the_beacon_leaves_the_roster_whole(store: Store) -> None:
    world, organizer = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(4)
    ]
    set_retention(store, organizer_token=organizer, until=DUE + 1, at=OPENED + 10)
    assert erase_expired(store, at=DUE + 1) == [world]
    assert _seal_roster(store, world) == sorted(p.person for p in people)


def _exclusions_drawn(store: Store, world: str) -> list:
    """The pairs the seal draws around.  The transcript no longer lists them (issue 22, it
    holds only commitments), so they are read as the seal reads them, then checked drawn."""
    with store.transaction() as s:
        row = get_world(s, world)
        pairs = sorted(sorted(p) for p in round_exclusions(s, row, 1))
    seal(store, world=world, at=DUE + 10, beacon_signature=VECTOR["signature"])
    doc = load_transcript(transcript_text(store, world=world, round=1))
    assert audit(doc) == []
    assert len(doc.get("exclusion_commitments", [])) >= len(pairs)
    drawn = {tuple(sorted(line[:2])) for line in doc["lines"] if line[1] is not None}
    assert not drawn & {tuple(p) for p in pairs}
    return pairs


def test_b1_r3_leaving_once_the_beacon_is_due_keeps_the_exclusions_in_the_draw(
    store: Store,
) -> None:
    world, _ = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(8)
    ]
    add_exclusion(store, token=people[0].token, email="p1@x.example", at=OPENED + 20)
    add_exclusion(store, token=people[2].token, email="p3@x.example", at=OPENED + 20)
    leave(store, token=people[0].token, at=DUE)  # an author leaves
    leave(store, token=people[3].token, at=DUE)  # a named person leaves
    pairs = _exclusions_drawn(store, world)
    ids = {p.person for p in people}
    want = [
        sorted((people[0].person, people[1].person)),
        sorted((people[2].person, people[3].person)),
    ]
    assert sorted(pairs) == sorted(want) and set(sum(pairs, [])) <= ids


def test_b1_r3_purge_after_the_beacon_keeps_the_exclusions_in_the_draw(store: Store) -> None:
    world, organizer = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(8)
    ]
    add_exclusion(store, token=people[0].token, email="p1@x.example", at=OPENED + 20)
    add_exclusion(store, token=people[0].token, email="stranger@x.example", at=OPENED + 20)
    set_retention(store, organizer_token=organizer, until=DUE + 1, at=OPENED + 30)
    assert erase_expired(store, at=DUE + 1) == [world]
    with store.transaction() as s:
        assert all(r.email == "" for r in s.scalars(select(ExclusionRow)))
    assert _exclusions_drawn(store, world) == [sorted((people[0].person, people[1].person))]


def test_b1_r3_lists_are_frozen_once_the_beacon_is_due(store: Store) -> None:
    world, _ = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(6)
    ]
    with pytest.raises(Conflict, match="frozen"):
        add_exclusion(store, token=people[0].token, email="p1@x.example", at=DUE)
    assert _exclusions_drawn(store, world) == []


def test_b2_a_receipt_for_someone_who_left_cannot_be_tested_against_roster_ids(
    store: Store,
) -> None:
    """Their entry is re-keyed to ``left:<id>`` when the named person leaves a frozen roster;
    its commitment must not hold that key, or the author could test every id for it."""
    world, _ = _world(store)
    people = [
        join(store, world=world, name=f"P{i}", email=f"p{i}@x.example", at=OPENED + i)
        for i in range(8)
    ]
    add_exclusion(store, token=people[2].token, email="p3@x.example", at=OPENED + 20)
    leave(store, token=people[3].token, at=DUE)
    assert _exclusions_drawn(store, world) == [sorted((people[2].person, people[3].person))]
    doc = load_transcript(transcript_text(store, world=world, round=1))
    (receipt,) = own_receipts(store, token=people[2].token).receipts
    salt = bytes.fromhex(receipt["salt"])
    assert receipt["commitment"] in doc["exclusion_commitments"]
    tried = {never_commitment(salt, people[2].person, f"left:{pid}").hex() for pid in doc["roster"]}
    assert receipt["commitment"] not in tried
