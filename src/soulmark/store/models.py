"""Tables.  Moments are integer microseconds since the epoch (UTC), exact on every backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from soulmark.core.beacon import BeaconSpec

__all__ = [
    "Base",
    "WorldRow",
    "RoundRow",
    "PersonRow",
    "MarkRow",
    "ExclusionRow",
    "ReceiptRow",
    "FateLogRow",
    "holds_row_id",
]


class Base(DeclarativeBase):
    pass


def holds_row_id(number: int) -> bool:
    """Whether ``number`` can be a row id or a round number: both are 32-bit INTEGER
    columns, and PostgreSQL refuses to bind anything larger, so a caller's number outside
    this range names no row and must not reach the database."""
    return 0 < number < 2**31


class WorldRow(Base):
    __tablename__ = "worlds"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    window_start: Mapped[int] = mapped_column(BigInteger)
    window_end: Mapped[int] = mapped_column(BigInteger)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    email_domain: Mapped[str | None] = mapped_column(String(254), default=None)
    organizer_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    open_round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[int] = mapped_column(BigInteger)
    retain_until: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """After this moment personal data is erased; only transcripts of opaque ids remain."""
    erased_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    """The world's IANA zone (None: UTC): its windows were typed in it, its mails speak it."""
    seal_at: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)
    """When the notices worker seals round ``seal_round`` on its own (None: nothing planned)."""
    seal_round: Mapped[int | None] = mapped_column(default=None)
    seal_refused: Mapped[str | None] = mapped_column(String(400), default=None)
    """Why the planned seal could not happen (a round of one…): shown to the organizer."""
    sender_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    """False for a world opened from the web until its organizer confirms their own address:
    no invitation leaves before (issue 17: not a spam relay)."""
    sender_code_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """The hash of the one-time code mailed to the organizer's address to confirm it."""
    joins_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    """The organizer closed joining (issue 20): the public form takes no new joins until
    they open it again; invitations already sent can still be claimed."""


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("world_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    number: Mapped[int]
    secret: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    seed: Mapped[str | None] = mapped_column(String(64), default=None)
    pairs: Mapped[int | None] = mapped_column(default=None)
    roster_size: Mapped[int | None] = mapped_column(default=None)
    transcript: Mapped[str | None] = mapped_column(Text, default=None)
    # The drand round this round waits for, named (and committed) when it opened.
    beacon_chain: Mapped[str | None] = mapped_column(String(32), default=None)
    beacon_round: Mapped[int | None] = mapped_column(BigInteger, default=None)
    beacon_signature: Mapped[str | None] = mapped_column(String(96), default=None)
    attempts: Mapped[int | None] = mapped_column(default=None)
    """Draws fate made at seal: 1 without exclusions, the winning attempt + 1 with them."""

    @property
    def beacon(self) -> BeaconSpec | None:
        if self.beacon_chain is None or self.beacon_round is None:
            return None
        return BeaconSpec(self.beacon_chain, self.beacon_round)


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("world_id", "pid"),
        UniqueConstraint("world_id", "email_key"),
        # One look, one person (soulmark.core.looks): enforced by the database, so two joins
        # with look-alike names that race cannot both land.  NULLs do not collide.
        Index("uq_people_world_id_look_key", "world_id", "look_key", unique=True),
        # The world page counts who waits for the open round (migration 0030).
        Index("ix_people_world_id_round", "world_id", "round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    pid: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(400))
    look_key: Mapped[str | None] = mapped_column(String(64), default=None)
    """The digest of the name's look while it is this person's own and they are in (joined,
    confirmed or claimed, not left): None for an unclaimed invitation or a join that waits."""
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    round: Mapped[int] = mapped_column(index=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[int] = mapped_column(BigInteger)
    looked_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reached_out_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    contact: Mapped[str | None] = mapped_column(String(400), default=None)
    """What they chose to pass when reaching out (None: they have not, or took it back)."""
    left_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """Left after seal: the partner's wrist keeps this name, contact is never shared."""
    exclusion_group: Mapped[str | None] = mapped_column(String(64), default=None)
    """An organizer's group (a household): nobody in the same group of a world is paired."""
    lang: Mapped[str | None] = mapped_column(String(16), default=None)
    """The language they joined in (a catalog code): their notices are written in it."""


class MarkRow(Base):
    """Written once when a round is sealed and never updated (B6)."""

    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("person_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    round: Mapped[int]
    partner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    itch_start: Mapped[int] = mapped_column(BigInteger)
    ink_start: Mapped[int] = mapped_column(BigInteger)
    legible_at: Mapped[int] = mapped_column(BigInteger, index=True)


class ExclusionRow(Base):
    """A participant's "never with" (R3): an address, resolved to a person only at seal.

    Private: only its author may list it, and only before their round is sealed.
    """

    __tablename__ = "exclusions"
    __table_args__ = (UniqueConstraint("person_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[int] = mapped_column(BigInteger)
    dropped_in: Mapped[int | None] = mapped_column(default=None)
    """The round whose draw could not honour this entry (R3 leaves everyone half the round);
    its author is told so after that seal, in words that name nobody."""


class ReceiptRow(Base):
    """An author's receipt for one never-with entry of a sealed round (issue 22): the salt
    of its commitment in the transcript.  Shown to that author's wrist only; written once at
    seal, with the commitment it opens, so it holds even when the named address is erased."""

    __tablename__ = "exclusion_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    world_id: Mapped[int] = mapped_column(ForeignKey("worlds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    round: Mapped[int]
    salt: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))


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
