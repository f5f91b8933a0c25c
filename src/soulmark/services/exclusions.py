"""Private exclusions, "never with" (R3): set, list and remove your own before the seal.

A participant names up to :data:`MAX_EXCLUSIONS` people by the address they joined with.
Nothing here reveals whether an address belongs to the world: an unknown address is kept
like any other (it applies if that person joins later), and every answer depends only on
what the author already knows — their own list and the size of their round.  The named
person is never told.  Once the author's round is sealed, or its roster has closed for a
beacon, the list is frozen; after the seal it is hidden, from its author too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.looks import email_key
from soulmark.core.validate import clean_email
from soulmark.services.people import joining_round, person_by_token
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


def _frozen(s: Session, person: PersonRow, at: int) -> bool:
    world = s.get_one(WorldRow, person.world_id)
    return person.round != world.open_round or joining_round(s, world, at) != world.open_round


def view(s: Session, person: PersonRow, at: int) -> Exclusions:
    if _frozen(s, person, at):
        return Exclusions(addresses=[], limit=MAX_EXCLUSIONS, frozen=True)
    rows = s.scalars(
        select(ExclusionRow.email)
        .where(ExclusionRow.person_id == person.id)
        .order_by(ExclusionRow.email_key)
    ).all()
    return Exclusions(addresses=list(rows), limit=MAX_EXCLUSIONS, frozen=False)


def _editable(s: Session, token: str, at: int) -> PersonRow:
    person = person_by_token(s, token, lock=True)
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
    with store.transaction() as s:
        return view(s, person_by_token(s, token), at)


def round_exclusions(s: Session, world: WorldRow, number: int) -> list[tuple[str, str]]:
    """The excluded pairs of opaque ids in round ``number``'s roster, for its seal."""
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
    return _pairs(s, world, people)


def _pairs(
    s: Session, world: WorldRow, people: Iterable[tuple[int, str, str, str | None]]
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
    for person_id, key in s.execute(
        select(ExclusionRow.person_id, ExclusionRow.email_key).where(
            ExclusionRow.world_id == world.id
        )
    ):
        author, named = by_id.get(person_id), by_key.get(key)
        if author is not None and named is not None:
            pairs.append((author, named))
    for members in groups.values():
        pairs.extend(combinations(members, 2))
    return pairs
