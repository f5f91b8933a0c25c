"""Reading a wrist in one query: the snapshot every view of a wrist is built from (B3).

The page, the CLI, every answer to a POST, ``GET /api/wrist`` and the live streams read
here.  Everything a wrist shows except the clock is loaded by a single SELECT; the view at a
moment is then a pure function of that snapshot and the moment (services.wrist_view), so a
stream can keep its snapshot until somebody acts (a look, a reach-out, a seal...) and work out
every other change from the mark alone.

The partner's row is joined only once the bearer has looked: before that, nothing derived
from the partner's name is loaded into this process (R6).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from soulmark.core.errors import NotFound
from soulmark.core.marks import Mark
from soulmark.core.reaching import both_reached_out, passed
from soulmark.services.device_sessions import is_device, wrist_key
from soulmark.services.tokens import token_hash
from soulmark.services.wrist_view import WristSnapshot, WristView
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow
from soulmark.store.quick import Prepared

__all__ = [
    "snapshot",
    "snapshot_by_hash",
    "snapshot_of_person",
    "wrist",
]


_partner = aliased(PersonRow)
_previous = aliased(RoundRow)
_current = aliased(RoundRow)


# Only a world open to one email domain has joins waiting for a mailed link: elsewhere a
# bearer is never shown as waiting (a join answered for an address that had joined is a
# stand-in that waits for nothing, and must read as any new join does: services.joins).
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
    WorldRow.time_zone,
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
    WorldRow.joins_closed,
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
    slug, world_name, zone, itch, ink, legible, partner_id, sealed_before = values[11:19]
    q_pid, q_name, q_email, q_contact, q_reached, q_left, commitment = values[19:26]
    joins_closed = values[26]
    both = both_reached_out(reached, q_reached, someone_left=left is not None or q_left is not None)
    return WristSnapshot(
        person_id=pk,
        world_id=world_id,
        partner_id=partner_id,
        world=slug,
        world_name=world_name,
        zone=zone or "UTC",
        person=pid,
        round=number,
        confirmed=bool(confirmed),
        mark=Mark(itch, ink, legible) if itch is not None else None,
        looked_at=looked,
        reached_out_at=reached,
        my_contact=passed(my_contact, my_email, reached),
        offer=my_email,
        unmatched_before=number > 1 and joined < (sealed_before or 0),
        next_draw=not joins_closed,
        partner_name=q_name,
        partner_pid=q_pid,
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
    return snapshot_by_hash(store, key=key_of(store, token, at), at=at)


def key_of(store: Store, token: str, at: int | None = None) -> str:
    """The hash ``token``'s wrist is found by (a device session's is its wrist's)."""
    if not is_device(token):
        return token_hash(token)
    with store.read() as s:
        return wrist_key(s, token, at)


def snapshot_by_hash(store: Store, *, key: str, at: int) -> WristSnapshot:
    """The same, for a token already hashed (soulmark.services.tokens.token_hash)."""
    row = _BY_TOKEN.first(store.reads, token_hash=key, at=at)
    if row is None:
        raise NotFound("no wrist has that token", code="wrist-unknown")
    return _snapshot(row)


def snapshot_of_person(s: Session, *, person_id: int, at: int) -> WristSnapshot:
    """The same, inside an open session, for a person found another way (a share link)."""
    return _one(s, PersonRow.id == person_id, at)


def wrist(store: Store, *, token: str, at: int) -> WristView:
    """The bearer's wrist at ``at``."""
    return snapshot(store, token=token, at=at).view(at)
