"""The devices a wrist's notices are pushed to (Web Push subscriptions, docs/push.md)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soulmark.store.models import Base

__all__ = ["PushSubscriptionRow"]


class PushSubscriptionRow(Base):
    """One browser's subscription for one wrist; a browser holding two wrists has two rows
    with the same endpoint, so each wrist's notices carry their own wrist's words."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (UniqueConstraint("person_id", "endpoint_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    endpoint: Mapped[str] = mapped_column(Text)
    endpoint_key: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the endpoint: endpoints run to hundreds of characters, too long to index
    everywhere."""
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(16))
    """The language of the page that subscribed: the device's reader reads in it."""
    created_at: Mapped[int] = mapped_column(BigInteger)
