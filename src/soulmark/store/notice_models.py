"""Tables of the email notices (see :mod:`soulmark.notices`).

A notice row is written once per (person, kind) and then only moves forward:
``pending`` -> ``sending`` (claimed, leased) -> ``sent`` | ``pending`` (retry, or a lease that
ran out) | ``failed`` | ``refused`` (the server refused it for good: a 5xx, never retried) |
``suppressed`` (not sent: its address is suppressed, or its person unsubscribed).  ``held``: an
invitation whose list is still being written.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from soulmark.store.models import Base

__all__ = ["NoticeRow", "NoticeRoundRow", "SuppressionRow", "UnsubscribeRow", "WorkerHeartbeatRow"]


class NoticeRow(Base):
    __tablename__ = "notices"
    __table_args__ = (
        # The guard behind "never twice": one tingles and one stopped per person, ever.
        UniqueConstraint("person_id", "kind"),
        Index("ix_notices_due", "status", "next_attempt_at"),
        # A push's "never twice": one per device and kind (soulmark.push.rows).
        Index(
            "ux_notices_push",
            "to_addr",
            "kind",
            unique=True,
            sqlite_where=text("kind LIKE 'push-%'"),
            postgresql_where=text("kind LIKE 'push-%'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    # Null for a join confirmation: the person may not count as joined yet.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    kind: Mapped[str] = mapped_column(String(16))
    to_addr: Mapped[str] = mapped_column(String(254))
    due_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    claim: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    claimed_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    leased_until: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """While ``sending``: the claim's worker renews this as it works; once it has passed, the
    worker is taken for dead and another takes the notice back (soulmark.notices.queue)."""
    transport: Mapped[str | None] = mapped_column(String(8), default=None)
    sent_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Kept only where someone must read it later: outbox deliveries (development) and a
    # confirmation waiting to go out (its link cannot be rebuilt); wiped once mailed.
    subject: Mapped[str | None] = mapped_column(String(300), default=None)
    body: Mapped[str | None] = mapped_column(Text, default=None)


class NoticeRoundRow(Base):
    """A sealed round whose notices have been written: marks never change (B6), so once is all."""

    __tablename__ = "notice_rounds"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    notices: Mapped[int] = mapped_column(default=0)
    at: Mapped[int] = mapped_column(BigInteger)


class WorkerHeartbeatRow(Base):
    """A notices worker's word that it is alive, renewed every few seconds
    (soulmark.notices.heartbeat); /readyz reads the freshest (soulmark.web.health)."""

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The host and process it runs as: never anyone's data."""
    started_at: Mapped[int] = mapped_column(BigInteger)
    beat_at: Mapped[int] = mapped_column(BigInteger, index=True)


class SuppressionRow(Base):
    """An address this instance sends no invitation to: its server refused it for good, or
    its owner pressed "unsubscribe" in one.  Kept as a hash, so it outlives the person's
    erasure without keeping the address readable."""

    __tablename__ = "mail_suppressions"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the address's key (soulmark.core.looks.email_key)."""
    reason: Mapped[str] = mapped_column(String(16))
    """``refused`` (a permanent SMTP refusal) or ``unsubscribed``."""
    at: Mapped[int] = mapped_column(BigInteger)


class UnsubscribeRow(Base):
    """One mailed unsubscribe link (RFC 8058), minted when its message is claimed.

    Only the SHA-256 of the key is stored.  The key is random: it names no person, no
    address and no wrist, so the link opens nothing but the unsubscribing it offers.
    """

    __tablename__ = "unsubscribe_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``notices``: stops one person's notices; ``invite``: stops invitations to an address."""
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None, index=True)
    address_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """Set by the one-click POST: for ``notices``, that person's notices are off from then."""
