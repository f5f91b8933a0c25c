"""A scheduled seal (issue 9): the organizer names a moment, the notices worker draws fate then.

The plan is for the round open when it was made (``seal_round``), so the worker seals through
:func:`soulmark.services.sealing.seal` with that round named, exactly as the dashboard's button
does: a second worker, or a worker that comes after the organizer pressed the button, finds the
round sealed and writes nothing.  A seal that cannot happen (a round of one, a window too far
spent) is refused, logged and kept beside the plan for the dashboard, until the organizer
plans again or clears it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from soulmark.core.errors import InvalidInput, SoulmarkError
from soulmark.core.times import iso, parse_local
from soulmark.services.results import Result
from soulmark.services.sealing import seal
from soulmark.services.worlds import get_world, organizer_row, round_possible
from soulmark.store import Store
from soulmark.store.models import WorldRow

__all__ = ["Schedule", "check_seal_at", "plan_seal", "schedule_of", "seal_due"]

log = logging.getLogger("soulmark.schedule")


@dataclass(frozen=True)
class Schedule(Result):
    seal_at: str | None
    """When the open round will be sealed on its own (None: only by hand)."""
    refused: str | None = None
    """Why the planned seal could not happen."""


def check_seal_at(text: str, *, zone: str | None, start: int, end: int, at: int) -> int:
    """A planned moment typed in the world's zone: later than ``at`` and early enough in the
    window for a round sealed then to draw its marks (R4)."""
    try:
        moment = parse_local(text, zone)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if moment <= at:
        raise InvalidInput("the planned draw must be later than now", code="seal-at-past")
    if not round_possible(start, end, moment):
        raise InvalidInput(
            "that moment leaves too little of the window for a draw", code="seal-at-late"
        )
    return moment


def _set(world: WorldRow, moment: int | None) -> None:
    world.seal_at = moment
    world.seal_round = world.open_round if moment is not None else None
    world.seal_refused = None


def plan_seal(
    store: Store, *, at: int, seal_at: str | None, token: str | None = None, world: str = ""
) -> Schedule:
    """Plan (or, with ``seal_at`` None or empty, clear) the seal of the open round; by the
    organizer token, or by slug for a world just opened."""
    with store.transaction() as s:
        row = organizer_row(s, token, lock=True) if token else get_world(s, world, lock=True)
        moment = None
        if seal_at:
            moment = check_seal_at(
                seal_at, zone=row.time_zone, start=row.window_start, end=row.window_end, at=at
            )
        _set(row, moment)
        return _schedule(row)


def _schedule(row: WorldRow) -> Schedule:
    if row.seal_at is None or row.seal_round != row.open_round:
        return Schedule(seal_at=None)  # nothing planned, or planned for a round now sealed
    return Schedule(seal_at=iso(row.seal_at), refused=row.seal_refused)


def schedule_of(store: Store, *, world: str) -> Schedule:
    with store.read() as s:
        return _schedule(get_world(s, world))


def seal_due(store: Store, *, at: int, relays: Sequence[str] = ()) -> int:
    """Seal every round whose planned moment has come; how many this call sealed."""
    with store.read() as s:
        due = s.execute(
            select(WorldRow.id, WorldRow.slug, WorldRow.seal_round, WorldRow.seal_at).where(
                WorldRow.seal_at <= at, WorldRow.seal_refused.is_(None)
            )
        ).all()
    sealed = 0
    for world_id, slug, number, planned in due:
        refused = None
        try:
            sealed += not seal(store, world=slug, at=at, round=number, relays=relays).already
        except SoulmarkError as exc:
            refused = str(exc)
            log.warning("the draw planned for %s could not happen: %s", slug, refused)
        with store.transaction() as s:
            # Only the plan this pass read: one the organizer made meanwhile stays.
            s.execute(
                update(WorldRow)
                .where(WorldRow.id == world_id, WorldRow.seal_at == planned)
                .values(
                    seal_at=planned if refused else None,
                    seal_round=number if refused else None,
                    seal_refused=refused[:400] if refused else None,
                )
            )
    return sealed
