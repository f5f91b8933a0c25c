"""Co-organizers and the log of organizer actions (issue 20 item 5), within B2.

The world's own organizer link (``main`` in the log) makes named links for co-organizers
("Mr Tanaka") and revokes them; a co-organizer link opens the dashboard and does what the
organizer can, except managing links.  Every link can replace itself (services.world_admin).

The log says which link, by its name, did what and when: an action's kind only, never whom
it touched, so it names no participant and pairs nobody (B2).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound, SoulmarkError
from soulmark.core.links import private_link
from soulmark.core.times import iso
from soulmark.core.validate import clean_line
from soulmark.notices.compose import DEFAULT_BASE_URL
from soulmark.services.results import Result
from soulmark.services.tokens import new_token, token_hash
from soulmark.services.worlds import organizer_row
from soulmark.store import Store
from soulmark.store.models import WorldRow
from soulmark.store.organizer_models import OrganizerActionRow, OrganizerLinkRow

__all__ = [
    "ACTIONS",
    "MAIN",
    "ActionLog",
    "LinkMade",
    "Links",
    "action_log",
    "actor_of",
    "make_link",
    "note",
    "organizer_links",
    "revoke_link",
]

MAIN = "main"
"""How the log names the world's own organizer link."""
MAX_LINK_NAME = 60
LOG_SHOWN = 100

ACTIONS = (
    "link-made",
    "link-revoked",
    "link-replaced",
    "renamed",
    "joins-closed",
    "joins-opened",
    "window",
    "sealed",
    "message",
    "removed-person",
    "resent-invitation",
    "removed-reported",
    "slips-made",
)
"""What the log may say an organizer did: kinds only, never to whom."""


@dataclass(frozen=True)
class LinkMade(Result):
    world: str
    link: str
    """The link's opaque id: what revoking it takes."""
    name: str
    organizer_token: str
    """Told once: give it to the co-organizer."""
    organizer_url: str


@dataclass(frozen=True)
class Links(Result):
    world: str
    links: list[dict[str, str | None]]
    """Each: ``link`` id, ``name``, ``made``, ``revoked`` (None while it works)."""
    manages: bool
    """Whether the link that asked may make and revoke links (only the world's own)."""


@dataclass(frozen=True)
class ActionLog(Result):
    world: str
    actions: list[dict[str, str]]
    """Newest first: ``actor`` (a link's name), ``action`` (one of ACTIONS), ``at``."""


def _link_row(s: Session, token: str) -> OrganizerLinkRow | None:
    row: OrganizerLinkRow | None = s.scalars(
        select(OrganizerLinkRow).where(OrganizerLinkRow.token_hash == token_hash(token))
    ).first()
    return row


def actor_of(s: Session, world: WorldRow, token: str) -> str:
    """The name the log gives the link ``token`` (one that opened ``world``)."""
    if token_hash(token) == world.organizer_token_hash:
        return MAIN
    row = _link_row(s, token)
    return row.name if row is not None else MAIN


def note(s: Session, world: WorldRow, token: str, action: str, at: int) -> None:
    """Log ``action`` by the link ``token``, in the transaction that did it."""
    assert action in ACTIONS, action
    actor = actor_of(s, world, token)
    s.add(OrganizerActionRow(world_id=world.id, actor=actor, action=action, at=at))


def _main_only(world: WorldRow, token: str) -> None:
    if token_hash(token) != world.organizer_token_hash:
        raise Conflict(
            "only the world's own organizer link makes or revokes organizer links",
            code="not-main-organizer",
        )


def _link_name(text: str) -> str:
    try:
        return clean_line(text, "name", MAX_LINK_NAME)
    except SoulmarkError as exc:
        raise InvalidInput(f"name: {exc}", code="link-name-invalid") from None


def make_link(
    store: Store,
    *,
    token: str,
    name: str,
    at: int,
    base_url: str = DEFAULT_BASE_URL,
    once: str | None = None,
) -> LinkMade:
    """A new named organizer link for a co-organizer; its token is told only here.

    A form sends ``once``: pressed twice, it makes one link, and the second answer holds no
    token (``organizer_token`` empty: it was told to the first)."""
    label = _link_name(name)
    if label.casefold() == MAIN:
        raise InvalidInput(f"name: {MAIN!r} is the world's own link", code="link-name-invalid")
    fresh = new_token("o")
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        _main_only(world, token)
        if once and (made := _made_once(s, world, once)) is not None:
            return LinkMade(world.slug, made.link_id, made.name, "", "")
        link_id = "l_" + secrets.token_hex(6)
        row = OrganizerLinkRow(world_id=world.id, link_id=link_id, name=label, created_at=at)
        row.token_hash, row.once = token_hash(fresh), once or None
        s.add(row)
        note(s, world, token, "link-made", at)
        slug = world.slug
    url = private_link(base_url.rstrip("/"), "organizer", fresh)
    return LinkMade(world=slug, link=link_id, name=label, organizer_token=fresh, organizer_url=url)


def _made_once(s: Session, world: WorldRow, once: str) -> OrganizerLinkRow | None:
    row: OrganizerLinkRow | None = s.scalars(
        select(OrganizerLinkRow).where(
            OrganizerLinkRow.world_id == world.id, OrganizerLinkRow.once == once
        )
    ).first()
    return row


def revoke_link(store: Store, *, token: str, link: str, at: int) -> Links:
    """Stop a co-organizer link working now; revoking it again changes nothing."""
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        _main_only(world, token)
        row = s.scalars(
            select(OrganizerLinkRow).where(
                OrganizerLinkRow.world_id == world.id, OrganizerLinkRow.link_id == link
            )
        ).first()
        if row is None:
            raise NotFound("no organizer link of this world has this id", code="link-unknown")
        if row.revoked_at is None:
            row.revoked_at = at
            note(s, world, token, "link-revoked", at)
        return _links(s, world, token)


def _links(s: Session, world: WorldRow, token: str) -> Links:
    rows = s.scalars(
        select(OrganizerLinkRow)
        .where(OrganizerLinkRow.world_id == world.id)
        .order_by(OrganizerLinkRow.created_at, OrganizerLinkRow.id)
    )
    shown = [
        {
            "link": r.link_id,
            "name": r.name,
            "made": iso(r.created_at),
            "revoked": iso(r.revoked_at) if r.revoked_at is not None else None,
        }
        for r in rows
    ]
    manages = token_hash(token) == world.organizer_token_hash
    return Links(world=world.slug, links=shown, manages=manages)


def organizer_links(store: Store, *, token: str) -> Links:
    """The world's co-organizer links, working and revoked (never a token)."""
    with store.read() as s:
        return _links(s, organizer_row(s, token), token)


def action_log(store: Store, *, token: str) -> ActionLog:
    """The latest organizer actions, newest first: which link did what, and when."""
    with store.read() as s:
        world = organizer_row(s, token)
        rows = s.scalars(
            select(OrganizerActionRow)
            .where(OrganizerActionRow.world_id == world.id)
            .order_by(OrganizerActionRow.at.desc(), OrganizerActionRow.id.desc())
            .limit(LOG_SHOWN)
        )
        shown = [{"actor": r.actor, "action": r.action, "at": iso(r.at)} for r in rows]
        return ActionLog(world=world.slug, actions=shown)
