"""Friends' share links (B5): a live view of a wrist that never holds the name unless the
bearer, after looking, chooses to show it there.  Revocable at any time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.services.bearers import person_by_token
from soulmark.services.results import Result
from soulmark.services.tokens import by_token, once_token, token_hash
from soulmark.services.wrist_read import snapshot_of_person
from soulmark.services.wrist_view import SharedView, WristSnapshot, friend_view
from soulmark.store import Store
from soulmark.store.link_models import ShareRow
from soulmark.store.models import PersonRow, holds_row_id

__all__ = [
    "LABEL_MAX",
    "Share",
    "create_share",
    "list_shares",
    "shares_of",
    "live_share",
    "revoke_share",
    "show_name",
    "shared_view",
    "SharedSnapshot",
    "shared_snapshot",
]


@dataclass(frozen=True)
class Share(Result):
    id: int
    created_at: int
    revoked: bool
    show_name: bool
    label: str | None = None
    """The bearer's words for whom it is for ("for Mum"); the friend's page shows them."""


LABEL_MAX = 60


def _share(row: ShareRow) -> Share:
    return Share(
        id=row.id,
        created_at=row.created_at,
        revoked=row.revoked_at is not None,
        show_name=row.show_name,
        label=row.label,
    )


def _label(label: str | None) -> str | None:
    text = " ".join((label or "").split())
    if len(text) > LABEL_MAX:
        raise InvalidInput(
            f"a label has at most {LABEL_MAX} characters", code="label-too-long", n=LABEL_MAX
        )
    return text or None


def create_share(
    store: Store, *, token: str, at: int, label: str | None = None, once: str | None = None
) -> tuple[Share, str]:
    """A new share link for the wrist behind ``token``; the share token is returned once.
    The same ``once`` makes one link, however often it is sent (the form's double press)."""
    label, share_token = _label(label), once_token("s", key=token, purpose="share", once=once)
    try:
        return _insert_share(store, token, share_token, at, label)
    except IntegrityError:
        # Two presses at the same instant: the other one made it.
        return _insert_share(store, token, share_token, at, label)


def _insert_share(
    store: Store, token: str, share_token: str, at: int, label: str | None
) -> tuple[Share, str]:
    with store.transaction() as s:
        person = person_by_token(s, token, at=at)
        hashed = token_hash(share_token)
        made = s.scalars(select(ShareRow).where(ShareRow.token_hash == hashed)).first()
        if made is not None:
            if made.person_id != person.id:  # a collision of 192 bits: never in practice
                raise Conflict("try again", code="share-retry")
            return _share(made), share_token
        row = ShareRow(
            person_id=person.id, token_hash=hashed, created_at=at, show_name=False, label=label
        )
        s.add(row)
        s.flush()
        return _share(row), share_token


def list_shares(store: Store, *, token: str, at: int | None = None) -> list[Share]:
    with store.read() as s:
        return shares_of(s, person_by_token(s, token, at=at))


def shares_of(s: Session, person: PersonRow) -> list[Share]:
    """A wrist's share links, oldest first, inside a session the caller opened."""
    rows = s.scalars(
        select(ShareRow).where(ShareRow.person_id == person.id).order_by(ShareRow.id)
    ).all()
    return [_share(r) for r in rows]


def _own_share(s: Session, person: PersonRow, share_id: int) -> ShareRow:
    # An id no row can have is missing too: the column is a 32-bit INTEGER, and PostgreSQL
    # refuses to bind more (SQLite, more than 64 bits).
    row = s.get(ShareRow, share_id) if holds_row_id(share_id) else None
    # Another wrist's share is reported exactly like a missing one.
    if row is None or row.person_id != person.id:
        raise NotFound("this wrist has no such share link", code="share-unknown")
    return row


def revoke_share(store: Store, *, token: str, share_id: int, at: int) -> Share:
    with store.transaction() as s:
        row = _own_share(s, person_by_token(s, token, at=at), share_id)
        if row.revoked_at is None:
            row.revoked_at = at
        return _share(row)


def show_name(store: Store, *, token: str, share_id: int, show: bool, at: int) -> Share:
    """Let a share link show the name, or stop it; showing needs the bearer to have looked."""
    with store.transaction() as s:
        person = person_by_token(s, token, at=at)
        row = _own_share(s, person, share_id)
        if row.revoked_at is not None:
            raise Conflict("this share link has been revoked", code="share-revoked")
        if show and (person.looked_at is None or person.looked_at > at):
            raise Conflict(
                "look at your wrist before showing the name to a friend", code="look-first-show"
            )
        row.show_name = show
        return _share(row)


def live_share(s: Session, token: str) -> ShareRow:
    missing = "no wrist is shared with that link"
    row: ShareRow = by_token(s, ShareRow.token_hash, token, missing=missing, code="share-unknown")
    if row.revoked_at is not None:
        raise NotFound(missing, code="share-unknown")
    return row


def shared_view(store: Store, *, token: str, at: int) -> SharedView:
    """What the friend holding the share link ``token`` sees at ``at``."""
    return shared_snapshot(store, token=token, at=at).view(at)


@dataclass(frozen=True)
class SharedSnapshot:
    """A friend's view without its clock (B3): what a live share stream keeps."""

    wrist: WristSnapshot
    show_name: bool
    label: str | None = None

    def view(self, at: int) -> SharedView:
        """Exactly what ``GET /api/share`` shows at ``at``."""
        return friend_view(self.wrist.view(at), self.show_name)

    def next_change(self, at: int) -> int | None:
        return self.wrist.next_change(at)

    @property
    def world_id(self) -> int:
        return self.wrist.world_id

    @property
    def person_id(self) -> int:
        return self.wrist.person_id


def shared_snapshot(store: Store, *, token: str, at: int) -> SharedSnapshot:
    with store.read() as s:
        row = live_share(s, token)
        wrist = snapshot_of_person(s, person_id=row.person_id, at=at)
        return SharedSnapshot(wrist=wrist, show_name=row.show_name, label=row.label)
