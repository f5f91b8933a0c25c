"""B1 (issue 13, failure 2): every joiner is handed the commitment, and each world keeps a
public, append-only history of its commitments and seals, so a re-draw shows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from soulmark.core.times import DAY, HOUR, parse_iso
from soulmark.services import create_world, join, seal, world_info, wrist
from soulmark.services.audit import audit_report
from soulmark.services.fate_log import chain_of
from soulmark.services.lifecycle import export_person
from soulmark.services.sealing import transcript_text
from soulmark.services.tokens import new_secret
from soulmark.store import Store
from soulmark.store.models import FateLogRow, MarkRow, PersonRow, RoundRow, WorldRow

T0 = parse_iso("2030-04-01T00:00:00Z")
OPEN = T0 - 2 * DAY


def _world(store: Store, n: int = 4) -> tuple[str, list]:
    made = create_world(store, name="History", window_start=T0, window_end=T0 + 365 * DAY, at=OPEN)
    people = [
        join(store, world=made.world, name=f"P{i}", email=f"p{i}@h.example", at=OPEN + i)
        for i in range(n)
    ]
    return made.world, people


def test_b1_every_joiner_is_handed_the_commitment_of_their_round(store: Store) -> None:
    world, people = _world(store)
    published = world_info(store, slug=world).rounds[0]["commitment"]
    assert {p.commitment for p in people} == {published}
    assert people[0].to_json()["commitment"] == published
    assert wrist(store, token=people[0].token, at=OPEN + HOUR).to_json()["commitment"] == published
    exported = export_person(store, token=people[0].token, at=OPEN + HOUR)
    assert exported["wrist"]["commitment"] == published
    seal(store, world=world, at=OPEN + HOUR)
    report = audit_report(transcript_text(store, world=world), commitment=people[0].commitment)
    assert report.ok and report.commitment_checked


def test_b1_history_lists_each_commitment_and_seal_in_order(store: Store) -> None:
    world, _ = _world(store)
    seal(store, world=world, at=OPEN + HOUR)
    info = world_info(store, slug=world)
    kinds = [(h["kind"], h["round"]) for h in info.history]
    assert kinds == [("commitment", 1), ("seal", 1), ("commitment", 2)]
    assert info.history[1]["commitment"] == info.rounds[0]["commitment"]
    prev = ""
    for h in info.history:  # each chain link is recomputable by anyone
        at = None if h["at"] is None else parse_iso(h["at"])
        prev = chain_of(
            prev,
            kind=h["kind"],
            round=h["round"],
            commitment=h["commitment"],
            transcript=h["transcript_sha256"],
            at=at,
        )
        assert h["chain"] == prev


def _redraw(store: Store, world: str) -> None:
    """What an operator with the database would do to draw round 1 again, secretly."""
    with store.transaction() as s:
        row = s.query(WorldRow).filter_by(slug=world).one()
        s.execute(delete(MarkRow).where(MarkRow.world_id == row.id))
        s.execute(delete(RoundRow).where(RoundRow.world_id == row.id, RoundRow.number == 2))
        s.execute(update(PersonRow).where(PersonRow.world_id == row.id).values(round=1))
        s.execute(
            update(RoundRow)
            .where(RoundRow.world_id == row.id, RoundRow.number == 1)
            .values(secret=new_secret().hex(), sealed_at=None, transcript=None, seed=None)
        )
        row.open_round = 1


def test_b1_a_redraw_shows_as_a_second_seal_in_the_history(store: Store) -> None:
    world, _ = _world(store)
    seal(store, world=world, at=OPEN + HOUR)
    first = world_info(store, slug=world).history
    _redraw(store, world)
    seal(store, world=world, at=OPEN + 2 * HOUR)
    history = world_info(store, slug=world).history
    assert history[: len(first)] == first  # nothing before was changed
    seals = [h for h in history if h["kind"] == "seal" and h["round"] == 1]
    assert len(seals) == 2 and seals[0]["transcript_sha256"] != seals[1]["transcript_sha256"]
    # And the new transcript does not audit against the commitment everyone was given.
    again = audit_report(transcript_text(store, world=world), commitment=first[0]["commitment"])
    assert not again.ok


def test_b1_the_history_cannot_be_changed_or_removed(store: Store) -> None:
    world, _ = _world(store)
    seal(store, world=world, at=OPEN + HOUR)
    with pytest.raises(DatabaseError), store.transaction() as s:
        s.execute(update(FateLogRow).values(commitment="0" * 64))
    with pytest.raises(DatabaseError), store.transaction() as s:
        s.execute(delete(FateLogRow))
    assert len(world_info(store, slug=world).history) == 3


def test_b1_a_new_window_shows_the_round_s_new_commitment_in_the_history(store: Store) -> None:
    from soulmark.services.organizer import organizer_window

    made = create_world(store, name="Moved", window_start=T0, window_end=T0 + 365 * DAY, at=OPEN)
    first = world_info(store, slug=made.world).rounds[0]["commitment"]
    organizer_window(
        store,
        token=made.organizer_token,
        window_start="2030-05-01T00:00:00Z",
        window_end="2031-05-01T00:00:00Z",
        at=OPEN + HOUR,
    )
    info = world_info(store, slug=made.world)
    entries = [(h["kind"], h["round"], h["commitment"]) for h in info.history]
    assert entries == [
        ("commitment", 1, first),
        ("commitment", 1, info.rounds[0]["commitment"]),
    ]
    assert first != info.rounds[0]["commitment"]
