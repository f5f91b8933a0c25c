"""What a bearer does to their wrist: looking, reaching out, taking it back (R8, R10).

Each acts on the rows under a lock, then answers with the wrist as everyone else reads it:
the snapshot of services.wrist_read and its view (services.wrist_view), read in the same
transaction, so it shows what was just written.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict
from soulmark.core.reaching import both_reached_out
from soulmark.core.validate import clean_contact
from soulmark.notices.care import queue_reached
from soulmark.services.bearers import person_by_token
from soulmark.services.wrist_read import snapshot_of_person
from soulmark.services.wrist_view import WristView
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow

__all__ = ["look", "reach_out", "withdraw"]


def _view(s: Session, person: PersonRow, at: int) -> WristView:
    s.flush()
    return snapshot_of_person(s, person_id=person.id, at=at).view(at)


def look(store: Store, *, token: str, at: int) -> WristView:
    """Lift the bandage (R8): only once the name is legible; recorded once, never undone."""
    with store.transaction() as s:
        person = person_by_token(s, token, lock=True, at=at)
        current = _view(s, person, at)
        if current.state in ("bare", "itching", "inking"):
            raise Conflict(
                f"there is nothing to read yet: your wrist is {current.state}",
                code="nothing-to-read",
            )
        if person.looked_at is None:
            person.looked_at = at
        return _view(s, person, max(at, person.looked_at))


def _pair(s: Session, token: str, at: int) -> tuple[PersonRow, PersonRow | None]:
    """The bearer and their partner, both locked, lower id first (no deadlock between two
    partners acting at once): whether both reached out is decided under one lock."""
    person = person_by_token(s, token, at=at)
    partner_id = s.scalar(
        select(MarkRow.partner_id).where(
            MarkRow.person_id == person.id, MarkRow.round == person.round
        )
    )
    ids = sorted({person.id} if partner_id is None else {person.id, partner_id})
    locked = s.scalars(
        select(PersonRow)
        .where(PersonRow.id.in_(ids))
        .order_by(PersonRow.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    partner = next((p for p in locked if p.id != person.id), None)
    return person, partner


def _both(person: PersonRow, partner: PersonRow | None) -> bool:
    if partner is None:
        return False
    left = person.left_at is not None or partner.left_at is not None
    return both_reached_out(person.reached_out_at, partner.reached_out_at, someone_left=left)


def reach_out(store: Store, *, token: str, at: int, contact: str | None = None) -> WristView:
    """Say you would like to meet (R10), passing ``contact`` (your join address if None);
    it reaches them only when both have said so, and can be changed or taken back until then."""
    chosen = clean_contact(contact) if contact is not None else None
    with store.transaction() as s:
        person, partner = _pair(s, token, at)
        current = _view(s, person, at)
        if current.state != "revealed":
            raise Conflict("look at your wrist before reaching out", code="look-first-reach")
        if _both(person, partner):
            if chosen is not None and chosen != (person.contact or person.email):
                raise Conflict(
                    "your contact has already been passed on; it cannot change now",
                    code="contact-passed",
                )
            return current
        if chosen is not None:
            person.contact = chosen
        elif person.reached_out_at is None:
            person.contact = person.email
        if person.reached_out_at is None:
            person.reached_out_at = at
            if _both(person, partner):  # this made it both: each is told, once (issue 19 item 5)
                queue_reached(s, [person, *([partner] if partner else [])], at=at)
        return _view(s, person, at)


def withdraw(store: Store, *, token: str, at: int) -> WristView:
    """Take back a reach-out: possible until the partner has reached out too (then the
    contact has been passed, and what was passed cannot be unsaid)."""
    with store.transaction() as s:
        person, partner = _pair(s, token, at)
        if _both(person, partner):
            raise Conflict(
                "you have both reached out: your contact has been passed on", code="contact-passed"
            )
        person.reached_out_at = None
        person.contact = None
        return _view(s, person, at)
