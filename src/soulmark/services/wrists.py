"""A bearer's wrist: what they see, looking, reaching out (R1, R5, R6, R8, R10).

The partner's row is read only once the bearer has looked: before that, nothing that
derives from the partner's name is even loaded into this process.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict
from soulmark.core.marks import Mark
from soulmark.core.times import iso
from soulmark.core.validate import clean_contact
from soulmark.core.wrist import STROKES, WristState, wrist_at
from soulmark.services.people import person_by_token, round_commitment
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow

__all__ = [
    "MarkView",
    "WristView",
    "wrist",
    "look",
    "reach_out",
    "withdraw",
    "contact_offer",
    "view_of",
    "waiting",
]

MESSAGES = {
    "bare": "Your wrist is bare.",
    "itching": "Your wrist tingles.",
    "inking": "Ink is rising on your wrist. It cannot be read yet.",
    "covered": "It stopped. A name is ready under the bandage; look whenever you want.",
    "revealed": "The name on your wrist.",
}


@dataclass(frozen=True, kw_only=True)
class MarkView:
    """What a wrist shows, to its bearer or a friend: the world, the state and the ink.
    No ids: a friend's view is exactly this."""

    world: str
    world_name: str
    state: str
    message: str
    progress: float | None = None
    strokes: int | None = None
    strokes_total: int = STROKES
    legible_at: str | None = None
    looked_at: str | None = None
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Only the keys that carry something: absent keys say nothing either."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class WristView(MarkView):
    """A bearer's wrist: the mark, and who and where they are."""

    person: str
    round: int
    sealed: bool
    partner: str | None = None
    reached_out: bool = False
    my_contact: str | None = None
    """What the bearer passes (once they reached out): theirs to take back until both have."""
    contact: str | None = None
    confirmed: bool = True
    """False while a join in an email-domain world waits for its link (it is not drawn)."""
    commitment: str | None = None
    """The commitment of the bearer's round, to audit its transcript against (B1)."""
    left_out: bool = False
    """Fate had no partner for them last round; they wait for the next draw (R9)."""

    @classmethod
    def at_state(cls, state: WristState, waiting: str, **who: Any) -> WristView:
        """The wrist in ``state`` (``waiting``: why an undrawn wrist waits, else empty);
        ``who`` names the bearer, their world and round."""
        return cls(
            state=state.state,
            message=MESSAGES[state.state] + waiting,
            progress=state.progress,
            strokes=state.strokes,
            legible_at=_iso(state.legible_at),
            looked_at=_iso(state.looked_at),
            **who,
        )

    def to_json(self) -> dict[str, Any]:
        """``confirmed`` is left to the caller: the web's twin shows it, the wrist does not."""
        shown = super().to_json()
        del shown["confirmed"]
        return shown


def _iso(us: int | None) -> str | None:
    return iso(us) if us is not None else None


def _mark(s: Session, person: PersonRow) -> MarkRow | None:
    return s.scalars(
        select(MarkRow).where(MarkRow.person_id == person.id, MarkRow.round == person.round)
    ).first()


def _left_out(s: Session, world: WorldRow, person: PersonRow) -> bool:
    return person.round > 1 and person.joined_at < _sealed_before(s, world, person.round)


def waiting(number: int, *, unmatched_before: bool) -> str:
    """What a wrist not yet drawn adds to its message: why it waits (R9)."""
    if unmatched_before:
        return f" Fate left you unmatched last round; you are in round {number}."
    return f" Fate for round {number} has not been sealed yet."


def view_of(s: Session, person: PersonRow, at: int) -> WristView:
    """The bearer's wrist at ``at``, inside an open session."""
    world = s.get_one(WorldRow, person.world_id)
    row = _mark(s, person)
    mark = Mark(row.itch_start, row.ink_start, row.legible_at) if row else None
    state: WristState = wrist_at(mark, at, person.looked_at)
    sealed = row is not None
    left_out = not sealed and _left_out(s, world, person)
    view = WristView.at_state(
        state,
        "" if sealed else waiting(person.round, unmatched_before=left_out),
        left_out=left_out,
        world=world.slug,
        world_name=world.name,
        person=person.pid,
        round=person.round,
        sealed=sealed,
        # Waiting for a link exists only in an email-domain world (see services.wrist_read).
        confirmed=bool(person.confirmed) or not world.email_domain,
        commitment=round_commitment(s, world.id, person.round),
    )
    if state.state != "revealed" or row is None:
        return view
    return _revealed(s, view, person, row)


def _revealed(s: Session, view: WristView, person: PersonRow, row: MarkRow) -> WristView:
    """Only now, the bearer having looked, is the partner's row read (R6)."""
    partner = s.get_one(PersonRow, row.partner_id)
    # Someone who left keeps their name on the partner's wrist, never their contact.
    both = (
        person.reached_out_at is not None
        and partner.reached_out_at is not None
        and partner.left_at is None
        and person.left_at is None
    )
    return replace(
        view,
        name=partner.name,
        partner=partner.pid,
        reached_out=person.reached_out_at is not None,
        my_contact=passed(person.contact, person.email, person.reached_out_at),
        contact=passed(partner.contact, partner.email, partner.reached_out_at) if both else None,
    )


def passed(contact: str | None, email: str, reached_out_at: int | None) -> str | None:
    """The contact a person passes: their choice; their join address for a reach-out made
    before people could choose (it was what reaching out passed then)."""
    if reached_out_at is None:
        return None
    return contact if contact is not None else email


def _sealed_before(s: Session, world: WorldRow, number: int) -> int:
    sealed = s.scalar(
        select(RoundRow.sealed_at).where(
            RoundRow.world_id == world.id, RoundRow.number == number - 1
        )
    )
    return sealed or 0


def wrist(store: Store, *, token: str, at: int) -> WristView:
    with store.read() as s:
        return view_of(s, person_by_token(s, token), at)


def look(store: Store, *, token: str, at: int) -> WristView:
    """Lift the bandage (R8): only once the name is legible; recorded once, never undone."""
    with store.transaction() as s:
        person = person_by_token(s, token, lock=True)
        current = view_of(s, person, at)
        if current.state in ("bare", "itching", "inking"):
            raise Conflict(
                f"there is nothing to read yet: your wrist is {current.state}",
                code="nothing-to-read",
            )
        if person.looked_at is None:
            person.looked_at = at
        return view_of(s, person, max(at, person.looked_at))


def _pair(s: Session, token: str) -> tuple[PersonRow, PersonRow | None]:
    """The bearer and their partner, both locked, lower id first (no deadlock between two
    partners acting at once): whether both reached out is decided under one lock."""
    person = person_by_token(s, token)
    row = _mark(s, person)
    ids = sorted({person.id, row.partner_id} if row else {person.id})
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
    return (
        partner is not None
        and person.reached_out_at is not None
        and partner.reached_out_at is not None
        and partner.left_at is None
    )


def reach_out(store: Store, *, token: str, at: int, contact: str | None = None) -> WristView:
    """Say you would like to meet (R10), passing ``contact`` (your join address if None);
    it reaches them only when both have said so, and can be changed or taken back until then."""
    chosen = clean_contact(contact) if contact is not None else None
    with store.transaction() as s:
        person, partner = _pair(s, token)
        if view_of(s, person, at).state != "revealed":
            raise Conflict("look at your wrist before reaching out", code="look-first-reach")
        if _both(person, partner):
            if chosen is not None and chosen != (person.contact or person.email):
                raise Conflict(
                    "your contact has already been passed on; it cannot change now",
                    code="contact-passed",
                )
            return view_of(s, person, at)
        if chosen is not None:
            person.contact = chosen
        elif person.reached_out_at is None:
            person.contact = person.email
        if person.reached_out_at is None:
            person.reached_out_at = at
        return view_of(s, person, at)


def withdraw(store: Store, *, token: str, at: int) -> WristView:
    """Take back a reach-out: possible until the partner has reached out too (then the
    contact has been passed, and what was passed cannot be unsaid)."""
    with store.transaction() as s:
        person, partner = _pair(s, token)
        if _both(person, partner):
            raise Conflict(
                "you have both reached out: your contact has been passed on", code="contact-passed"
            )
        person.reached_out_at = None
        person.contact = None
        return view_of(s, person, at)


def contact_offer(store: Store, *, token: str) -> str:
    """What the reach-out form offers to pass: the last choice, else the join address."""
    with store.read() as s:
        person = person_by_token(s, token)
        return person.contact or person.email
