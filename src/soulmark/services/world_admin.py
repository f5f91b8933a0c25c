"""The world itself (issue 20 item 4): its name, and the organizer's own link.

A world's name is part of what each round's commitment binds (services.worlds.world_block),
so a new name gives the open round a fresh secret and commitment, recorded in the world's
public history, as new dates do; sealed rounds keep their transcripts.  A round whose beacon
is already out keeps everything: a fresh secret chosen then could steer fate.

Replacing the organizer link makes the old one stop working at once, wherever it leaked; the
new token is told once, to whoever replaced it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, NotFound
from soulmark.core.links import private_link
from soulmark.core.transcript import commitment
from soulmark.core.validate import clean_name
from soulmark.notices.compose import DEFAULT_BASE_URL
from soulmark.services.co_organizers import note
from soulmark.services.fate_log import record as record_fate
from soulmark.services.results import Result
from soulmark.services.tokens import new_secret, once_token, token_hash
from soulmark.services.worlds import WorldInfo, organizer_row, world_block, world_info
from soulmark.store import Store
from soulmark.store.models import RoundRow, WorldRow
from soulmark.store.organizer_models import OrganizerLinkRow

__all__ = ["NewOrganizerLink", "recommit", "rename_world", "replace_organizer_link", "set_joins"]


@dataclass(frozen=True)
class NewOrganizerLink(Result):
    world: str
    organizer_token: str
    """Told once: keep it.  The old organizer link no longer opens anything."""
    organizer_url: str


def recommit(s: Session, world: WorldRow, at: int) -> RoundRow:
    """A fresh secret and commitment for the open round, after what it binds has changed."""
    target = s.scalars(
        select(RoundRow).where(RoundRow.world_id == world.id, RoundRow.number == world.open_round)
    ).one()
    spec = target.beacon
    if spec is not None and at >= spec.published_at:
        raise Conflict(
            f"round {target.number} waits for a beacon that is already out", code="beacon-out"
        )
    secret = new_secret()
    target.secret = secret.hex()
    target.commitment = commitment(secret, world_block(world), target.number, spec)
    # Public and append-only: whoever was handed the old commitment sees why it changed.
    record_fate(
        s, world, kind="commitment", round=target.number, commitment=target.commitment, at=at
    )
    return target


def rename_world(store: Store, *, token: str, name: str, at: int) -> WorldInfo:
    """Give the world a new name (a name's rules); the open round is committed afresh."""
    new = clean_name(name)
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        if new != world.name:
            world.name = new
            recommit(s, world, at)
            note(s, world, token, "renamed", at)
        slug = world.slug
    return world_info(store, slug=slug, at=at)


def _replace(s: Session, world: WorldRow, token: str, fresh: str, at: int) -> None:
    note(s, world, token, "link-replaced", at)
    if token_hash(token) == world.organizer_token_hash:
        world.organizer_token_hash = token_hash(fresh)
    else:  # a co-organizer replaces their own link, keeping its name
        s.execute(
            update(OrganizerLinkRow)
            .where(OrganizerLinkRow.token_hash == token_hash(token))
            .values(token_hash=token_hash(fresh))
        )


def replace_organizer_link(
    store: Store,
    *,
    token: str,
    base_url: str = DEFAULT_BASE_URL,
    at: int = 0,
    once: str | None = None,
) -> NewOrganizerLink:
    """A new token for this organizer link (the world's own, or a co-organizer's); the one
    given stops working now.  The same ``once`` again (a double press, with the old token)
    answers the link it made, and replaces nothing more."""
    fresh = once_token("o", key=token, purpose="replace", once=once)
    with store.transaction() as s:
        try:
            world = organizer_row(s, token, lock=True)
        except NotFound:
            if not once:
                raise
            world = organizer_row(s, fresh)
        else:
            _replace(s, world, token, fresh, at)
        slug = world.slug
    url = private_link(base_url.rstrip("/"), "organizer", fresh)
    return NewOrganizerLink(world=slug, organizer_token=fresh, organizer_url=url)


def set_joins(store: Store, *, token: str, closed: bool, at: int) -> WorldInfo:
    """Close joining (the public form refuses every join alike) or open it again."""
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        if world.joins_closed != closed:
            note(s, world, token, "joins-closed" if closed else "joins-opened", at)
        world.joins_closed = closed
        slug = world.slug
    return world_info(store, slug=slug, at=at)
