"""Joining a world (R9, R11, B6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.core.validate import clean_email, clean_name
from soulmark.services.tokens import new_pid, new_token, token_hash
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.models import PersonRow, RoundRow, WorldRow

__all__ = [
    "Joined",
    "add_person",
    "join",
    "joining_round",
    "person_by_token",
    "roster_frozen",
]


@dataclass(frozen=True)
class Joined:
    world: str
    person: str
    token: str
    name: str
    """Exactly as it will be written on the soulmate's wrist (R11)."""
    round: int
    note: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _check_domain(world: WorldRow, email: str) -> None:
    if world.email_domain and email.rsplit("@", 1)[1] != world.email_domain:
        raise InvalidInput(f"{world.slug} is open to @{world.email_domain} addresses only")


def join(store: Store, *, world: str, name: str, email: str, at: int) -> Joined:
    """Add a person to the world's open round; durable once this returns."""
    name = clean_name(name)
    email = clean_email(email)
    token = new_token("w")
    try:
        with store.transaction() as s:
            row = get_world(s, world, share=True)
            _check_domain(row, email)
            open_number = row.open_round
            person = add_person(s, row, name=name, email=email, token=token, at=at)
            number = person.round
    except IntegrityError:
        raise Conflict(f"{email} has already joined {world}") from None
    if number > open_number:
        note = (
            f"joins for round {open_number} closed when its beacon was due: "
            f"you wait for round {number}"
        )
    elif number > 1:
        note = f"fate for round {number - 1} is already sealed: you wait for round {number}"
    else:
        note = f"you are in round {number}; fate has not been sealed yet"
    return Joined(world=world, person=person.pid, token=token, name=name, round=number, note=note)


def add_person(
    s: Session,
    world: WorldRow,
    *,
    name: str,
    email: str,
    token: str,
    at: int,
    confirmed: bool = True,
) -> PersonRow:
    """Insert a joiner into the round they join (see :func:`joining_round`)."""
    person = PersonRow(
        world_id=world.id,
        pid=new_pid(),
        name=name,
        email=email,
        email_key=email.casefold(),
        token_hash=token_hash(token),
        round=joining_round(s, world, at),
        confirmed=confirmed,
        joined_at=at,
    )
    s.add(person)
    s.flush()
    return person


def joining_round(session: Session, world: WorldRow, at: int) -> int:
    """The open round, unless it waits for a beacon that is due: then its roster is closed."""
    open_row = session.scalars(
        select(RoundRow).where(RoundRow.world_id == world.id, RoundRow.number == world.open_round)
    ).one()
    beacon = open_row.beacon
    if beacon is not None and at >= beacon.published_at:
        return world.open_round + 1
    return world.open_round


def roster_frozen(session: Session, person: PersonRow, at: int) -> bool:
    """Whether ``person`` is fixed in their round's roster: its beacon is due (B1).

    From then on anyone may know the beacon, so removing a joiner would let whoever removes
    them choose among draws; only a confirmed joiner is in the roster at all.
    """
    if not person.confirmed:
        return False
    row = session.scalars(
        select(RoundRow).where(
            RoundRow.world_id == person.world_id, RoundRow.number == person.round
        )
    ).first()
    beacon = row.beacon if row is not None else None
    return (
        beacon is not None
        and row is not None
        and row.sealed_at is None
        and at >= beacon.published_at
    )


def person_by_token(session: Session, token: str, *, lock: bool = False) -> PersonRow:
    query = select(PersonRow).where(PersonRow.token_hash == token_hash(token))
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFound("no wrist has that token")
    return row
