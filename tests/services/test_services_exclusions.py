"""Private exclusions through the services (R3, B1, B6): kept, frozen at seal, drawn around."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from soulmark.core.audit import audit, load_transcript
from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.private_exclusions import PRIVATE, check_entry
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join, seal, transcript_text
from soulmark.services.exclusions import add_exclusion, list_exclusions, remove_exclusion
from soulmark.services.lifecycle import export_person, leave
from soulmark.services.receipts import own_receipts
from soulmark.store import Store
from soulmark.store.models import ExclusionRow, MarkRow, PersonRow, ReceiptRow, RoundRow

T0 = parse_iso("2030-04-01T00:00:00Z")
END = T0 + 365 * DAY
BEFORE = T0 - 2 * DAY


def populate(store: Store, n: int) -> tuple[str, list]:
    created = create_world(store, name="Never with", window_start=T0, window_end=END, at=BEFORE)
    people = [
        join(store, world=created.world, name=f"Student {i}", email=f"s{i}@ua.example", at=BEFORE)
        for i in range(n)
    ]
    return created.world, people


def pids_by_email(store: Store) -> dict[str, str]:
    with store.transaction() as s:
        return {email: pid for email, pid in s.execute(select(PersonRow.email, PersonRow.pid))}


def test_r3_own_list_is_kept_listed_and_removed_before_the_seal(store: Store) -> None:
    _, people = populate(store, 10)
    token = people[0].token
    add_exclusion(store, token=token, email="S1@UA.example", at=BEFORE)
    add_exclusion(store, token=token, email="nobody@elsewhere.example", at=BEFORE)
    again = add_exclusion(store, token=token, email="s1@ua.example", at=BEFORE)
    assert [a.casefold() for a in again.addresses] == ["nobody@elsewhere.example", "s1@ua.example"]
    assert list_exclusions(store, token=token, at=BEFORE).addresses == again.addresses
    after = remove_exclusion(store, token=token, email="s1@ua.example", at=BEFORE)
    assert after.addresses == ["nobody@elsewhere.example"]
    # The named person's own list says nothing of it.
    assert list_exclusions(store, token=people[1].token, at=BEFORE).addresses == []


def test_r3_an_unknown_address_is_answered_like_a_member(store: Store) -> None:
    _, people = populate(store, 10)
    member = add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    stranger = add_exclusion(store, token=people[2].token, email="zz@ua.example", at=BEFORE)
    assert member.to_json().keys() == stranger.to_json().keys()
    assert member.frozen is stranger.frozen is False


def test_r3_at_most_three_and_never_yourself(store: Store) -> None:
    _, people = populate(store, 20)
    token = people[0].token
    for i in (1, 2, 3):
        add_exclusion(store, token=token, email=f"s{i}@ua.example", at=BEFORE)
    with pytest.raises(InvalidInput, match="at most 3"):
        add_exclusion(store, token=token, email="s4@ua.example", at=BEFORE)
    with pytest.raises(InvalidInput, match="your own"):
        add_exclusion(store, token=people[5].token, email="s5@ua.example", at=BEFORE)


def test_r3_a_small_round_refuses_a_list_that_would_leave_under_half(store: Store) -> None:
    _, people = populate(store, 4)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    with pytest.raises(InvalidInput, match="at most 1") as refused:
        add_exclusion(store, token=people[0].token, email="unknown@ua.example", at=BEFORE)
    assert "s1" not in str(refused.value) and "@" not in str(refused.value)


def test_r3_seal_draws_around_exclusions_and_the_transcript_audits(store: Store) -> None:
    world, people = populate(store, 12)
    for i in range(0, 12, 2):
        add_exclusion(store, token=people[i].token, email=f"s{i + 1}@ua.example", at=BEFORE)
    sealed = seal(store, world=world, at=BEFORE)
    assert sealed.attempts == 1, "the number of hidden draws is not told"
    doc = load_transcript(transcript_text(store, world=world))
    assert audit(doc) == []
    # Version 2 (issue 22): one commitment per entry, the pairs themselves nowhere.
    assert doc["algorithm"] == PRIVATE and "exclusions" not in doc and "attempt" not in doc
    assert len(doc["exclusion_commitments"]) == 6
    pid = pids_by_email(store)
    excluded = {
        tuple(sorted((pid[f"s{i}@ua.example"], pid[f"s{i + 1}@ua.example"])))
        for i in range(0, 12, 2)
    }
    drawn = {tuple(sorted((a, b))) for a, b, *_ in doc["lines"] if b is not None}
    assert not drawn & excluded
    again = seal(store, world=world, round=1, at=BEFORE)  # B6
    assert again.already and again.seed == sealed.seed


def test_r3_a_round_without_exclusions_seals_with_one_attempt(store: Store) -> None:
    world, _ = populate(store, 6)
    assert seal(store, world=world, at=BEFORE).attempts == 1
    doc = json.loads(transcript_text(store, world=world))
    assert "exclusions" not in doc and "attempt" not in doc


def test_r3_after_the_seal_the_list_is_frozen_and_hidden(store: Store) -> None:
    world, people = populate(store, 10)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    seal(store, world=world, at=BEFORE)
    shown = list_exclusions(store, token=people[0].token, at=BEFORE)
    assert shown.frozen and shown.addresses == []
    with pytest.raises(Conflict, match="frozen"):
        add_exclusion(store, token=people[0].token, email="s2@ua.example", at=BEFORE)
    with pytest.raises(Conflict, match="frozen"):
        remove_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)


def test_r3_organizer_groups_that_cannot_be_drawn_refuse_the_seal_with_nothing_written(
    store: Store,
) -> None:
    """Participants' lists never stop a seal (tests/services/test_services_exclusion_cap.py);
    the organizer's own groups still can, and the refusal says they are the cause."""
    world, _ = populate(store, 6)
    with store.transaction() as s:  # the organizer's CSV put four of six in one household
        s.execute(
            update(PersonRow)
            .where(PersonRow.email.in_([f"s{i}@ua.example" for i in range(4)]))
            .values(exclusion_group="house")
        )
    with pytest.raises(Conflict, match="groups") as refused:
        seal(store, world=world, at=BEFORE)
    assert refused.value.code == "seal-groups-tight"
    assert "s0" not in str(refused.value) and "@" not in str(refused.value)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(MarkRow)) == 0
        row = s.scalars(select(RoundRow).where(RoundRow.number == 1)).one()
        assert row.sealed_at is None and row.transcript is None and row.attempts is None


def test_r3_leaving_before_the_seal_takes_your_list_with_you(store: Store) -> None:
    _, people = populate(store, 10)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    assert leave(store, token=people[0].token, at=BEFORE)["removed"]
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ExclusionRow)) == 0


def test_r3_your_export_holds_your_list_until_the_seal(store: Store) -> None:
    world, people = populate(store, 10)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    mine = export_person(store, token=people[0].token, at=BEFORE)["never_with"]
    assert mine["addresses"] == ["s1@ua.example"]
    theirs = export_person(store, token=people[1].token, at=BEFORE)
    assert "s0@ua.example" not in str(theirs) and theirs["never_with"]["addresses"] == []
    seal(store, world=world, at=BEFORE)
    assert export_person(store, token=people[0].token, at=BEFORE)["never_with"]["frozen"]


def test_b1_each_author_finds_their_own_entries_with_their_receipts(store: Store) -> None:
    world, people = populate(store, 10)
    add_exclusion(store, token=people[0].token, email="S1@ua.example", at=BEFORE)
    add_exclusion(store, token=people[0].token, email="ghost@elsewhere.example", at=BEFORE)
    add_exclusion(store, token=people[2].token, email="s3@ua.example", at=BEFORE)
    before = own_receipts(store, token=people[0].token)
    assert before.receipts == [], "no receipt before the seal"
    seal(store, world=world, at=BEFORE)
    doc = load_transcript(transcript_text(store, world=world))
    assert audit(doc) == [] and len(doc["exclusion_commitments"]) == 3
    mine = own_receipts(store, token=people[0].token)
    assert mine.person == people[0].person and len(mine.receipts) == 2
    # An address that joined and one that did not are received alike (nothing tells which).
    assert {r["round"] for r in mine.receipts} == {1}
    for address in ("S1@ua.example", "ghost@elsewhere.example"):
        checks = [
            check_entry(doc, author=mine.person, address=address, salt=r["salt"])
            for r in mine.receipts
        ]
        assert checks.count(None) == 1, (address, checks)
    assert own_receipts(store, token=people[1].token).receipts == [], "the named are told nothing"
    leave(store, token=people[0].token, at=BEFORE)
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ReceiptRow)) == 1
