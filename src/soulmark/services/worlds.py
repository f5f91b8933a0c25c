"""Worlds: opening one, reading its public face."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer

from soulmark.core.beacon import BeaconSpec
from soulmark.core.errors import InvalidInput, NotFound
from soulmark.core.later import TooLate, marks_from
from soulmark.core.looks import clean_domain
from soulmark.core.marks import MarkParams, Window
from soulmark.core.times import iso, parse_local, zone
from soulmark.core.transcript import World, commitment
from soulmark.core.validate import check_window, clean_name
from soulmark.services.fate_log import history as fate_history
from soulmark.services.fate_log import record as record_fate
from soulmark.services.results import Result
from soulmark.services.tokens import new_secret, new_token, token_hash
from soulmark.store import Store
from soulmark.store.models import PersonRow, RoundRow, WorldRow
from soulmark.store.organizer_models import OrganizerLinkRow

__all__ = [
    "WorldCreated",
    "WorldInfo",
    "create_world",
    "read_window",
    "world_info",
    "get_world",
    "world_block",
    "round_possible",
]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class WorldCreated(Result):
    world: str
    name: str
    commitment: str
    organizer_token: str
    window_start: str
    window_end: str
    beacon: dict[str, Any] | None = None
    time_zone: str = "UTC"
    email_domain: str | None = None
    """Only addresses at this domain may join (None: any)."""


@dataclass(frozen=True)
class WorldInfo(Result):
    world: str
    name: str
    window_start: str
    window_end: str
    open_round: int
    commitment: str
    """Commitment to the secret of the open round."""
    email_domain: str | None
    rounds: list[dict[str, Any]] = field(default_factory=list)
    joins_open: bool = True
    """False once too little of the window is left for any further round (R4)."""
    joins_closed: bool = False
    """True while the organizer has closed joining (the public form takes no joins)."""
    time_zone: str = "UTC"
    """The world's IANA zone: its pages speak it until the viewer's own zone is known."""
    history: list[dict[str, Any]] = field(default_factory=list)
    """Every commitment and seal, oldest first, append-only (services.fate_log): a round
    sealed twice, a re-draw, shows as two seal entries."""


def world_block(row: WorldRow) -> World:
    """The public inputs of a world that every commitment and transcript binds."""
    return {
        "slug": row.slug,
        "name": row.name,
        "window_start": iso(row.window_start),
        "window_end": iso(row.window_end),
        "params": dict(row.params),
    }


def _slugify(name: str, wanted: str | None) -> str:
    if wanted is not None:
        if not _SLUG.match(wanted):
            raise InvalidInput("a world's slug is 1-63 lower-case letters, digits and dashes")
        return wanted
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "world"
    return f"{base}-{secrets.token_hex(2)}"


def _free_slug(s: Session, name: str, wanted: str | None) -> str:
    """The world's address: the one asked for, or one made from its name that no world holds.

    A made-up suffix has 16 bits, so many worlds of one name ("Class of 2027") would meet
    within a few hundred; drawing again is the organizer's expectation, not an error.
    """
    for _ in range(32):
        slug = _slugify(name, wanted)
        if s.scalar(select(WorldRow.id).where(WorldRow.slug == slug)) is None:
            return slug
        if wanted is not None:
            break
    raise InvalidInput(f"a world called {slug!r} already exists")


def organizer_row(s: Session, token: str, *, lock: bool = False) -> WorldRow:
    """The world an organizer token opens: its own link's, or a live co-organizer link's."""
    key = token_hash(token)
    query = select(WorldRow).where(
        or_(
            WorldRow.organizer_token_hash == key,
            WorldRow.id.in_(
                select(OrganizerLinkRow.world_id).where(
                    OrganizerLinkRow.token_hash == key, OrganizerLinkRow.revoked_at.is_(None)
                )
            ),
        )
    )
    world = s.scalars(query.with_for_update() if lock else query).first()
    if world is None:
        raise NotFound("no world has that organizer token", code="organizer-unknown")
    return world


def get_world(session: Session, slug: str, *, lock: bool = False, share: bool = False) -> WorldRow:
    query = select(WorldRow).where(WorldRow.slug == slug)
    if lock or share:
        # Joins share the row and sealing takes it exclusively, so no join lands in a round
        # that is being sealed (PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE).
        query = query.with_for_update(read=share and not lock)
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"no world called {slug!r}", code="world-unknown")
    return row


def _check_opening(start: int, end: int, beacon: BeaconSpec | None, at: int) -> None:
    check_window(start, end)
    if beacon is not None and beacon.published_at <= at:
        raise InvalidInput(
            f"drand {beacon.chain} round {beacon.round} is already published: "
            "name one that comes after joins close"
        )


def create_world(
    store: Store,
    *,
    name: str,
    window_start: int,
    window_end: int,
    at: int,
    slug: str | None = None,
    email_domain: str | None = None,
    params: MarkParams | None = None,
    beacon: BeaconSpec | None = None,
    time_zone: str | None = None,
    held: bool = False,
) -> WorldCreated:
    """Open a world.  ``held``: opened by someone the site does not know (the web), so it
    mails nobody but its organizer until they confirm an address (services.senders)."""
    name = clean_name(name)
    zone_name = _zone_key(time_zone)
    _check_opening(window_start, window_end, beacon, at)
    organizer = new_token("o")
    with store.transaction() as s:
        row = WorldRow(
            slug=_free_slug(s, name, slug),
            name=name,
            window_start=window_start,
            window_end=window_end,
            params=(params or MarkParams()).to_json(),
            email_domain=clean_domain(email_domain.lstrip("@")) if email_domain else None,
            organizer_token_hash=token_hash(organizer),
            open_round=1,
            created_at=at,
            time_zone=zone_name,
            sender_confirmed=not held,
        )
        s.add(row)
        s.flush()
        opened = open_round(s, row, 1, beacon, at=at)
        return _created(row, opened, organizer, beacon)


def read_window(start: str, end: str, time_zone: str | None) -> tuple[int, int]:
    """A window typed in the world's zone (a bare end date is that day's end), or one line."""
    try:
        return parse_local(start, time_zone), parse_local(end, time_zone, end=True)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _zone_key(time_zone: str | None) -> str:
    try:
        return zone(time_zone).key
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _created(
    row: WorldRow, opened: RoundRow, organizer: str, beacon: BeaconSpec | None
) -> WorldCreated:
    """What the organizer is told once: the organizer token appears nowhere else."""
    return WorldCreated(
        world=row.slug,
        name=row.name,
        commitment=opened.commitment,
        organizer_token=organizer,
        window_start=iso(row.window_start),
        window_end=iso(row.window_end),
        beacon=_beacon_json(beacon),
        time_zone=row.time_zone or "UTC",
        email_domain=row.email_domain,
    )


def created_again(s: Session, token: str) -> WorldCreated:
    """What opening told the organizer behind ``token``, told again from the store: the
    page after ``/new`` is a GET of it, so a reload shows this world, not a second one."""
    row = organizer_row(s, token)
    first = s.scalars(
        select(RoundRow).where(RoundRow.world_id == row.id, RoundRow.number == 1)
    ).one()
    return _created(row, first, token, first.beacon)


def _beacon_json(beacon: BeaconSpec | None) -> dict[str, Any] | None:
    if beacon is None:
        return None
    return {**beacon.to_json(), "published_at": iso(beacon.published_at)}


def open_round(
    session: Session,
    world: WorldRow,
    number: int,
    beacon: BeaconSpec | None = None,
    *,
    at: int | None = None,
) -> RoundRow:
    """A round gets its own secret when it opens; only the commitment is public until seal,
    and it enters the world's public history at once (services.fate_log)."""
    secret = new_secret()
    row = RoundRow(
        world_id=world.id,
        number=number,
        secret=secret.hex(),
        commitment=commitment(secret, world_block(world), number, beacon),
        beacon_chain=beacon.chain if beacon else None,
        beacon_round=beacon.round if beacon else None,
    )
    session.add(row)
    record_fate(session, world, kind="commitment", round=number, commitment=row.commitment, at=at)
    return row


def round_possible(window_start: int, window_end: int, at: int) -> bool:
    """Whether a round sealed at ``at`` could still draw its marks in the window (R4)."""
    try:
        marks_from(Window(window_start, window_end), at)
    except TooLate:
        return False
    return True


_ROUNDS_SHOWN = (
    select(RoundRow)
    .options(defer(RoundRow.transcript), defer(RoundRow.secret))
    .order_by(RoundRow.number)
)
"""A world's rounds without what a page never shows (the secret, the transcript)."""


def world_info(store: Store, *, slug: str, at: int | None = None) -> WorldInfo:
    """The public face of a world; with ``at``, whether it still takes joins then."""
    return world_shown(store, slug=slug, at=at)[1]


def world_shown(store: Store, *, slug: str, at: int | None = None) -> tuple[int, WorldInfo]:
    """The world's row id (what its changes name, soulmark.store.changes) and public face."""
    # A read: the page every QR scan opens must not queue for the write lock, nor load the
    # rounds' transcripts (megabytes in a big world) to show their numbers.
    with store.read() as s:
        world = get_world(s, slug)
        rounds = s.scalars(_ROUNDS_SHOWN.where(RoundRow.world_id == world.id)).all()
        waiting = s.scalar(
            select(func.count())
            .select_from(PersonRow)
            .where(PersonRow.world_id == world.id, PersonRow.round == world.open_round)
        )
        return world.id, WorldInfo(
            world=world.slug,
            name=world.name,
            window_start=iso(world.window_start),
            window_end=iso(world.window_end),
            open_round=world.open_round,
            commitment=rounds[-1].commitment,
            email_domain=world.email_domain,
            time_zone=world.time_zone or "UTC",
            joins_open=at is None or round_possible(world.window_start, world.window_end, at),
            joins_closed=bool(world.joins_closed),
            history=fate_history(s, world.id),
            rounds=[
                {
                    "round": r.number,
                    "commitment": r.commitment,
                    "sealed": r.sealed_at is not None,
                    "sealed_at": iso(r.sealed_at) if r.sealed_at is not None else None,
                    "people": r.roster_size if r.sealed_at is not None else waiting,
                    "pairs": r.pairs,
                    "beacon": _beacon_json(r.beacon),
                }
                for r in rounds
            ],
        )


def zone_of(store: Store, *, slug: str) -> str:
    """A world's IANA zone ("UTC" when it named none)."""
    with store.read() as s:
        return s.scalar(select(WorldRow.time_zone).where(WorldRow.slug == slug)) or "UTC"
