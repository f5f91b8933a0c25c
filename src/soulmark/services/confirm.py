"""Joining a world open to one email domain: the join counts once its link is followed.

The joiner gets their wrist link in the browser at once, as in any world; the mail carries
only a one-time confirmation link, never a key to a wrist (see soulmark.notices.compose).
Until the link is followed the person is not ``confirmed`` and sealing leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.core.validate import clean_email, clean_name
from soulmark.services.people import add_person, joining_round, person_by_token
from soulmark.services.tokens import new_token, token_hash
from soulmark.services.worlds import get_world
from soulmark.services.wrists import WristView, view_of
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.web_models import ConfirmationRow

__all__ = [
    "Pending",
    "Confirmed",
    "join_pending",
    "confirm",
    "pending_world",
    "wrist_confirmed",
    "wrist_and_confirmed",
]


@dataclass(frozen=True)
class Pending:
    world: str
    person: str
    name: str
    """Exactly as it will be written on the soulmate's wrist (R11)."""
    email: str
    token: str
    """The wrist token, shown once to the joiner."""
    confirm_token: str
    note: str

    def to_json(self) -> dict[str, Any]:
        """What the joiner may see: never the confirmation token, which goes by mail."""
        return {
            "world": self.world,
            "person": self.person,
            "token": self.token,
            "name": self.name,
            "confirmation": "sent",
            "note": self.note,
        }


_WAITS = "; it waits for the confirmation link we sent there"


def _check_domain(world: WorldRow, email: str) -> None:
    if not world.email_domain:
        raise InvalidInput(f"{world.slug} does not need a confirmation")
    if email.rsplit("@", 1)[1] != world.email_domain:
        raise InvalidInput(f"{world.slug} is open to @{world.email_domain} addresses only")


def _add_pending(
    s: Session, world: WorldRow, name: str, email: str, wrist: str, confirm: str, at: int
) -> str:
    person = add_person(s, world, name=name, email=email, token=wrist, at=at, confirmed=False)
    s.add(ConfirmationRow(person_id=person.id, token_hash=token_hash(confirm), created_at=at))
    return person.pid


def join_pending(store: Store, *, world: str, name: str, email: str, at: int) -> Pending:
    """Record a join that waits for its confirmation link."""
    name, email = clean_name(name), clean_email(email)
    confirm_token, wrist_token = new_token("c"), new_token("w")
    try:
        with store.transaction() as s:
            row = get_world(s, world, share=True)
            _check_domain(row, email)
            person = s.scalars(
                select(PersonRow).where(
                    PersonRow.world_id == row.id, PersonRow.email_key == email.casefold()
                )
            ).first()
            if person is not None:
                # Never re-issue: a second join could otherwise take over a waiting one.
                raise Conflict(
                    f"{email} has already joined {world}{_WAITS * (not person.confirmed)}"
                )
            pid = _add_pending(s, row, name, email, wrist_token, confirm_token, at)
    except IntegrityError:
        raise Conflict(f"{email} has already joined {world}") from None
    note = f"we sent a link to {email}: your join counts once you follow it"
    return Pending(
        world=world,
        person=pid,
        name=name,
        email=email,
        token=wrist_token,
        confirm_token=confirm_token,
        note=note,
    )


def pending_world(store: Store, *, token: str) -> str:
    """The world a confirmation link is for (the page that asks to confirm shows it)."""
    with store.transaction() as s:
        conf = _confirmation(s, token)
        person = s.get_one(PersonRow, conf.person_id)
        return s.get_one(WorldRow, person.world_id).slug


def _confirmation(s: Session, token: str) -> ConfirmationRow:
    row = s.scalars(
        select(ConfirmationRow).where(ConfirmationRow.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise NotFound("no join waits for that confirmation link")
    return row


@dataclass(frozen=True)
class Confirmed:
    world: str
    person: str
    round: int
    note: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def confirm(store: Store, *, token: str, at: int) -> Confirmed:
    """Count the join in the open round, once (a second use is a Conflict)."""
    with store.transaction() as s:
        conf = _confirmation(s, token)
        person = s.get_one(PersonRow, conf.person_id)
        world = get_world(s, s.get_one(WorldRow, person.world_id).slug, share=True)
        if conf.used_at is not None or person.confirmed:
            raise Conflict("this confirmation link has already been used")
        conf.used_at = at
        person.confirmed = True
        # Rounds sealed while the join waited did not include it: it joins the open one
        # (or the next, if the open round's beacon is already due).
        person.round = number = joining_round(s, world, at)
    note = f"your join is confirmed; you are in round {number}"
    return Confirmed(world=world.slug, person=person.pid, round=number, note=note)


def wrist_confirmed(store: Store, *, token: str) -> bool:
    """Whether the join behind a wrist token counts (always, outside email-domain worlds)."""
    with store.transaction() as s:
        return bool(person_by_token(s, token).confirmed)


def wrist_and_confirmed(store: Store, *, token: str, at: int) -> tuple[WristView, bool]:
    """The wrist and whether its join counts, in one transaction: what a poll asks for."""
    with store.transaction() as s:
        person = person_by_token(s, token)
        return view_of(s, person, at), bool(person.confirmed)
