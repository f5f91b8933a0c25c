"""Signed-in devices: "keep me signed in on this device" (issue 19 item 3).

A device session is a secret of its own (``d_<handle><secret>``), not the wrist's private
link: signing one device out, or replacing the private link, leaves the others as they are.
Only the secret's SHA-256 is stored.  The secret is rotated on use, at most once a day
(:func:`touch`): the browser gets the new one, and the old one stops working, so a copied
cookie dies the next day its owner opens the wrist.  The ``handle`` stays, so the browser's
address for the wrist (``/wrist/me-…``) and its cookie's name do too.

Every wrist lookup asks :func:`wrist_key` first: the hash the wrist's rows are found by, for
a private link and a device session alike.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from soulmark.core.errors import NotFound
from soulmark.core.times import DAY, MINUTE, iso
from soulmark.services.results import Result
from soulmark.services.tokens import by_token, token_hash
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow, holds_row_id
from soulmark.store.session_models import DeviceSessionRow

__all__ = [
    "KEPT_FOR",
    "SHORT_FOR",
    "ROTATE_EVERY",
    "TOUCH_EVERY",
    "Device",
    "Opened",
    "device_label",
    "devices_of",
    "forget_device_sessions",
    "is_device",
    "keep",
    "list_devices",
    "open_device",
    "person_of_device",
    "sign_out",
    "signed_in_held",
    "touch",
    "wrist_key",
]

KEPT_FOR = 180 * DAY
"""How long a kept device stays signed in without being used."""
SHORT_FOR = DAY
"""A device signed in without "keep me signed in": until the browser closes, at most a day."""
ROTATE_EVERY = DAY
TOUCH_EVERY = 10 * MINUTE
"""How stale a device's last use may be before opening its wrist notes it again: a reload
costs no write, and the device list is right to ten minutes."""
PREFIX = "d_"
_HANDLE = 16
_GONE = "this device was signed out; open your private link again, or ask for a sign-in mail"


@dataclass(frozen=True)
class Device(Result):
    id: int
    label: str
    signed_in_at: int
    last_used_at: int
    current: bool
    """The device that asked: signing it out signs this browser out."""


@dataclass(frozen=True)
class Opened(Result):
    world: str
    token: str
    """The device's secret, for its cookie only."""
    kept: bool


def is_device(token: str) -> bool:
    return token.startswith(PREFIX) and len(token) > len(PREFIX) + _HANDLE


def _handle(token: str) -> str:
    return token[len(PREFIX) : len(PREFIX) + _HANDLE]


def _row(s: Session, token: str, *, lock: bool = False) -> DeviceSessionRow | None:
    query = select(DeviceSessionRow).where(DeviceSessionRow.secret_hash == token_hash(token))
    row: DeviceSessionRow | None = s.scalars(query.with_for_update() if lock else query).first()
    return row


def person_of_device(
    s: Session, token: str, *, lock: bool = False, at: int | None = None
) -> PersonRow:
    """The person a device secret is signed in to, or NotFound as for an unknown wrist;
    one expired by ``at``, when the moment is known, is as unknown as a signed-out one."""
    row = _row(s, token) if is_device(token) else None
    # Its row waits for touch() to delete it: until then only the moment tells it is dead.
    if row is None or (at is not None and row.expires_at <= at):
        raise NotFound("no wrist has that token", code="wrist-unknown")
    return s.get_one(PersonRow, row.person_id, with_for_update=lock)


def _person(s: Session, token: str, at: int | None = None) -> PersonRow:
    if is_device(token):
        return person_of_device(s, token, at=at)
    person: PersonRow = by_token(
        s, PersonRow.token_hash, token, missing="no wrist has that token", code="wrist-unknown"
    )
    return person


def wrist_key(s: Session, token: str, at: int | None = None) -> str:
    """The hash a wrist's rows are found by: a private link's own, or its device's wrist's
    (none for a device expired by ``at``, when the moment is known)."""
    if not is_device(token):
        return token_hash(token)
    query = (
        select(PersonRow.token_hash)
        .join(DeviceSessionRow, DeviceSessionRow.person_id == PersonRow.id)
        .where(DeviceSessionRow.secret_hash == token_hash(token))
    )
    if at is not None:
        query = query.where(DeviceSessionRow.expires_at > at)
    found = s.scalar(query)
    # A signed-out device finds no wrist, as a junk token does.
    return found or token_hash(token)


def device_label(user_agent: str) -> str:
    """A short name for a browser from its User-Agent: never the whole string."""
    ua = user_agent or ""
    browser = next(
        (name for key, name in _BROWSERS if key in ua),
        "A browser",
    )
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    return f"{browser} on {system}" if system else browser


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def _new_secret(handle: str) -> str:
    return f"{PREFIX}{handle}{secrets.token_urlsafe(24)}"


def open_device(s: Session, person: PersonRow, *, at: int, user_agent: str, kept: bool) -> str:
    """A new device session for ``person`` in an open transaction: its secret."""
    token = _new_secret(secrets.token_hex(_HANDLE // 2))
    s.add(
        DeviceSessionRow(
            person_id=person.id,
            handle=_handle(token),
            secret_hash=token_hash(token),
            label=device_label(user_agent)[:80],
            created_at=at,
            last_used_at=at,
            rotated_at=at,
            expires_at=at + (KEPT_FOR if kept else SHORT_FOR),
        )
    )
    return token


def keep(store: Store, *, token: str, at: int, user_agent: str) -> Opened:
    """ "Keep me signed in on this device": a device session for the wrist behind ``token``
    (a private link or a device), kept for :data:`KEPT_FOR`."""
    with store.transaction() as s:
        person = _person(s, token, at)
        if person.left_at is not None:
            raise NotFound("no wrist has that token", code="wrist-unknown")
        if is_device(token):
            # Already a device: kept from now on, under the same name and secret.
            row = _row(s, token, lock=True)
            assert row is not None
            row.expires_at = at + KEPT_FOR
            fresh = token
        else:
            fresh = open_device(s, person, at=at, user_agent=user_agent, kept=True)
        world = _slug(s, person)
        return Opened(world=world, token=fresh, kept=True)


def _slug(s: Session, person: PersonRow) -> str:
    return s.get_one(WorldRow, person.world_id).slug


def _settled(row: DeviceSessionRow, at: int) -> bool:
    """Nothing for :func:`touch` to write: alive, used lately, and its secret not yet due."""
    return (
        row.expires_at > at
        and at - row.last_used_at < TOUCH_EVERY
        and at - row.rotated_at < ROTATE_EVERY
    )


def touch(store: Store, *, token: str, at: int) -> str | None:
    """A device opened its wrist: note when, and hand it a new secret if its secret is a day
    old (None otherwise, and for a private link).  An expired device is signed out."""
    if not is_device(token):
        return None
    # Most opens are minutes apart: a read, which waits for no writer, settles them.
    with store.read() as s:
        seen = _row(s, token)
        if seen is None:
            raise NotFound(_GONE, code="wrist-unknown")
        if _settled(seen, at):
            return None
    with store.transaction() as s:
        row = _row(s, token, lock=True)
        if row is None:
            raise NotFound(_GONE, code="wrist-unknown")
        if row.expires_at <= at:
            s.delete(row)
            raise NotFound(_GONE, code="wrist-unknown")
        row.last_used_at = at
        if at - row.rotated_at < ROTATE_EVERY:
            return None
        fresh = _new_secret(row.handle)
        if row.expires_at - row.rotated_at > SHORT_FOR:
            row.expires_at = at + KEPT_FOR  # kept: 180 days from its last use
        row.secret_hash, row.rotated_at = token_hash(fresh), at
        return fresh


def devices_of(s: Session, person: PersonRow, *, token: str, at: int) -> list[Device]:
    """The devices signed in to ``person``'s wrist, newest first, within a read the caller
    holds; ``token`` (the asker's) marks the current one."""
    rows = s.scalars(
        select(DeviceSessionRow)
        .where(DeviceSessionRow.person_id == person.id, DeviceSessionRow.expires_at > at)
        .order_by(DeviceSessionRow.created_at.desc(), DeviceSessionRow.id.desc())
    ).all()
    mine = token_hash(token)
    return [
        Device(
            id=r.id,
            label=r.label,
            signed_in_at=r.created_at,
            last_used_at=r.last_used_at,
            current=r.secret_hash == mine,
        )
        for r in rows
    ]


def list_devices(store: Store, *, token: str, at: int) -> list[Device]:
    """The devices signed in to the wrist behind ``token``, newest first."""
    with store.read() as s:
        return devices_of(s, _person(s, token, at), token=token, at=at)


def sign_out(store: Store, *, token: str, device: int, at: int | None = None) -> bool:
    """Sign one of the wrist's devices out (it may be the one asking); whether it was."""
    with store.transaction() as s:
        person = _person(s, token, at)
        # An id no row can hold names no device, and must not reach the database.
        gone = holds_row_id(device) and s.scalar(
            delete(DeviceSessionRow)
            .where(DeviceSessionRow.id == device, DeviceSessionRow.person_id == person.id)
            .returning(DeviceSessionRow.id)
        )
        if not gone:
            raise NotFound("this wrist has no such device", code="device-unknown")
        return True


def forget_device_sessions(s: Session, person_ids: list[int]) -> None:
    """Whoever leaves, or is erased or removed, is signed out everywhere."""
    s.execute(delete(DeviceSessionRow).where(DeviceSessionRow.person_id.in_(person_ids)))


def signed_in_held(s: Session, person_id: int) -> list[dict[str, object]]:
    """A person's signed-in devices as their data export lists them (never a secret)."""
    rows = s.scalars(
        select(DeviceSessionRow)
        .where(DeviceSessionRow.person_id == person_id)
        .order_by(DeviceSessionRow.id)
    ).all()
    return [
        {"label": r.label, "signed_in_at": iso(r.created_at), "last_used_at": iso(r.last_used_at)}
        for r in rows
    ]
