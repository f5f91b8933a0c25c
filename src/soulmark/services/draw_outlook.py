"""What drawing fate now would do, in counts (issue 20 item 3): told before the draw.

With an odd headcount one person cannot be paired this time (R9): the organizer is told
before pressing the button, and what that person will read.  Counts only (B2): nobody is
named, and who would wait is not known before the draw.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from soulmark.services.results import Result
from soulmark.services.worlds import organizer_row
from soulmark.store import Store
from soulmark.store.models import PersonRow, RoundRow

__all__ = ["DrawOutlook", "draw_outlook"]


@dataclass(frozen=True)
class DrawOutlook(Result):
    round: int
    """The round a draw now would seal."""
    people: int
    """Who that draw would take: confirmed, in that round."""
    will_wait: int
    """How many of them fate cannot pair at the least (one for an odd headcount)."""
    drawn: int
    """Rounds of this world already drawn."""


def draw_outlook(store: Store, *, token: str) -> DrawOutlook:
    with store.read() as s:
        world = organizer_row(s, token)
        people = s.scalar(
            select(func.count())
            .select_from(PersonRow)
            .where(
                PersonRow.world_id == world.id,
                PersonRow.round == world.open_round,
                PersonRow.confirmed.is_(True),
            )
        )
        drawn = s.scalar(
            select(func.count())
            .select_from(RoundRow)
            .where(RoundRow.world_id == world.id, RoundRow.sealed_at.is_not(None))
        )
        number = world.open_round
    n = int(people or 0)
    return DrawOutlook(round=number, people=n, will_wait=n % 2 if n >= 2 else 0, drawn=drawn or 0)
