"""A participant's own name: readable, and changeable until their round is sealed (issue 9);
and which worlds a browser's wrists belong to, by world name.

The name is what the soulmate will read on their wrist (R11).  Names are not part of fate's
transcript, but once a round is sealed its marks are written and a partner may already be
reading: from then on the name stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict
from soulmark.core.validate import clean_name
from soulmark.services.bearers import person_by_token
from soulmark.services.device_sessions import wrist_key
from soulmark.services.looks import check_look, is_look_clash, lookalike
from soulmark.services.results import Result
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, WorldRow

__all__ = ["HeldWrist", "OwnName", "own_name", "rename", "worlds_of"]


@dataclass(frozen=True)
class OwnName(Result):
    name: str
    """Exactly as it will be written on the soulmate's wrist (R11)."""
    editable: bool
    """True until the bearer's round is sealed."""


def _sealed(s: Session, person: PersonRow) -> bool:
    mark = select(MarkRow.id).where(MarkRow.person_id == person.id, MarkRow.round == person.round)
    return s.scalar(mark) is not None


def own_name(store: Store, *, token: str, at: int | None = None) -> OwnName:
    with store.read() as s:
        person = person_by_token(s, token, at=at)
        return OwnName(person.name, editable=not _sealed(s, person))


def rename(store: Store, *, token: str, name: str, at: int | None = None) -> OwnName:
    """Change the name the soulmate will read; refused once the bearer's round is sealed."""
    cleaned = clean_name(name)
    try:
        with store.transaction() as s:
            person = person_by_token(s, token, at=at)
            # The world's row first, as sealing takes it: a rename and a seal never cross.
            world = select(WorldRow.id).where(WorldRow.id == person.world_id)
            s.execute(world.with_for_update(read=True)).first()
            if _sealed(s, person):
                raise Conflict(
                    "your round is sealed: your name is already written on a wrist",
                    code="name-sealed",
                )
            key = check_look(s, person.world_id, cleaned, person_id=person.id)
            if person.confirmed:  # a join that waits takes its look when confirmed
                person.look_key = key
            person.name = cleaned
    except IntegrityError as exc:
        if is_look_clash(exc):
            raise lookalike() from None
        raise
    return OwnName(cleaned, editable=True)


@dataclass(frozen=True)
class HeldWrist:
    """One wrist a browser holds, as its chooser lists it: two worlds of one name differ
    by their slug and by when they opened, and the wrists by when each joined."""

    handle: str
    world_name: str
    slug: str
    world_opens: int
    joined_at: int


def worlds_of(store: Store, tokens: dict[str, str]) -> list[HeldWrist]:
    """Each live wrist token of ``tokens`` (key to token) by world name, then opening:
    what a browser holding several wrists lists, and nothing else of them."""
    if not tokens:
        return []
    with store.read() as s:
        by_hash = {wrist_key(s, token): key for key, token in tokens.items()}
        rows = s.execute(
            select(
                PersonRow.token_hash,
                WorldRow.name,
                WorldRow.slug,
                WorldRow.window_start,
                PersonRow.joined_at,
            )
            .join(WorldRow, WorldRow.id == PersonRow.world_id)
            .where(PersonRow.token_hash.in_(by_hash))
        ).all()
    held = [
        HeldWrist(by_hash[h], name, slug, opens, joined) for h, name, slug, opens, joined in rows
    ]
    return sorted(held, key=lambda w: (w.world_name, w.world_opens, w.slug))
