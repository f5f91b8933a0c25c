"""Opening a world: the one way, for ``soulmark world create``, ``/new`` and the API.

The window is typed as the organizer thinks of it: dates (or times) in the world's own IANA
time zone, a bare end date meaning the end of that day.  Where beacon relays are set up, a
world that names no beacon waits for the first drand round after joins close (B1).  Its first
seal may be planned at once, and the organizer's link mailed to them, since a browser tab is
easy to lose; the join link is what they share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from soulmark.core.beacon import BeaconSpec, parse_spec
from soulmark.core.errors import InvalidInput
from soulmark.core.links import private_link, world_url
from soulmark.core.times import parse_iso
from soulmark.core.validate import clean_email
from soulmark.notices.compose import DEFAULT_BASE_URL, organizer_mail
from soulmark.notices.queue import queue_message
from soulmark.services.relays import default_beacon
from soulmark.services.schedule import check_seal_at, plan_seal, schedule_of
from soulmark.services.senders import new_code
from soulmark.services.worlds import (
    WorldCreated,
    create_world,
    created_again,
    get_world,
    read_window,
)
from soulmark.store import Store

__all__ = ["WorldAsked", "WorldOpened", "open_world", "opened_world", "world_links"]


@dataclass(frozen=True, kw_only=True)
class WorldAsked:
    """A world as an organizer asks for it, every field as they typed it."""

    name: str
    window_start: str
    window_end: str
    time_zone: str | None = None
    """The world's IANA zone (None: UTC); dates without an offset are in it."""
    email_domain: str | None = None
    beacon: str | None = None
    """``quicknet:ROUND`` or ``quicknet@ISO``; None: the default one, where relays are set up."""
    joins_close: str | None = None
    """When joins close, for the default beacon (None: the window's start)."""
    slug: str | None = None
    organizer_email: str | None = None
    """The organizer's links are mailed here."""
    seal_at: str | None = None
    """When fate is drawn on its own, in the world's zone."""


@dataclass(frozen=True)
class WorldOpened:
    created: WorldCreated
    join_url: str
    organizer_url: str
    mailed_to: str | None
    seal_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.created.to_json(),
            "join_url": self.join_url,
            "organizer_url": self.organizer_url,
            "mailed_to": self.mailed_to,
            "seal_at": self.seal_at,
        }


def world_links(base_url: str, slug: str, organizer_token: str) -> tuple[str, str]:
    """The join link to share and the organizer's private link (to keep)."""
    base = base_url.rstrip("/")
    return world_url(slug, base), private_link(base, "organizer", organizer_token)


def open_world(
    store: Store,
    asked: WorldAsked,
    *,
    at: int,
    base_url: str = DEFAULT_BASE_URL,
    relays: Sequence[str] = (),
    held: bool = False,
) -> WorldOpened:
    """Open the world ``asked`` for, plan its first seal and mail its organizer if asked.

    Everything typed is checked before anything is written.  ``relays``: the beacon relays
    the site seals with (some: a world without a beacon gets the default one).  ``held``:
    opened by someone the site does not know (services.worlds.create_world)."""
    start, end = read_window(asked.window_start, asked.window_end, asked.time_zone)
    if asked.seal_at:
        check_seal_at(asked.seal_at, zone=asked.time_zone, start=start, end=end, at=at)
    spec = _beacon(asked, start, at, relays)
    to = clean_email(asked.organizer_email) if asked.organizer_email else None
    made = create_world(
        store,
        name=asked.name,
        window_start=start,
        window_end=end,
        at=at,
        slug=asked.slug,
        email_domain=asked.email_domain or None,
        beacon=spec,
        time_zone=asked.time_zone,
        held=held,
    )
    join_url, organizer_url = world_links(base_url, made.world, made.organizer_token)
    planned = (
        plan_seal(store, world=made.world, seal_at=asked.seal_at, at=at) if asked.seal_at else None
    )
    if to is not None:
        _mail_links(store, made, to, (join_url, organizer_url), at, base_url)
    return WorldOpened(made, join_url, organizer_url, to, planned.seal_at if planned else None)


def opened_world(
    store: Store, *, token: str, base_url: str = DEFAULT_BASE_URL, mailed_to: str | None = None
) -> WorldOpened:
    """The world just opened, as its organizer link sees it: what ``/new`` shows after its
    redirect, and again on every reload (issue 19 item 4).  ``mailed_to`` is said once, by
    the page the form answered with; the store does not keep where the link was mailed."""
    with store.read() as s:
        made = created_again(s, token)
    join_url, organizer_url = world_links(base_url, made.world, token)
    planned = schedule_of(store, world=made.world).seal_at
    return WorldOpened(made, join_url, organizer_url, mailed_to, planned)


def _beacon(asked: WorldAsked, start: int, at: int, relays: Sequence[str]) -> BeaconSpec | None:
    """The beacon named, else (relays fetch it at seal) the first round after joins close."""
    try:
        if asked.beacon:
            return parse_spec(asked.beacon, parse_moment=parse_iso)
        close = parse_iso(asked.joins_close) if asked.joins_close else start
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return default_beacon(joins_close=close, at=at) if relays else None


def _mail_links(
    store: Store, made: WorldCreated, to: str, links: tuple[str, str], at: int, base_url: str
) -> None:
    """The organizer's links, and the one that lets the world mail others (services.senders)."""
    join_url, organizer_url = links
    with store.transaction() as s:
        row = get_world(s, made.world)
        confirm = new_code(row, base_url)
        subject, body = organizer_mail(
            world_name=made.name, link=organizer_url, join=join_url, confirm=confirm
        )
        queue_message(s, row, kind="organizer", to=to, subject=subject, body=body, at=at)
