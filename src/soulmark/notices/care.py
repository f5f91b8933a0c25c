"""The notices of issue 19 item 5, by mail and by push, each sent once and retried by the
queue like every notice: "you both reached out", and a kind word to the one an odd roster
left out.

Neither carries anything of the partner: "reached" says only that both reached out (the
contact is read on the wrist, R10); "unpaired" is written from the world alone.  A mail is
one row per (person, kind), a push one per (device, kind): written twice, it is still sent
once.  Their words are soulmark.notices.compose's and soulmark.push.words'.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soulmark.push.rows import queue_push
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow
from soulmark.store.notice_models import NoticeRow

__all__ = ["queue_reached", "unpaired_kind", "unpaired_notices"]

_T = cast(Table, NoticeRow.__table__)


def _insert(s: Session) -> Any:
    return (postgresql if s.get_bind().dialect.name == "postgresql" else sqlite).insert


def _notify(s: Session, person: PersonRow, *, kind: str, push: str, at: int) -> None:
    """One mail (once per person and kind) and a push to each of the person's devices."""
    if person.email:
        row = {"world_id": person.world_id, "person_id": person.id, "kind": kind}
        row |= {"to_addr": person.email, "due_at": at, "status": "pending", "attempts": 0}
        s.execute(_insert(s)(_T).values(**row, next_attempt_at=at).on_conflict_do_nothing())
    queue_push(s, person_id=person.id, world_id=person.world_id, kind=push, at=at)


def queue_reached(s: Session, people: Iterable[PersonRow], *, at: int) -> None:
    """ "You both reached out: open your wrist", to each of the two, in the transaction that
    made it both."""
    for person in people:
        if person.left_at is None:
            _notify(s, person, kind="reached", push="reached", at=at)


def unpaired_kind(world: WorldRow) -> str:
    """Which words the left-out person reads: a next draw can come only while the world
    takes new people (its organizer keeps rounds open); otherwise plainly none."""
    return "unpaired-none" if world.joins_closed else "unpaired"


def unpaired_notices(s: Session, rnd: RoundRow) -> int:
    """The notice to whoever the sealed round ``rnd`` left unmatched (R9): the seal moved
    them on to the next round, having joined before it, with no mark in ``rnd``."""
    if rnd.sealed_at is None:
        return 0
    world = s.get_one(WorldRow, rnd.world_id)
    marked = exists().where(MarkRow.person_id == PersonRow.id, MarkRow.round == rnd.number)
    left_out = s.scalars(
        select(PersonRow).where(
            PersonRow.world_id == rnd.world_id,
            PersonRow.round == rnd.number + 1,
            PersonRow.joined_at < rnd.sealed_at,
            PersonRow.left_at.is_(None),
            ~marked,
        )
    ).all()
    for person in left_out:
        _notify(s, person, kind=unpaired_kind(world), push="unpaired", at=rnd.sealed_at)
    return len(left_out)
