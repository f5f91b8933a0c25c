"""Co-organizer links, the log of organizer actions, reports of a name, and the join slips
of a class sheet (issue 20).

None of these rows pairs two people: the log names an organizer link and an action, a
report names only the person whose name was reported (its reporter is kept so their own
wrist can say what became of it, and is never shown to anyone else).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soulmark.store.models import Base

__all__ = ["JoinSlipRow", "NameReportRow", "OrganizerActionRow", "OrganizerLinkRow"]


class OrganizerLinkRow(Base):
    """A named co-organizer link: it opens the dashboard as the world's own link does."""

    __tablename__ = "organizer_links"
    __table_args__ = (
        UniqueConstraint("world_id", "link_id"),
        UniqueConstraint("world_id", "once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    link_id: Mapped[str] = mapped_column(String(32))
    """Opaque and public to the world's organizers: how a link is revoked."""
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    once: Mapped[str | None] = mapped_column(String(64), default=None)
    """The dashboard form's nonce: a second press of the same form makes no second link."""


class OrganizerActionRow(Base):
    """One organizer action: which link (by its name) did what, and when.  Never whom."""

    __tablename__ = "organizer_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    at: Mapped[int] = mapped_column(BigInteger)


class NameReportRow(Base):
    """A bearer's report of the name on their wrist, after the seal.  One per wrist and
    round: reporting again changes nothing."""

    __tablename__ = "name_reports"
    __table_args__ = (UniqueConstraint("reporter_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    report_id: Mapped[str] = mapped_column(String(32), unique=True)
    """What the organizer is shown with the name: random, never derived from a person."""
    round: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reported_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    removed_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """When the organizer removed the reported person (their contact is never passed)."""


class JoinSlipRow(Base):
    """One join slip of a class sheet (school mode): a one-time code that claims the place
    of an unclaimed person, as an invitation does, with no email address.

    The code is kept readable, for the organizer alone, so the sheet can be printed again;
    once used it opens nothing.  It is never a wrist key.  ``person_id`` carries no foreign
    key: a place removed before the draw leaves its slip spent, not dangling."""

    __tablename__ = "join_slips"

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    code: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    batch: Mapped[str] = mapped_column(String(64), index=True)
    """The form press that made it: a second press of the same form makes no more slips."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
