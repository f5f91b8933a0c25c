"""What the fault harness checks after each kill and at the end: the store opens cleanly,
no acknowledged join is lost, none is duplicated, nothing appears that no client sent."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field

from sqlalchemy import func, select

from soulmark.services.tokens import token_hash
from soulmark.store import open_store
from soulmark.store.models import PersonRow, WorldRow
from tests.harness.server import Ack

__all__ = ["JoinCheck", "check_joins", "store_opens"]


def store_opens(url: str) -> str:
    """ "ok", or how the store failed to open after a kill."""
    try:
        if url.startswith("sqlite:///"):
            # A fresh connection replays (or discards) the WAL of the killed process first.
            with closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=60)) as conn:
                rows = conn.execute("PRAGMA integrity_check").fetchall()
                if rows != [("ok",)]:
                    return f"integrity_check: {rows[:3]}"
        store = open_store(url)
        try:
            with store.transaction() as s:
                s.scalar(select(func.count()).select_from(PersonRow))
        finally:
            store.close()
    except Exception as exc:  # any failure to open is the finding itself
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@dataclass
class JoinCheck:
    rows: int = 0
    lost: list[str] = field(default_factory=list)
    """Acknowledged joins missing from the store, or stored with another email or token."""
    duplicated: list[str] = field(default_factory=list)
    """Emails or person ids stored (or acknowledged) more than once."""
    stray: list[str] = field(default_factory=list)
    """Stored emails that no client ever sent."""

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.stray)


def _people(url: str, slug: str) -> list[tuple[str, str, str, str]]:
    store = open_store(url, migrate=False)
    try:
        with store.transaction() as s:
            world = s.scalar(select(WorldRow.id).where(WorldRow.slug == slug))
            query = select(
                PersonRow.pid, PersonRow.email, PersonRow.email_key, PersonRow.token_hash
            ).where(PersonRow.world_id == world)
            return [tuple(row) for row in s.execute(query).all()]  # type: ignore[misc]
    finally:
        store.close()


def check_joins(url: str, slug: str, acked: Iterable[Ack], attempted: set[str]) -> JoinCheck:
    rows = _people(url, slug)
    acks = list(acked)
    by_pid = {pid: (email, th) for pid, email, _key, th in rows}
    out = JoinCheck(rows=len(rows))
    for ack in acks:
        if by_pid.get(ack.person) != (ack.email, token_hash(ack.token)):
            out.lost.append(f"{ack.email} ({ack.person})")
    for counted in (
        Counter(key for _pid, _email, key, _th in rows),
        Counter(pid for pid, *_rest in rows),
        Counter(ack.email for ack in acks),
    ):
        out.duplicated += [f"{value} x{n}" for value, n in counted.items() if n > 1]
    out.stray = sorted({email for _pid, email, _k, _th in rows} - attempted)
    return out
