"""Who must hear that something changed: every write names the wrists it touched (issue 8).

Any committed transaction that adds, changes or removes a person, a share link, a round or a
world says so, from inside the same transaction, so that live streams in every process can
read again the wrists it touched and nothing else:

* on PostgreSQL with ``NOTIFY soulmark_changes`` (delivered at commit, dropped on rollback);
* on SQLite, which has no notifications, by a row in the ``changes`` table; each web process
  tails that table with ONE query every few hundred milliseconds (see soulmark.web.live).

A change names only the wrists whose view it changes.  A person's own write names their own
wrist; it names their partner's only when the partner's wrist shows it (issue 22): their name
once the partner has looked (R8), their contact once both reached out (R10), and nothing
else.  So a partner's share link, new link, look or lone reach-out wakes, drops and re-reads
nothing of the bearer's, and nobody can learn from their own wrist that their partner acted.

This is a store concern rather than a service one: the services, the CLI and bulk tools all
write through ORM sessions, and the hook sees every one of them.  Writes that bypass the ORM
(bulk CSV joins, the notices worker) are not announced; they change no wrist.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from soulmark.core.reaching import both_reached_out, passed
from soulmark.core.times import now_us
from soulmark.store.link_models import ShareRow
from soulmark.store.models import Base, MarkRow, PersonRow, RoundRow, WorldRow

__all__ = [
    "CHANNEL",
    "announce",
    "Change",
    "ChangeRow",
    "ChangeFeed",
    "changes_after",
    "last_change",
    "parse",
]

CHANNEL = "soulmark_changes"
_KEEP_US = 10 * 60 * 1_000_000
"""Change rows older than this are pruned: a tailer only ever reads the last second."""


class ChangeRow(Base):
    __tablename__ = "changes"
    # AUTOINCREMENT: an id is never reused after a prune, so a tailer never skips one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int]
    person_id: Mapped[int | None] = mapped_column(default=None)
    """None: every wrist of the world (a seal, an erasure)."""
    made_at: Mapped[int] = mapped_column(BigInteger)
    """Wall clock (not the app's clock): only used to prune."""


@dataclass(frozen=True, slots=True)
class Change:
    world_id: int
    person_id: int | None

    @classmethod
    def roster(cls, world_id: int) -> Change:
        """People joined: no wrist changed, but the organizer's counts did (person 0 is
        nobody's id, so no wrist's stream wakes)."""
        return cls(world_id, 0)

    def payload(self) -> str:
        return f"{self.world_id}:{'*' if self.person_id is None else self.person_id}"


def parse(payload: str) -> Change | None:
    world, _, person = payload.partition(":")
    if not world.isdigit() or not (person == "*" or person.isdigit()):
        return None
    return Change(int(world), None if person == "*" else int(person))


def _touched(obj: Any) -> Change | None:
    if isinstance(obj, PersonRow):
        return Change(obj.world_id, obj.id)
    if isinstance(obj, ShareRow):
        return Change(-1, obj.person_id)  # world filled in below
    if isinstance(obj, WorldRow):
        return Change(obj.id, None)
    if isinstance(obj, RoundRow | MarkRow):
        return Change(obj.world_id, None)
    return None


_SEEN_BY_PARTNER = ("name", "pid", "email", "contact", "reached_out_at", "left_at")
"""What of a person their partner's wrist can show (soulmark.services.wrist_view)."""
_UNKNOWN = object()


def _was(person: PersonRow, attr: str) -> Any:
    """An attribute's value before this flush (_UNKNOWN if it was never loaded)."""
    history = inspect(person).attrs[attr].history
    if not history.has_changes():
        return getattr(person, attr)
    return history.deleted[0] if history.deleted else _UNKNOWN


def _face(values: dict[str, Any], partner_reached: int | None) -> tuple[Any, ...]:
    """What a looked partner (who has not left) sees of a person: the name, the opaque id,
    and the contact only once both have reached out (R10)."""
    mine = values["reached_out_at"]
    left = values["left_at"] is not None
    both = both_reached_out(mine, partner_reached, someone_left=left)
    shown = passed(values["contact"], values["email"], mine) if both else None
    return values["name"], values["pid"], shown


def _partner_change(session: Session, person: PersonRow) -> Change | None:
    """The partner's wrist, if this write to ``person`` changes what it shows."""
    before = {a: _was(person, a) for a in _SEEN_BY_PARTNER}
    if all(before[a] is not _UNKNOWN and before[a] == getattr(person, a) for a in before):
        return None
    partner = session.execute(
        select(MarkRow.partner_id, PersonRow.looked_at, PersonRow.reached_out_at)
        .join(PersonRow, PersonRow.id == MarkRow.partner_id)
        .where(MarkRow.person_id == person.id, MarkRow.round == person.round)
        .where(PersonRow.left_at.is_(None))
    ).first()
    if partner is None or partner.partner_id is None or partner.looked_at is None:
        return None  # nothing of a person is loaded for a partner before their look (R6)
    after = {a: getattr(person, a) for a in _SEEN_BY_PARTNER}
    reached = partner.reached_out_at
    if _UNKNOWN not in before.values() and _face(before, reached) == _face(after, reached):
        return None
    return Change(person.world_id, partner.partner_id)


def _changes(session: Session) -> set[Change]:
    out: set[Change] = set()
    shares: set[int] = set()
    dirty = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    for obj in [*session.new, *dirty, *session.deleted]:
        change = _touched(obj)
        if change is None:
            continue
        if isinstance(obj, PersonRow) and obj in dirty:
            seen = _partner_change(session, obj)
            if seen is not None:
                out.add(seen)
        if change.world_id == -1 and change.person_id is not None:
            shares.add(change.person_id)
        else:
            out.add(change)
    if shares:
        rows = session.execute(
            select(PersonRow.world_id, PersonRow.id).where(PersonRow.id.in_(shares))
        )
        out.update(Change(w, p) for w, p in rows)
    everyone = {c.world_id for c in out if c.person_id is None}
    return {c for c in out if c.person_id is None or c.world_id not in everyone}


Listener = Callable[[set[Change]], None]
_PENDING = "soulmark_changes"
"""Where a session keeps what it announced until it commits (``Session.info``)."""


class ChangeFeed:
    """One store's own committed changes, heard in the committing thread: sooner than the
    notification or the change log, which other processes rely on.  The store owns it and
    hooks only its own sessions, so two stores in one process (tests, the bench) hear apart."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def hook(self, sessions: sessionmaker[Session]) -> None:
        event.listen(sessions, "after_flush", _after_flush)
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", _after_rollback)

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _after_commit(self, session: Session) -> None:
        changes: set[Change] | None = session.info.pop(_PENDING, None)
        if changes:
            for listener in list(self._listeners):
                listener(changes)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _after_flush(session: Session, _context: Any) -> None:
    announce(session, _changes(session))


def announce(session: Session, changes: set[Change]) -> None:
    """Say, inside the session's transaction, what it changed: for writes the ORM does not
    see itself (bulk inserts).  Heard by everyone once (and only if) it commits."""
    if not changes:
        return
    session.info.setdefault(_PENDING, set()).update(changes)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        for change in changes:
            conn.exec_driver_sql("SELECT pg_notify(%s, %s)", (CHANNEL, change.payload()))
        return
    now = now_us()
    rows = [{"world_id": c.world_id, "person_id": c.person_id, "made_at": now} for c in changes]
    result = conn.execute(insert(ChangeRow).returning(ChangeRow.id), rows)
    if any(i % 1000 == 0 for i in result.scalars()):
        conn.execute(delete(ChangeRow).where(ChangeRow.made_at < now - _KEEP_US))


def changes_after(session: Session, last: int) -> list[tuple[int, Change]]:
    """Change rows after id ``last``, oldest first (SQLite's tail)."""
    rows = session.execute(
        select(ChangeRow.id, ChangeRow.world_id, ChangeRow.person_id)
        .where(ChangeRow.id > last)
        .order_by(ChangeRow.id)
    )
    return [(i, Change(w, p)) for i, w, p in rows]


def last_change(session: Session) -> int:
    return int(session.scalar(select(func.max(ChangeRow.id))) or 0)
