"""Tables the web app adds: friends' share links and email confirmations (B5, issue 3)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soulmark.store.models import Base

__all__ = ["ShareRow", "ConfirmationRow", "SigninCodeRow", "TokenAttemptRow", "FateLogRow"]


class ShareRow(Base):
    """A live view of one wrist for a friend; only the token's SHA-256 is stored."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    """Set only by the bearer, only after looking: the friend may then read the name."""
    label: Mapped[str | None] = mapped_column(String(60), default=None)
    """The bearer's own words for whom the link is for ("for Mum"); the friend reads it."""


class ConfirmationRow(Base):
    """A join into an email-domain world waits for this link to be followed."""

    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger, default=None)


class SigninCodeRow(Base):
    """A one-time sign-in code mailed to a participant (a lost link, or an invitation)."""

    __tablename__ = "signin_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger, default=None)


class TokenAttemptRow(Base):
    """Token attempts of one client in its current window, shared by every web process."""

    __tablename__ = "token_attempts"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    """An address, or an IPv6 /64: never a token."""
    window_no: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer)


class FateLogRow(Base):
    """One public entry of a world's append-only history of commitments and seals (B1).

    The database refuses to update or delete these rows (triggers, migration 0010), and each
    entry's ``chain`` hashes the one before it: a history rewritten after someone copied it
    no longer ends in the hash they copied.
    """

    __tablename__ = "fate_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``commitment`` when a round opens, ``seal`` when it is drawn."""
    round: Mapped[int] = mapped_column(Integer)
    commitment: Mapped[str] = mapped_column(String(64))
    transcript_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    chain: Mapped[str] = mapped_column(String(64))
