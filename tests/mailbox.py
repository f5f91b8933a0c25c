"""The confirmation mail a join queued, read back from the notices table (what the worker sends)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from soulmark.services.signin import answer_requests
from soulmark.store import Store
from soulmark.store.models import WorldRow
from soulmark.store.notice_models import NoticeRow

_LINKS = {
    "confirm": re.compile(r"\S+/confirm/#c_\S+"),
    "signin": re.compile(r"\S+/signin/#k_\S+"),
    "invite": re.compile(r"\S+/invite/#k_\S+"),
    "organizer": re.compile(r"\S+/sender/#c_\S+"),
}


def _queued(store: Store, kind: str) -> list[dict[str, Any]]:
    """Every queued mail of ``kind``, oldest first: to, world, link."""
    query = (
        select(NoticeRow.to_addr, NoticeRow.body, WorldRow.slug)
        .join(WorldRow, WorldRow.id == NoticeRow.world_id)
        .where(NoticeRow.kind == kind)
        .order_by(NoticeRow.id)
    )
    with store.transaction() as s:
        rows = s.execute(query).all()
    out = []
    for to, body, slug in rows:
        found = _LINKS[kind].search(body or "")
        out.append({"to": to, "world": slug, "link": found.group(0) if found else None})
    return out


def confirmations(store: Store) -> list[dict[str, Any]]:
    """Every queued confirmation, oldest first: to, world, link."""
    return _queued(store, "confirm")


def signins(store: Store) -> list[dict[str, Any]]:
    """Every queued sign-in mail, oldest first: to, world, link (the questions asked so far
    answered first, as the worker's next pass would)."""
    answer_requests(store)
    return _queued(store, "signin")


def invitations(store: Store) -> list[dict[str, Any]]:
    """Every queued invitation, oldest first: to, world, link."""
    return _queued(store, "invite")


def sender_links(store: Store) -> list[dict[str, Any]]:
    """Every link mailed to an organizer to confirm their address, oldest first."""
    return _queued(store, "organizer")
