"""Signed-in devices: "keep me signed in on this device" (issue 19 item 3)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from soulmark.store.models import Base

__all__ = ["DeviceSessionRow"]


class DeviceSessionRow(Base):
    """One browser kept signed in to one wrist; only its secret's SHA-256 is stored."""

    __tablename__ = "device_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    handle: Mapped[str] = mapped_column(String(32), unique=True)
    """The stable part of the secret: names the cookie, opens nothing by itself."""
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    """What the wrist's device list calls it, from the User-Agent ("Chrome on Android")."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_used_at: Mapped[int] = mapped_column(BigInteger)
    rotated_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
