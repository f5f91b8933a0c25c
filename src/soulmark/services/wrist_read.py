"""Reading a wrist in one query: a snapshot that gives the wrist at any moment (B3).

``GET /api/wrist`` and the live streams read here.  Everything a wrist shows except the
clock is loaded by a single SELECT; the view at a moment is then a pure function of that
snapshot and the moment, so a stream can keep its snapshot until somebody acts (a look, a
reach-out, a seal...) and work out every other change from the mark alone.

The partner's row is joined only once the bearer has looked: before that, nothing derived
from the partner's name is loaded into this process (R6).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from soulmark.core.errors import NotFound
from soulmark.core.marks import Mark
from soulmark.core.wrist import next_change, wrist_at
from soulmark.services.tokens import token_hash
from soulmark.services.wrists import WristView, passed, waiting
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow
from soulmark.store.quick import Prepared

__all__ = [
    "WristSnapshot",
    "snapshot",
    "snapshot_by_hash",
    "snapshot_of_person",
]


@dataclass(frozen=True)
class WristSnapshot:
    """A wrist without its clock.  ``person_id``, ``partner_id`` and ``world_id`` are internal
    ids (which streams to wake); they are never shown."""

    person_id: int
    world_id: int
    partner_id: int | None
    world: str
    world_name: str
    person: str
    round: int
    confirmed: bool
    mark: Mark | None
    looked_at: int | None
    reached_out_at: int | None
    my_contact: str | None
    """What the bearer passes, once they reached out."""
    unmatched_before: bool
    """Joined before the previous round was sealed: fate left them unmatched (R9)."""
    partner_name: str | None = None
    partner_pid: str | None = None
    contact: str | None = None
    commitment: str | None = None
    """The bearer's round's published commitment, to audit its transcript against (B1)."""

    def view(self, at: int) -> WristView:
        state = wrist_at(self.mark, at, self.looked_at)
        view = WristView.at_state(
            state,
            "" if self.mark else waiting(self.round, unmatched_before=self.unmatched_before),
            left_out=self.mark is None and self.unmatched_before,
            world=self.world,
            world_name=self.world_name,
            person=self.person,
            round=self.round,
            sealed=self.mark is not None,
            confirmed=self.confirmed,
            commitment=self.commitment,
        )
        if state.state != "revealed" or self.partner_name is None:
            return view
        return replace(
            view,
            name=self.partner_name,
            partner=self.partner_pid,
            reached_out=self.reached_out_at is not None,
            my_contact=self.my_contact,
            contact=self.contact,
        )

    def next_change(self, at: int) -> int | None:
        """When the clock alone next changes :meth:`json` (None: not any more)."""
        return next_change(self.mark, at, self.looked_at)


_partner = aliased(PersonRow)
_previous = aliased(RoundRow)
_current = aliased(RoundRow)


# Only a world open to one email domain has joins waiting for a mailed link: elsewhere a
# bearer is never shown as waiting (a join answered for an address that had joined is a
# stand-in that waits for nothing, and must read as any new join does: services.people).
_SHOWN_CONFIRMED = or_(
    PersonRow.confirmed.is_(True), func.coalesce(WorldRow.email_domain, "") == ""
)

_COLUMNS = (
    PersonRow.id,
    PersonRow.world_id,
    PersonRow.pid,
    PersonRow.round,
    _SHOWN_CONFIRMED,
    PersonRow.joined_at,
    PersonRow.looked_at,
    PersonRow.reached_out_at,
    PersonRow.left_at,
    PersonRow.contact,
    PersonRow.email,
    WorldRow.slug,
    WorldRow.name,
    MarkRow.itch_start,
    MarkRow.ink_start,
    MarkRow.legible_at,
    MarkRow.partner_id,
    _previous.sealed_at,
    _partner.pid,
    _partner.name,
    _partner.email,
    _partner.contact,
    _partner.reached_out_at,
    _partner.left_at,
    _current.commitment,
)
"""What a snapshot is made of, in the order :func:`_snapshot` unpacks it."""


def _query(where: ColumnElement[bool], at: Any) -> Any:
    me = PersonRow
    return (
        select(*_COLUMNS)
        .join(WorldRow, WorldRow.id == me.world_id)
        .outerjoin(MarkRow, and_(MarkRow.person_id == me.id, MarkRow.round == me.round))
        .outerjoin(_current, and_(_current.world_id == me.world_id, _current.number == me.round))
        .outerjoin(
            _previous, and_(_previous.world_id == me.world_id, _previous.number == me.round - 1)
        )
        # The name is read only for a bearer who has looked by ``at``.
        .outerjoin(
            _partner,
            and_(_partner.id == MarkRow.partner_id, me.looked_at.is_not(None), me.looked_at <= at),
        )
        .where(where)
    )


# The poll's query, compiled once: a poll runs it on a bare connection (soulmark.store.quick).
_BY_TOKEN = Prepared(
    _query(PersonRow.token_hash == bindparam("token_hash"), bindparam("at")),
    {"token_hash": "", "at": 0},
)


def _snapshot(row: Row[Any] | tuple[Any, ...]) -> WristSnapshot:
    values: tuple[Any, ...] = tuple(row)
    (pk, world_id, pid, number, confirmed, joined, looked, reached, left) = values[:9]
    my_contact, my_email = values[9:11]
    slug, world_name, itch, ink, legible, partner_id, sealed_before = values[11:18]
    q_pid, q_name, q_email, q_contact, q_reached, q_left, commitment = values[18:]
    both = reached is not None and q_reached is not None and q_left is None and left is None
    return WristSnapshot(
        person_id=pk,
        world_id=world_id,
        partner_id=partner_id,
        world=slug,
        world_name=world_name,
        person=pid,
        round=number,
        confirmed=bool(confirmed),
        mark=Mark(itch, ink, legible) if itch is not None else None,
        looked_at=looked,
        reached_out_at=reached,
        my_contact=passed(my_contact, my_email, reached),
        unmatched_before=number > 1 and joined < (sealed_before or 0),
        partner_name=q_name,
        partner_pid=q_pid,
        # Someone who left keeps their name on the partner's wrist, never their contact.
        contact=passed(q_contact, q_email, q_reached) if both and q_name is not None else None,
        commitment=commitment,
    )


def _one(s: Session, where: ColumnElement[bool], at: int) -> WristSnapshot:
    row = s.execute(_query(where, at)).first()
    if row is None:
        raise NotFound("no wrist has that token", code="wrist-unknown")
    return _snapshot(row)


def snapshot(store: Store, *, token: str, at: int) -> WristSnapshot:
    """The wrist behind ``token``, as of ``at``: one SELECT, no transaction, no ORM."""
    return snapshot_by_hash(store, key=token_hash(token), at=at)


def snapshot_by_hash(store: Store, *, key: str, at: int) -> WristSnapshot:
    """The same, for a token already hashed (soulmark.services.tokens.token_hash)."""
    row = _BY_TOKEN.first(store.reads, token_hash=key, at=at)
    if row is None:
        raise NotFound("no wrist has that token", code="wrist-unknown")
    return _snapshot(row)


def snapshot_of_person(s: Session, *, person_id: int, at: int) -> WristSnapshot:
    """The same, inside an open session, for a person found another way (a share link)."""
    return _one(s, PersonRow.id == person_id, at)
