"""Following a confirmation link: a join in an email-domain world then counts.

The join itself, and the link it mails, are :func:`soulmark.services.joins.join`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict
from soulmark.services.joins import joining_round
from soulmark.services.looks import check_look, is_look_clash, lookalike
from soulmark.services.results import Result
from soulmark.services.tokens import by_token
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.link_models import ConfirmationRow
from soulmark.store.models import PersonRow, WorldRow

__all__ = [
    "Confirmed",
    "confirm",
    "pending_world",
]


def pending_world(store: Store, *, token: str) -> str:
    """The world a confirmation link is for (the page that asks to confirm shows it)."""
    with store.transaction() as s:
        conf = _confirmation(s, token)
        person = s.get_one(PersonRow, conf.person_id)
        return s.get_one(WorldRow, person.world_id).slug


def _confirmation(s: Session, token: str) -> ConfirmationRow:
    missing = "no join waits for that confirmation link"
    row: ConfirmationRow = by_token(
        s, ConfirmationRow.token_hash, token, missing=missing, code="confirmation-unknown"
    )
    return row


@dataclass(frozen=True)
class Confirmed(Result):
    world: str
    person: str
    round: int
    note: str


def confirm(store: Store, *, token: str, at: int) -> Confirmed:
    """Count the join in the open round, once (a second use is a Conflict).

    The link is spent by one conditional UPDATE, so of concurrent uses exactly one counts:
    the others wait on the row's lock and then find it used.  The name takes its look only
    now: if someone with a look-alike name got in meanwhile, the link is refused and stays
    unused (the transaction rolls back), so the joiner can change their name and follow it.
    """
    try:
        with store.transaction() as s:
            conf = _confirmation(s, token)
            person = s.get_one(PersonRow, conf.person_id)
            world = get_world(s, s.get_one(WorldRow, person.world_id).slug, share=True)
            spent = s.scalar(
                update(ConfirmationRow)
                .where(ConfirmationRow.id == conf.id, ConfirmationRow.used_at.is_(None))
                .values(used_at=at)
                .returning(ConfirmationRow.id)
            )
            s.refresh(person, with_for_update=True)
            if spent is None or person.confirmed:
                raise Conflict(
                    "this confirmation link has already been used", code="confirmation-used"
                )
            person.look_key = check_look(s, world.id, person.name, person_id=person.id)
            person.confirmed = True
            # Rounds sealed while the join waited did not include it: it joins the open one
            # (or the next, if the open round's beacon is already due).
            person.round = number = joining_round(s, world, at)
    except IntegrityError as exc:
        if is_look_clash(exc):
            raise lookalike() from None
        raise
    note = f"your join is confirmed; you are in round {number}"
    return Confirmed(world=world.slug, person=person.pid, round=number, note=note)
