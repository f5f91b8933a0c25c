"""Tables behind private links: friends' shares, email confirmations, sign-in codes and the
failed lookups of tokens (B5, issue 3)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from soulmark.store.models import Base

__all__ = ["ShareRow", "ConfirmationRow", "SigninCodeRow", "TokenAttemptRow"]


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
