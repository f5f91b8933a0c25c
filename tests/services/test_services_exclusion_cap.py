"""No set of never-with lists stops a seal (R3): the earliest entries are honoured.

An attacker who holds many wrists of their own (sybils, in an open world) names one person
in each list, every list within its own allowance.  The seal must still draw, and what
anyone is told afterwards must not say who named whom.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from soulmark.core import transcript
from soulmark.core.exclusions import DrawExhausted
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join, seal
from soulmark.services.exclusions import add_exclusion, list_exclusions
from soulmark.services.lifecycle import leave
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow

T0 = parse_iso("2030-04-01T00:00:00Z")
BEFORE = T0 - 2 * DAY


def populate(store: Store, n: int) -> tuple[str, list]:
    made = create_world(
        store, name="Open night", window_start=T0, window_end=T0 + 365 * DAY, at=BEFORE
    )
    people = [
        join(store, world=made.world, name=f"S {i}", email=f"s{i}@ua.example", at=BEFORE)
        for i in range(n)
    ]
    return made.world, people


def partners(store: Store) -> dict[str, str]:
    """email -> partner's email, from the marks (only the test reads these)."""
    with store.transaction() as s:
        email = dict(s.execute(select(PersonRow.id, PersonRow.email)).all())
        return {
            email[a]: email[b] for a, b in s.execute(select(MarkRow.person_id, MarkRow.partner_id))
        }


def test_r3_sybil_lists_all_naming_one_person_cannot_stop_the_seal(store: Store) -> None:
    world, people = populate(store, 12)  # R3: nobody may lose more than (12 - 2) // 2 = 5
    sybils = people[1:8]
    for i, sybil in enumerate(sybils):  # seven wrists, one entry each: all within allowance
        add_exclusion(store, token=sybil.token, email="s0@ua.example", at=BEFORE + i)
    sealed = seal(store, world=world, at=BEFORE + 10)
    assert sealed.people == 12 and sealed.pairs == 6
    told = [list_exclusions(store, token=p.token, at=BEFORE + 10) for p in sybils]
    # The earliest five are honoured, the latest two cannot be: deterministic, latest first.
    assert [t.unhonoured for t in told] == [0, 0, 0, 0, 0, 1, 1]
    assert partners(store)["s0@ua.example"] not in {f"s{i}@ua.example" for i in range(1, 6)}
    # Those who were dropped are told the same thing, and nothing of the others.
    assert told[5].to_json() == told[6].to_json()
    assert told[0].to_json() == list_exclusions(store, token=people[9].token, at=BEFORE).to_json()
    # The named person is told nothing: their view is anyone else's.
    victim = list_exclusions(store, token=people[0].token, at=BEFORE + 10).to_json()
    assert victim == list_exclusions(store, token=people[10].token, at=BEFORE + 10).to_json()


def test_r3_a_dropped_entry_is_told_alike_whatever_dropped_it(store: Store) -> None:
    """A round that shrank below an author's own list drops its latest entry; the author is
    told in the same words as a sybil whose entry others crowded out."""
    world, people = populate(store, 8)
    for i in (1, 2, 3):  # n = 8 allows 3
        add_exclusion(store, token=people[0].token, email=f"s{i}@ua.example", at=BEFORE + i)
    leave(store, token=people[6].token, at=BEFORE + 5)
    leave(store, token=people[7].token, at=BEFORE + 5)  # n = 6 allows 2
    seal(store, world=world, at=BEFORE + 10)
    shrunk = list_exclusions(store, token=people[0].token, at=BEFORE + 10)
    assert shrunk.unhonoured == 1
    assert partners(store)["s0@ua.example"] not in {"s1@ua.example", "s2@ua.example"}

    other, crowd = populate(store, 6)  # allows 2 entries naming s0 of the second world
    for i in (1, 2, 3):
        add_exclusion(store, token=crowd[i].token, email="s0@ua.example", at=BEFORE + i)
    seal(store, world=other, at=BEFORE + 10)
    crowded = list_exclusions(store, token=crowd[3].token, at=BEFORE + 10)
    assert crowded.to_json() == shrunk.to_json()


def test_r3_the_latest_entries_are_dropped_not_the_seal(store: Store) -> None:
    world, people = populate(store, 6)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    add_exclusion(store, token=people[0].token, email="s2@ua.example", at=BEFORE + 1)
    add_exclusion(store, token=people[3].token, email="s0@ua.example", at=BEFORE + 2)
    # s0 would be kept from s1, s2 and s3: 2 partners left of 6, under half (R3).  The
    # latest entry goes; the seal draws.
    seal(store, world=world, at=BEFORE + 10)
    assert list_exclusions(store, token=people[0].token, at=BEFORE + 10).unhonoured == 0
    assert list_exclusions(store, token=people[3].token, at=BEFORE + 10).unhonoured == 1
    assert partners(store)["s0@ua.example"] not in {"s1@ua.example", "s2@ua.example"}


def test_r3_an_authors_own_list_comes_before_lists_naming_them(store: Store) -> None:
    """Sybils naming a person early cannot cancel that person's own list."""
    world, people = populate(store, 8)  # allows 3
    for i in (1, 2, 3):
        add_exclusion(store, token=people[i].token, email="s0@ua.example", at=BEFORE + i)
    add_exclusion(store, token=people[0].token, email="s7@ua.example", at=BEFORE + 9)
    seal(store, world=world, at=BEFORE + 10)
    assert list_exclusions(store, token=people[0].token, at=BEFORE + 10).unhonoured == 0
    assert partners(store)["s0@ua.example"] != "s7@ua.example"
    told = [
        list_exclusions(store, token=people[i].token, at=BEFORE + 10).unhonoured for i in (1, 2, 3)
    ]
    assert told == [0, 0, 1]


def test_r3_lists_that_tip_dense_groups_past_the_bound_are_dropped_not_the_seal(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only dense organizer groups make the draw miss its 65,536 attempts; should lists on
    top of them tip it over, the groups alone are drawn and every entry is dropped."""
    world, people = populate(store, 10)
    with store.transaction() as s:
        s.execute(
            update(PersonRow)
            .where(PersonRow.email.in_(["s8@ua.example", "s9@ua.example"]))
            .values(exclusion_group="house")
        )
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    add_exclusion(store, token=people[2].token, email="s3@ua.example", at=BEFORE + 1)
    real = transcript.hidden_draw

    def tight(
        hidden: bytes, seed: bytes, n: int, excluded: set[int], **kw: object
    ) -> tuple[list[int], bytes, int]:
        if len(excluded) > 1:  # stands in for groups so dense that the lists tip them over
            raise DrawExhausted("no allowed pairing came up")
        return real(hidden, seed, n, excluded)

    monkeypatch.setattr(transcript, "hidden_draw", tight)
    sealed = seal(store, world=world, at=BEFORE + 10)
    assert sealed.pairs == 5
    assert partners(store)["s8@ua.example"] != "s9@ua.example"
    for token in (people[0].token, people[2].token):
        assert list_exclusions(store, token=token, at=BEFORE + 10).unhonoured == 1
