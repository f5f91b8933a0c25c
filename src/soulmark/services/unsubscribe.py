"""One-click unsubscribe (RFC 8058, issue 17): the link in a notice or an invitation.

A mail provider POSTs ``List-Unsubscribe=One-Click`` to the link on its user's behalf, with
no login and no cookie: the key in the link is the only authority, and it can do one thing.
A key from a notice stops that person's notices in that world; a key from an invitation
stops invitations to that address from this whole instance (the address is suppressed,
soulmark.notices.suppress).  Opening the link (a GET) only shows what the button would do:
mail scanners follow links, and must not unsubscribe anyone.  Pressing twice is fine.

The invitation side of suppression lives here too: a list skips suppressed addresses, and
notes each one as a row the organizer's dashboard counts (never shows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import NotFound
from soulmark.notices.suppress import SUPPRESSED, address_hash, key_hash, suppress, suppressed
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.models import WorldRow
from soulmark.store.notice_models import NoticeRow, UnsubscribeRow

__all__ = ["Unsubscribe", "note_suppressed", "stop", "suppressed_in", "unsubscribe_page"]

_UNKNOWN = "this unsubscribe link does not work (it may be from a world that was erased)"


@dataclass(frozen=True)
class Unsubscribe:
    kind: str
    """``notices``: this person's notices in one world; ``invite``: invitations to this
    address from this site."""
    world: str
    world_name: str
    done: bool
    """True once the button was pressed (by the person or their mail provider)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "world": self.world,
            "world_name": self.world_name,
            "done": self.done,
        }


def _key(s: Session, key: str, *, lock: bool = False) -> tuple[UnsubscribeRow, WorldRow]:
    query = select(UnsubscribeRow).where(UnsubscribeRow.key_hash == key_hash(key))
    row = s.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(_UNKNOWN, code="unsubscribe-unknown")
    return row, s.get_one(WorldRow, row.world_id)


def _done(s: Session, row: UnsubscribeRow) -> bool:
    if row.kind == "invite":
        return bool(suppressed(s, [row.address_hash or ""]))
    return row.used_at is not None


def unsubscribe_page(store: Store, *, key: str) -> Unsubscribe:
    """What the link's page shows before its button is pressed; changes nothing."""
    with store.read() as s:
        row, world = _key(s, key)
        return Unsubscribe(row.kind, world.slug, world.name, _done(s, row))


def stop(store: Store, *, key: str, at: int) -> Unsubscribe:
    """Press the button: no more notices for that person, or no more invitations to that
    address; what is queued for them and not sent yet stays unsent."""
    with store.transaction() as s:
        row, world = _key(s, key, lock=True)
        if row.used_at is None:
            row.used_at = at
        if row.kind == "invite" and row.address_hash:
            suppress(s, [row.address_hash], reason="unsubscribed", at=at)
        elif row.person_id is not None:
            s.execute(
                update(NoticeRow)
                .where(
                    NoticeRow.person_id == row.person_id,
                    NoticeRow.kind.in_(("tingles", "stopped")),
                    NoticeRow.status == "pending",
                )
                .values(status=SUPPRESSED, body=None)
            )
        # An invitation still queued to the address is screened when it is claimed.
        return Unsubscribe(row.kind, world.slug, world.name, True)


def suppressed_in(s: Session, addresses: Mapping[str, str]) -> dict[str, str]:
    """Of ``addresses`` (an address by its key), those this site sends no invitation to."""
    hashes = {key: address_hash(email) for key, email in addresses.items()}
    gone = suppressed(s, hashes.values())
    return {key: addresses[key] for key, h in hashes.items() if h in gone}


def note_suppressed(store: Store, world: str, addresses: Sequence[str], at: int) -> None:
    """One row per address a list did not mail, so the dashboard can count them."""
    if not addresses:
        return
    with store.transaction() as s:
        row = get_world(s, world)
        common = {"world_id": row.id, "person_id": None, "kind": "invite", "due_at": at}
        common |= {"status": SUPPRESSED, "attempts": 0, "next_attempt_at": at}
        s.execute(insert(NoticeRow), [common | {"to_addr": to} for to in addresses])
