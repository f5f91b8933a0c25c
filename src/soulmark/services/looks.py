"""One person, one look (issue 22): a name that looks like another participant's in the same
world is refused, at every door a name comes in by (a join, a CSV, a confirmation, a claim,
a rename).

The look is soulmark.core.looks's: the confusable skeleton of Unicode TR39.  A participant
holds their name's ``look_key`` while the name is theirs and they are in; a unique index on
(world, look_key) makes the refusal atomic, so two look-alike joins that race cannot both
land.  The check here only answers early and in words; the index is what holds.

What the refusal tells: that a name too close to this one is already in the world; never
which, whose, since when, nor anything about an address (it is checked before the address is).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict
from soulmark.core.looks import look_key
from soulmark.store.models import PersonRow

__all__ = ["LOOKALIKE", "check_look", "is_look_clash", "lookalike", "taken_looks"]

LOOKALIKE = (
    "that name looks too much like one already in this world; "
    "add something that tells you apart (a second name, an initial)"
)


def lookalike() -> Conflict:
    return Conflict(LOOKALIKE, code="name-lookalike")


def check_look(s: Session, world_id: int, name: str, *, person_id: int | None = None) -> str:
    """The look key of ``name``, refused if another person of the world holds it."""
    key = look_key(name)
    holder = select(PersonRow.id).where(PersonRow.world_id == world_id, PersonRow.look_key == key)
    if person_id is not None:
        holder = holder.where(PersonRow.id != person_id)
    if s.scalar(holder.limit(1)) is not None:
        raise lookalike()
    return key


def taken_looks(s: Session, world_id: int, keys: Collection[str]) -> set[str]:
    """Which of ``keys`` a person of the world already holds (a CSV batch's check)."""
    return set(
        s.scalars(
            select(PersonRow.look_key).where(
                PersonRow.world_id == world_id, PersonRow.look_key.in_(list(keys))
            )
        )
    )


def is_look_clash(exc: IntegrityError) -> bool:
    """Whether a write lost the race for a look (the index is named for its column on both
    backends: SQLite names the columns, PostgreSQL the index)."""
    return "look_key" in str(exc.orig)
