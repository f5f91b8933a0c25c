"""A wrist's devices for Web Push: subscribe, list, remove (the page and the API alike).

A device is a browser's PushSubscription (its endpoint and keys), held for one wrist.  What
it will receive is fixed (soulmark.push.words); the name never is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.i18n import DEFAULT, pick
from soulmark.push.rows import forget_device, subscription_pushes
from soulmark.services.bearers import person_by_token
from soulmark.services.results import Result
from soulmark.store import Store
from soulmark.store.models import PersonRow, holds_row_id
from soulmark.store.push_models import PushSubscriptionRow

__all__ = ["Device", "MAX_DEVICES", "devices", "devices_of", "subscribe", "unsubscribe"]

MAX_DEVICES = 10
"""Devices one wrist may have: a phone, a tablet, a laptop or two, and room to spare."""
MAX_ENDPOINT = 1000


@dataclass(frozen=True)
class Device(Result):
    id: int
    service: str
    """The push service's host (which company's servers carry it), to tell devices apart."""
    created_at: int


def _device(row: PushSubscriptionRow) -> Device:
    return Device(
        id=row.id, service=urlsplit(row.endpoint).hostname or "", created_at=row.created_at
    )


def _key(text: str, size: int, what: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size or (size == 65 and raw[0] != 4):
        raise InvalidInput(f"the subscription's {what} key is not valid", code="push-invalid")
    return text.rstrip("=")


def _not_a_service() -> InvalidInput:
    return InvalidInput("the subscription's endpoint is not a push service", code="push-invalid")


def _endpoint(url: str, allow_loopback: bool) -> str:
    if len(url) > MAX_ENDPOINT or not url.isprintable() or not url.isascii():
        raise _not_a_service()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number raises here, not at send time
    except ValueError:
        raise _not_a_service() from None
    if not host:
        raise _not_a_service()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    local = host == "localhost" or (address is not None and address.is_loopback)
    if allow_loopback and local and parts.scheme in ("http", "https"):
        return url
    # A push service is a public https host: never an address inside this network.
    if parts.scheme != "https" or local or (address is not None and not address.is_global):
        raise _not_a_service()
    return url


def subscribe(
    store: Store,
    *,
    token: str,
    endpoint: str,
    p256dh: str,
    auth: str,
    lang: str | None,
    at: int,
    allow_loopback: bool = False,
) -> Device:
    """Push this wrist's notices to one more device; the same device again keeps its place
    with its new keys.  Pushes for moments still to come are queued at once."""
    url = _endpoint(endpoint.strip(), allow_loopback)
    key = hashlib.sha256(url.encode()).hexdigest()
    dh, secret = _key(p256dh, 65, "p256dh"), _key(auth, 16, "auth")
    with store.transaction() as s:
        person = person_by_token(s, token, lock=True, at=at)
        rows = list(
            s.scalars(select(PushSubscriptionRow).where(PushSubscriptionRow.person_id == person.id))
        )
        row = next((r for r in rows if r.endpoint_key == key), None)
        if row is None:
            if len(rows) >= MAX_DEVICES:
                raise Conflict(
                    f"a wrist has at most {MAX_DEVICES} devices; remove one first",
                    code="push-too-many",
                    n=MAX_DEVICES,
                )
            row = PushSubscriptionRow(person_id=person.id, endpoint=url, endpoint_key=key)
            row.created_at = at
            s.add(row)
        row.p256dh, row.auth, row.lang = dh, secret, pick(lang) or DEFAULT
        s.flush()
        subscription_pushes(s, row, after=at)
        return _device(row)


def devices(store: Store, *, token: str, at: int | None = None) -> list[Device]:
    """The devices this wrist's notices are pushed to, oldest first."""
    with store.read() as s:
        return devices_of(s, person_by_token(s, token, at=at))


def devices_of(s: Session, person: PersonRow) -> list[Device]:
    """The same, inside a session the caller opened."""
    rows = s.scalars(
        select(PushSubscriptionRow)
        .where(PushSubscriptionRow.person_id == person.id)
        .order_by(PushSubscriptionRow.id)
    )
    return [_device(r) for r in rows]


def unsubscribe(store: Store, *, token: str, device_id: int, at: int | None = None) -> list[Device]:
    """Stop pushing to one device (its pushes not yet sent go with it); the devices left."""
    with store.transaction() as s:
        person = person_by_token(s, token, at=at)
        # An id no column can hold is no device (the database would refuse to compare it).
        row = s.get(PushSubscriptionRow, device_id) if holds_row_id(device_id) else None
        if row is None or row.person_id != person.id:
            raise NotFound("this wrist has no such device", code="push-unknown")
        forget_device(s, row.id)
    return devices(store, token=token, at=at)
