"""Private exclusions, "never with" (R3): set, list and remove your own before the seal.

A participant names up to :data:`MAX_EXCLUSIONS` people by the address they joined with.
Nothing here reveals whether an address belongs to the world: an unknown address is kept
like any other (it applies if that person joins later), and every answer depends only on
what the author already knows — their own list and the size of their round.  The named
person is never told.  Once the author's round is sealed, or its roster has closed for a
beacon, the list is frozen; after the seal it is hidden, from its author too.

A change to a list takes the lock the seal takes (the world's row, shared, then the
author's; SQLite's one write lock), so it either lands before the seal reads the lists or
waits for the seal and finds the list frozen: an acknowledged change is always in the draw.
No set of lists stops a seal: the draw honours the earliest entries R3 allows
(soulmark.core.honour), and an author whose entry it could not honour is told so, after
the seal, in words that name nobody.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.core.exclusions import refusal
from soulmark.core.honour import Entry, honoured
from soulmark.core.looks import email_key
from soulmark.core.validate import clean_email
from soulmark.services.bearers import person_by_token
from soulmark.services.joins import joining_round
from soulmark.services.results import Result
from soulmark.store import Store
from soulmark.store.models import ExclusionRow, PersonRow, WorldRow

__all__ = [
    "MAX_EXCLUSIONS",
    "Exclusions",
    "add_exclusion",
    "list_exclusions",
    "remove_exclusion",
    "round_exclusions",
]

MAX_EXCLUSIONS = 3


@dataclass(frozen=True)
class Exclusions(Result):
    """The bearer's own list, as only they may see it."""

    addresses: list[str]
    limit: int
    frozen: bool
    """Sealed (or closed for a beacon): the list can no longer change, and is not shown."""
    unhonoured: int
    """After the seal: how many of the author's entries its draw could not honour (R3)."""


def _frozen(s: Session, person: PersonRow, at: int) -> bool:
    world = s.get_one(WorldRow, person.world_id)
    return person.round != world.open_round or joining_round(s, world, at) != world.open_round


def _unhonoured(s: Session, person: PersonRow) -> int:
    """The author's entries that their round's draw dropped: a count, never which or why."""
    return int(
        s.scalar(
            select(func.count())
            .select_from(ExclusionRow)
            .where(ExclusionRow.person_id == person.id, ExclusionRow.dropped_in == person.round)
        )
        or 0
    )


def view(s: Session, person: PersonRow, at: int) -> Exclusions:
    if _frozen(s, person, at):
        return Exclusions(
            addresses=[], limit=MAX_EXCLUSIONS, frozen=True, unhonoured=_unhonoured(s, person)
        )
    rows = s.scalars(
        select(ExclusionRow.email)
        .where(ExclusionRow.person_id == person.id)
        .order_by(ExclusionRow.email_key)
    ).all()
    return Exclusions(addresses=list(rows), limit=MAX_EXCLUSIONS, frozen=False, unhonoured=0)


def lock_lists(s: Session, token: str, at: int | None = None) -> PersonRow:
    """The bearer of ``token``, locked as the seal locks: their world's row, then theirs.

    The seal holds the world's row exclusively from before it reads the lists until it
    commits; sharing it here makes a change wait for a seal under way (then it finds the
    list frozen) and a seal wait for a change under way (then it reads it).  The same order
    as the seal's (world, then people) cannot deadlock.  SQLite's BEGIN IMMEDIATE already
    serialises every writer.  Rows are read again under the locks: the seal may have moved
    the round on meanwhile.
    """
    found = person_by_token(s, token, at=at)
    fresh = {"populate_existing": True}
    s.scalars(
        select(WorldRow)
        .where(WorldRow.id == found.world_id)
        .with_for_update(read=True)
        .execution_options(**fresh)
    ).one()
    person = s.scalars(
        select(PersonRow)
        .where(PersonRow.id == found.id)
        .with_for_update()
        .execution_options(**fresh)
    ).first()
    if person is None:  # left meanwhile
        raise NotFound("no wrist has that token", code="wrist-unknown")
    return person


def _editable(s: Session, token: str, at: int) -> PersonRow:
    person = lock_lists(s, token, at)
    if _frozen(s, person, at):
        raise Conflict(
            "your never-with list is frozen: fate for your round is sealed or closed",
            code="exclusions-frozen",
        )
    return person


def _check_room(s: Session, person: PersonRow, named: int) -> None:
    """R3 as far as the author can see it: their own list and group against the round size.

    The whole rule (everyone's lists, resolved) is checked again at seal; checking it here
    would tell the author whether an address is in the world, or that others named them.
    """
    size = s.scalar(
        select(func.count())
        .select_from(PersonRow)
        .where(PersonRow.world_id == person.world_id, PersonRow.round == person.round)
    )
    n = max(int(size or 0), 1)
    household = 0
    if person.exclusion_group is not None:
        household = (
            int(
                s.scalar(
                    select(func.count())
                    .select_from(PersonRow)
                    .where(
                        PersonRow.world_id == person.world_id,
                        PersonRow.round == person.round,
                        PersonRow.exclusion_group == person.exclusion_group,
                    )
                )
                or 1
            )
            - 1
        )
    room = max((n - 2) // 2 - household, 0)  # keeps 2 * (n - 1 - named) >= n
    if named > room:
        raise InvalidInput(
            f"with {n} people in your round so far you may name at most {room}: "
            "everyone keeps at least half of the round as possible partners (R3)",
            code="exclusions-room",
            n=n,
            room=room,
        )


def add_exclusion(store: Store, *, token: str, email: str, at: int) -> Exclusions:
    """Never be paired with whoever joined (or joins) with ``email``."""
    address = clean_email(email)
    key = email_key(address)
    with store.transaction() as s:
        person = _editable(s, token, at)
        if key == person.email_key:
            raise InvalidInput("that is your own address", code="exclusion-self")
        keys = set(
            s.scalars(select(ExclusionRow.email_key).where(ExclusionRow.person_id == person.id))
        )
        if key not in keys:
            if len(keys) >= MAX_EXCLUSIONS:
                raise InvalidInput(
                    f"you may name at most {MAX_EXCLUSIONS} people",
                    code="exclusions-too-many",
                    n=MAX_EXCLUSIONS,
                )
            _check_room(s, person, len(keys) + 1)
            s.add(
                ExclusionRow(
                    world_id=person.world_id,
                    person_id=person.id,
                    email=address,
                    email_key=key,
                    created_at=at,
                )
            )
            s.flush()
        return view(s, person, at)


def remove_exclusion(store: Store, *, token: str, email: str, at: int) -> Exclusions:
    """Take ``email`` off your list (a no-op when it is not on it)."""
    key = email_key(clean_email(email))
    with store.transaction() as s:
        person = _editable(s, token, at)
        s.execute(
            delete(ExclusionRow).where(
                ExclusionRow.person_id == person.id, ExclusionRow.email_key == key
            )
        )
        return view(s, person, at)


def list_exclusions(store: Store, *, token: str, at: int) -> Exclusions:
    with store.read() as s:
        return view(s, person_by_token(s, token, at=at), at)


def round_exclusions(
    s: Session, world: WorldRow, number: int, *, lists: bool = True
) -> list[tuple[str, str]]:
    """The excluded pairs of opaque ids in round ``number``'s roster, for its seal.

    Called under the seal's lock.  Marks each list entry the draw cannot honour
    (``dropped_in``; every entry, without ``lists``); refuses only when the organizer's
    groups alone cannot be drawn.
    """
    in_round = (
        PersonRow.world_id == world.id,
        PersonRow.round == number,
        PersonRow.confirmed.is_(True),
    )
    named = s.scalar(select(ExclusionRow.id).where(ExclusionRow.world_id == world.id).limit(1))
    grouped = s.scalar(
        select(PersonRow.id).where(*in_round, PersonRow.exclusion_group.is_not(None)).limit(1)
    )
    if named is None and grouped is None:
        return []  # the common case costs two indexed look-ups, nothing more
    people = s.execute(
        select(PersonRow.id, PersonRow.pid, PersonRow.email_key, PersonRow.exclusion_group).where(
            *in_round
        )
    )
    return _pairs(s, world, number, people, lists)


def _pairs(
    s: Session,
    world: WorldRow,
    number: int,
    people: Iterable[tuple[int, str, str, str | None]],
    lists: bool,
) -> list[tuple[str, str]]:
    """The excluded pairs of opaque ids among ``people`` (id, pid, email_key, group)."""
    by_id: dict[int, str] = {}
    by_key: dict[str, str] = {}
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for row_id, pid, key, group in people:
        by_id[row_id] = pid
        by_key[key] = pid
        if group is not None:
            groups[group].append(pid)
    pairs: list[tuple[str, str]] = []
    for members in groups.values():
        pairs.extend(combinations(members, 2))
    _check_groups(sorted(by_id.values()), pairs)
    entries = _entries(s, world, by_id)
    grouped = {pid: len(members) - 1 for members in groups.values() for pid in members}
    kept = honoured(len(by_id), entries, by_key, grouped) if lists else set()
    _mark_dropped(s, number, [e.id for e in entries if e.id not in kept])
    pairs.extend((e.author, by_key[e.named]) for e in entries if e.id in kept and e.named in by_key)
    return pairs


def _check_groups(roster: list[str], pairs: list[tuple[str, str]]) -> None:
    """The organizer's groups are drawn whole or the seal refuses: that one is theirs to fix."""
    if pairs and refusal(roster, pairs) is not None:
        raise Conflict(
            "the organizer's exclusion groups leave someone fewer than half of the round as "
            "possible partners, or no pairing at all: change the groups; nothing was sealed",
            code="seal-groups-tight",
        )


def _entries(s: Session, world: WorldRow, by_id: dict[int, str]) -> list[Entry]:
    """The roster's list entries, earliest first (ties: the order they were written in)."""
    rows = s.execute(
        select(ExclusionRow.id, ExclusionRow.person_id, ExclusionRow.email_key)
        .where(ExclusionRow.world_id == world.id)
        .order_by(ExclusionRow.created_at, ExclusionRow.id)
    )
    return [
        Entry(entry_id, by_id[author], key) for entry_id, author, key in rows if author in by_id
    ]


def _mark_dropped(s: Session, number: int, ids: list[int]) -> None:
    for start in range(0, len(ids), 10_000):  # within every backend's bound on parameters
        s.execute(
            update(ExclusionRow)
            .where(ExclusionRow.id.in_(ids[start : start + 10_000]))
            .values(dropped_in=number)
        )
