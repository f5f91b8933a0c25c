"""Pushes as rows of the notices queue: one per device and kind, written once.

A push row has no person (``person_id`` is NULL: the mail's (person, kind) guard is the
mail's), ``to_addr`` = ``push:<subscription id>`` and kind ``push-<kind>``; the partial unique
index ``ux_notices_push`` keeps it to one per device and kind.  Rows are written

* when a round is first seen sealed (:func:`round_pushes`, beside its mails), for the
  devices subscribed by then;
* when a device subscribes (:func:`subscription_pushes`), for the moments still to come;
* for a one-off notice, by whoever queues its mail (:func:`queue_push`).

Like a mail's, the query behind a push joins a mark to its own bearer only.
"""

from __future__ import annotations

import json
from typing import Any, cast

from sqlalchemy import String, Table, delete, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soulmark.core.times import iso
from soulmark.notices.compose import Outgoing
from soulmark.push.words import PREFIX, push_kind
from soulmark.store.models import MarkRow, PersonRow, RoundRow
from soulmark.store.notice_models import NoticeRow
from soulmark.store.push_models import PushSubscriptionRow

__all__ = [
    "ADDRESS",
    "devices_held",
    "forget_device",
    "forget_devices",
    "is_push",
    "push_outgoing",
    "queue_push",
    "round_pushes",
    "subscription_pushes",
]

ADDRESS = "push:"
_T = cast(Table, NoticeRow.__table__)
_MOMENTS = (("tingles", MarkRow.itch_start), ("stopped", MarkRow.legible_at))
_COLS = ["world_id", "kind", "to_addr", "due_at", "status", "attempts", "next_attempt_at"]


def is_push(kind: str) -> bool:
    return kind.startswith(PREFIX)


def _insert(s: Session) -> Any:
    return (postgresql if s.get_bind().dialect.name == "postgresql" else sqlite).insert


def _address() -> Any:
    return literal(ADDRESS) + sql_cast(PushSubscriptionRow.id, String)


def _write(s: Session, rows: Any) -> int:
    stmt = _insert(s)(_T).from_select(_COLS, rows).on_conflict_do_nothing()
    return len(s.execute(stmt.returning(_T.c.id)).all())


def _rows(kind: str, moment: Any) -> Any:
    return (
        select(
            MarkRow.world_id,
            literal(push_kind(kind)),
            _address(),
            moment,
            literal("pending"),
            literal(0),
            moment,
        )
        .join(PersonRow, PersonRow.id == MarkRow.person_id)
        .join(PushSubscriptionRow, PushSubscriptionRow.person_id == MarkRow.person_id)
        .where(PersonRow.left_at.is_(None))
    )


def round_pushes(s: Session, rnd: RoundRow) -> int:
    """The pushes of a round just sealed, for every device subscribed to its wrists before
    each moment."""
    written = 0
    for kind, moment in _MOMENTS:
        rows = _rows(kind, moment).where(
            MarkRow.world_id == rnd.world_id,
            MarkRow.round == rnd.number,
            # A device hears of what happens after it subscribed, never of the past.
            moment > PushSubscriptionRow.created_at,
        )
        written += _write(s, rows)
    return written


def subscription_pushes(s: Session, sub: PushSubscriptionRow, *, after: int) -> int:
    """A new device's pushes: the moments of its wrist's sealed marks still to come."""
    written = 0
    for kind, moment in _MOMENTS:
        rows = (
            _rows(kind, moment)
            .join(
                RoundRow,
                (RoundRow.world_id == MarkRow.world_id) & (RoundRow.number == MarkRow.round),
            )
            .where(
                PushSubscriptionRow.id == sub.id,
                RoundRow.sealed_at.is_not(None),
                moment > after,
            )
        )
        written += _write(s, rows)
    return written


def queue_push(s: Session, *, person_id: int, world_id: int, kind: str, at: int) -> int:
    """A one-off push (``reached``, ``unpaired``) to each of the person's devices, due at
    ``at``; call it beside the mail it goes with, in the same transaction."""
    rows = select(
        literal(world_id),
        literal(push_kind(kind)),
        _address(),
        literal(at),
        literal("pending"),
        literal(0),
        literal(at),
    ).where(PushSubscriptionRow.person_id == person_id)
    return _write(s, rows)


def forget_devices(s: Session, person_ids: list[int]) -> None:
    """A person who leaves (or is erased) loses their devices and the pushes not yet sent."""
    subs = select(PushSubscriptionRow.id).where(PushSubscriptionRow.person_id.in_(person_ids))
    addresses = [f"{ADDRESS}{sid}" for sid in s.scalars(subs)]
    if addresses:
        s.execute(
            delete(NoticeRow).where(
                NoticeRow.to_addr.in_(addresses),
                NoticeRow.kind.startswith(PREFIX),
                NoticeRow.status == "pending",
            )
        )
    s.execute(delete(PushSubscriptionRow).where(PushSubscriptionRow.person_id.in_(person_ids)))


def devices_held(s: Session, person_id: int) -> list[dict[str, Any]]:
    """A person's devices as their data export lists them: the endpoint is theirs to see."""
    rows = s.scalars(
        select(PushSubscriptionRow)
        .where(PushSubscriptionRow.person_id == person_id)
        .order_by(PushSubscriptionRow.id)
    )
    return [{"endpoint": r.endpoint, "lang": r.lang, "created_at": iso(r.created_at)} for r in rows]


def forget_device(s: Session, sub_id: int) -> bool:
    """One device removed (its bearer pressed "Remove", or its push service forgot it),
    with its pushes not yet sent; whether it was there."""
    s.execute(
        delete(NoticeRow).where(
            NoticeRow.to_addr == f"{ADDRESS}{sub_id}",
            NoticeRow.kind.startswith(PREFIX),
            NoticeRow.status == "pending",
        )
    )
    gone = s.execute(delete(PushSubscriptionRow).where(PushSubscriptionRow.id == sub_id))
    return bool(getattr(gone, "rowcount", 0))


def push_outgoing(row: NoticeRow, world_name: str, slug: str) -> Outgoing:
    """A claimed push for the transport: its device, its kind, and its world (the only
    words a push may carry besides the kind's)."""
    world = json.dumps({"world": world_name, "slug": slug}, ensure_ascii=False)
    return Outgoing(row.id, row.to_addr, row.kind, world)
