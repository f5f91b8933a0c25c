"""Who is not mailed any more, and the one-click links that say so (RFC 8058).

Two things stop mail.  An address whose server refused a message for good, or whose owner
unsubscribed from an invitation, is *suppressed*: this instance sends it no invitation
again (``mail_suppressions``, a hash of the address).  A person who unsubscribed from a
notice gets no more notices of that world (their key row, used).

Each notice and invitation carries its own unsubscribe link, minted when the message is
claimed: a random key of which only the SHA-256 is stored.  A random key rather than a MAC
over the address: it needs no secret shared by the web processes and the worker (the
instance secret is optional, and without it each process draws its own), it names nobody
(no id, no hash of an address anyone could guess), and it is checked like every other
code here.  The claim is also where suppression is enforced, at the last moment before
sending: whatever queued a message, and whenever the address was suppressed, a suppressed
message never leaves.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soulmark.core.links import unsubscribe_link
from soulmark.core.looks import email_key
from soulmark.store.notice_models import NoticeRow, SuppressionRow, UnsubscribeRow

__all__ = [
    "LISTED",
    "SUPPRESSED",
    "address_hash",
    "key_hash",
    "opted_out",
    "screen",
    "suppress",
    "suppressed",
    "unsubscribe_link",
]

SUPPRESSED = "suppressed"
"""A notice's status when it was not sent: its address is suppressed, its person opted out."""
LISTED = {
    "tingles": "notices",
    "stopped": "notices",
    "reached": "notices",
    "unpaired": "notices",
    "unpaired-none": "notices",
    "invite": "invite",
}
"""The kinds that carry a one-click unsubscribe, and what it stops."""


def key_hash(key: str) -> str:
    """As services.tokens hashes every code (not imported: services import this package)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def address_hash(address: str) -> str:
    """What a suppression is kept as: the SHA-256 of the address's key, never the address."""
    try:
        key = email_key(address)
    except Exception:  # an address that no longer parses still has one fixed spelling
        key = address.casefold()
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def suppressed(s: Session | Connection, hashes: Iterable[str]) -> set[str]:
    wanted = list(set(hashes))
    if not wanted:
        return set()
    query = select(SuppressionRow.address_hash).where(SuppressionRow.address_hash.in_(wanted))
    return set(s.scalars(query))


def opted_out(s: Session, person_ids: Iterable[int]) -> set[int]:
    """Which of ``person_ids`` stopped their notices with a one-click link."""
    wanted = list(set(person_ids))
    if not wanted:
        return set()
    query = select(UnsubscribeRow.person_id).where(
        UnsubscribeRow.person_id.in_(wanted),
        UnsubscribeRow.kind == "notices",
        UnsubscribeRow.used_at.is_not(None),
    )
    return {pid for pid in s.scalars(query) if pid is not None}


def _insert(bind: Session | Connection) -> Any:
    name = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert


def suppress(s: Session | Connection, hashes: Iterable[str], *, reason: str, at: int) -> None:
    """Suppress these addresses for invitations; one already suppressed keeps its reason."""
    rows = [{"address_hash": h, "reason": reason, "at": at} for h in set(hashes)]
    if rows:
        s.execute(_insert(s)(SuppressionRow).on_conflict_do_nothing(), rows)


def _blocked(s: Session, rows: Sequence[NoticeRow]) -> set[int]:
    invites = {row.id: address_hash(row.to_addr) for row in rows if row.kind == "invite"}
    gone = suppressed(s, invites.values())
    out = {nid for nid, h in invites.items() if h in gone}
    notices = [row for row in rows if LISTED.get(row.kind) == "notices" and row.person_id]
    off = opted_out(s, [row.person_id for row in notices if row.person_id is not None])
    return out | {row.id for row in notices if row.person_id in off}


def screen(
    s: Session, rows: Sequence[NoticeRow], *, base_url: str, at: int
) -> tuple[set[int], dict[int, str]]:
    """In the claim's transaction: the claimed notices that must not leave (now marked
    ``suppressed``), and the unsubscribe link of each of the others that carries one."""
    blocked = _blocked(s, rows)
    if blocked:
        s.execute(
            update(NoticeRow)
            .where(NoticeRow.id.in_(blocked))
            .values(status=SUPPRESSED, claim=None, leased_until=None, body=None)
            .execution_options(synchronize_session=False)
        )
    links: dict[int, str] = {}
    keys: list[dict[str, Any]] = []
    for row in rows:
        kind = LISTED.get(row.kind)
        if kind is None or row.id in blocked:
            continue
        key = "u_" + secrets.token_urlsafe(18)
        links[row.id] = unsubscribe_link(base_url, key)
        keys.append(
            {
                "key_hash": key_hash(key),
                "kind": kind,
                "world_id": row.world_id,
                "person_id": row.person_id if kind == "notices" else None,
                "address_hash": address_hash(row.to_addr) if kind == "invite" else None,
                "created_at": at,
                "used_at": None,
            }
        )
    if keys:
        s.execute(insert(UnsubscribeRow), keys)
    return blocked, links
