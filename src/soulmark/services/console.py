"""Opening a world without a terminal: the organizer console behind ``/new`` and the API.

The window is typed as the organizer thinks of it: dates (or times) in the world's own IANA
time zone, a bare end date meaning the end of that day.  The organizer's link can be mailed
to them, since a browser tab is easy to lose; the join link is what they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from soulmark.core.beacon import parse_spec
from soulmark.core.links import private_link
from soulmark.core.times import parse_iso
from soulmark.core.validate import clean_email
from soulmark.notices.compose import DEFAULT_BASE_URL, organizer_mail
from soulmark.notices.queue import queue_message
from soulmark.services.schedule import check_seal_at, plan_seal
from soulmark.services.senders import new_code
from soulmark.services.worlds import WorldCreated, create_world, get_world, read_window
from soulmark.store import Store

__all__ = ["Opened", "open_world", "world_links"]


@dataclass(frozen=True)
class Opened:
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
    return f"{base}/w/{slug}", private_link(base, "organizer", organizer_token)


def open_world(
    store: Store,
    *,
    name: str,
    window_start: str,
    window_end: str,
    at: int,
    time_zone: str | None = None,
    email_domain: str | None = None,
    beacon: str | None = None,
    organizer_email: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    seal_at: str | None = None,
) -> Opened:
    """Open a world from what an organizer typed; mail them its organizer link if asked, and
    plan its first seal for ``seal_at`` (in the world's zone) if given."""
    start, end = read_window(window_start, window_end, time_zone)
    if seal_at:  # checked before anything is written
        check_seal_at(seal_at, zone=time_zone, start=start, end=end, at=at)
    spec = parse_spec(beacon, parse_moment=parse_iso) if beacon else None
    to = clean_email(organizer_email) if organizer_email else None
    made = create_world(
        store,
        name=name,
        window_start=start,
        window_end=end,
        at=at,
        email_domain=email_domain or None,
        beacon=spec,
        time_zone=time_zone,
        held=True,
    )
    join_url, organizer_url = world_links(base_url, made.world, made.organizer_token)
    planned = plan_seal(store, world=made.world, seal_at=seal_at, at=at) if seal_at else None
    if to is not None:
        _mail_links(store, made, to, (join_url, organizer_url), at, base_url)
    return Opened(made, join_url, organizer_url, to, planned.seal_at if planned else None)


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
